package api

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"gopkg.in/yaml.v3"

	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/input"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// DefaultBodyLimit is the largest request body accepted: 1 MiB.
const DefaultBodyLimit = 1 << 20

// Options are the server's optional settings.
type Options struct {
	// BodyLimit is the largest request body in bytes (DefaultBodyLimit).
	BodyLimit int64
	// Observe, if set, is told of every request: its route's template
	// (/v1/payouts/:id), status and latency (the metrics).
	Observe func(method, route string, status int, latency time.Duration)
}

// Idempotency keeps the first answer to a request sent with an
// Idempotency-Key, per API key (store implements it).
type Idempotency interface {
	// BeginIdempotent reserves (keyID, idemKey) for a request with the
	// given fingerprint. When the pair was already answered for the same
	// fingerprint it returns that answer (status above zero); when it is
	// reserved but not yet answered, or was used for a different request,
	// it is a Conflict; otherwise status is zero and the pair is now
	// reserved.
	BeginIdempotent(ctx context.Context, keyID, idemKey, fingerprint string) (status int, header http.Header, body []byte, err error)
	// FinishIdempotent stores the answer of a reserved pair: its status,
	// its headers (Content-Type and those a replay repeats) and its body.
	FinishIdempotent(ctx context.Context, keyID, idemKey string, status int, header http.Header, body []byte) error
	// AbortIdempotent releases a reserved pair that was not answered, so
	// that a retry can run.
	AbortIdempotent(ctx context.Context, keyID, idemKey string) error
}

// Server is the REST API. Build it with NewServer; it is an http.Handler.
type Server struct {
	echo      *echo.Echo
	app       *app.Service
	input     *input.Decoder
	engine    *engine.Engine
	idem      Idempotency // nil: only the public, stateless endpoints
	logger    *slog.Logger
	observe   func(method, route string, status int, latency time.Duration)
	bodyLimit int64
	openapi   []byte
}

//go:embed openapi.yaml
var openAPIYAML []byte

// NewServer builds the API from its dependencies: the logger, the use cases
// and the idempotency records (nil, with a service without a registry,
// serves only the public endpoints: evaluation, rules, health and the
// OpenAPI document).
func NewServer(logger *slog.Logger, svc *app.Service, idem Idempotency, opts Options) (*Server, error) {
	spec, err := openAPIJSON()
	if err != nil {
		return nil, err
	}
	s := &Server{
		echo:      echo.New(),
		app:       svc,
		input:     svc.Input(),
		engine:    svc.Engine(),
		idem:      idem,
		logger:    logger,
		observe:   opts.Observe,
		bodyLimit: opts.BodyLimit,
		openapi:   spec,
	}
	if s.bodyLimit <= 0 {
		s.bodyLimit = DefaultBodyLimit
	}
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.handleError
	s.routes()
	return s, nil
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Routes lists the registered routes, for the OpenAPI coverage test.
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }

// openAPIJSON converts the embedded OpenAPI document to JSON once.
func openAPIJSON() ([]byte, error) {
	var node yaml.Node
	if err := yaml.Unmarshal(openAPIYAML, &node); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	out, err := engine.YAMLToJSON(&node)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return out, nil
}

// today is the evaluation date when a request names none.
func (s *Server) today() models.Date { return s.app.Today() }
