package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/input"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// Options are a Service's optional settings.
type Options struct {
	// Now is the clock (time.Now): today's date, the default as_of.
	Now func() time.Time
	// Logger receives what goes wrong outside a request (none by default).
	Logger *slog.Logger
	// Runs tunes the background payout runs.
	Runs RunOptions
	// Metrics counts evaluations and payout runs (none by default).
	Metrics Metrics
	// NoFourEyes lets one key start a payout run, approve its payouts and
	// mark them paid, and accept the applications it submitted: for a
	// one-person office (serve --four-eyes=false). By default the clerk
	// (经办人) and the approver (审核人) must be different keys, whatever
	// their roles.
	NoFourEyes bool
}

// Metrics is what the use cases count for the operators (package metrics).
type Metrics interface {
	Evaluated(rule string, eligible bool)
	RunEnded(status string, created int, amount models.Money)
}

// noMetrics counts nothing.
type noMetrics struct{}

func (noMetrics) Evaluated(string, bool)             {}
func (noMetrics) RunEnded(string, int, models.Money) {}

// Service is the use cases of subsidy over one engine and one store.
type Service struct {
	engine  *engine.Engine
	store   models.Store
	input   *input.Decoder
	now     func() time.Time
	log     *slog.Logger
	jobs    *jobs
	metrics Metrics
	// fourEyes keeps the clerk and the approver apart (审核与经办分离).
	fourEyes bool
}

// New returns the use cases over eng (the loaded rules) and st (the
// registry; nil offers only the public, stateless use cases).
func New(eng *engine.Engine, st models.Store, opts Options) *Service {
	s := &Service{engine: eng, store: st, input: input.NewDecoder(eng), now: opts.Now, log: opts.Logger, jobs: newJobs(opts.Runs), fourEyes: !opts.NoFourEyes}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.metrics = opts.Metrics; s.metrics == nil {
		s.metrics = noMetrics{}
	}
	return s
}

// Engine returns the loaded rules.
func (s *Service) Engine() *engine.Engine { return s.engine }

// Input returns the decoder of client input, checked against the rules.
func (s *Service) Input() *input.Decoder { return s.input }

// Stateful reports whether the service has a registry behind it.
func (s *Service) Stateful() bool { return s.store != nil }

// Today is the date in Wenzhou: what as_of means when a request names none.
func (s *Service) Today() models.Date { return models.LocalDate(s.now()) }

// Health checks the service can serve: with a registry, that the database
// answers and takes writes (not read-only, not out of space).
func (s *Service) Health(ctx context.Context) error {
	if s.store == nil {
		return nil
	}
	if err := s.store.Ping(ctx); err != nil {
		return &models.Error{Code: models.CodeUnavailable, Message: models.Text{Zh: "数据库暂不可用", En: "the database does not answer"}, Err: err}
	}
	if err := s.store.CheckWritable(ctx); err != nil {
		if models.CodeOf(err) == models.CodeUnavailable {
			return err
		}
		return &models.Error{Code: models.CodeUnavailable, Message: models.Text{Zh: "数据库无法写入", En: "the database cannot be written"}, Err: err}
	}
	return nil
}
