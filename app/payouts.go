package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// screenBatch is how many subjects a payout run reads, evaluates and
// records at a time: the registry is streamed, never loaded whole.
const screenBatch = 1000

// RunResult is what a payout run recorded.
type RunResult struct {
	ID      int64            `json:"id"`
	Run     models.PayoutRun `json:"run"`
	Created []models.Payout  `json:"created"`
	Skipped []SkippedSubject `json:"skipped"`
}

// SkippedSubject is a registered subject whose facts the rules refused.
type SkippedSubject struct {
	Subject string `json:"subject"`
	Rule    string `json:"rule"`
	Reason  string `json:"reason"`
}

// decision is what a payout keeps of the evaluation behind it.
type decision struct {
	AsOf       models.Date              `json:"as_of"`
	Ruleset    models.Ruleset           `json:"ruleset"`
	Rule       string                   `json:"rule"`
	Subject    models.Subject           `json:"subject"`
	Eligible   bool                     `json:"eligible"`
	Amount     models.Money             `json:"amount"`
	Conditions []models.ConditionResult `json:"conditions"`
	Payout     *models.PayoutInfo       `json:"payout,omitempty"`
}

// checkRun fills a run request's defaults and checks what only a run
// needs: the rules must pay out, once each, and as_of is not in the future
// (a run records payouts to be paid: it speaks for today or the past).
func (s *Service) checkRun(req *models.PayoutRunRequest) error {
	if req.AsOf.IsZero() {
		req.AsOf = s.Today()
	}
	if req.GrantYear == 0 {
		req.GrantYear = req.AsOf.Year()
	}
	grants := s.engine.PayoutRules()
	if len(req.Rules) == 0 {
		req.Rules = grants
	}
	var fields []models.FieldError
	if req.AsOf.After(s.Today()) {
		fields = append(fields, models.Field("as_of", "not_future"))
	}
	for i, id := range req.Rules {
		switch {
		case !slices.Contains(grants, id):
			fields = append(fields, models.Field(fmt.Sprintf("rules[%d]", i), "oneof", strings.Join(grants, ", ")))
		case slices.Contains(req.Rules[:i], id):
			fields = append(fields, models.Field(fmt.Sprintf("rules[%d]", i), "duplicate", id))
		}
	}
	if len(fields) > 0 {
		return models.InvalidInput(fields...)
	}
	return nil
}

// runBatch is a batch of subjects to screen with a rule, and then the
// candidates found due among them.
type runBatch struct {
	rule     string
	subjects []models.Subject
	cands    []models.PayoutCandidate
}

// screen runs the registry through three stages that work on different
// batches at once: reading a batch's facts (the store), evaluating it (the
// engine) and recording what is due (the store). Each stage takes the
// batches in order, so payouts are recorded in the order a one-stage loop
// would record them; reading batch k+2 while batch k is recorded sees the
// same facts, as the batches hold different subjects. With two cores the
// stages overlap and a run takes markedly less time than one stage would
// (BenchmarkScreening in BENCHMARKS.md).
//
// A failing stage stops the stages before it; the ones after it finish the
// batches they were handed, so that, as in a one-stage loop, what was
// evaluated before the failure is recorded.
func (s *Service) screen(ctx context.Context, actor models.Actor, run models.PayoutRun, progress *runProgress) (RunResult, error) {
	g, readCtx := errgroup.WithContext(ctx)
	read := make(chan runBatch, 1)
	evaluated := make(chan runBatch, 1)
	recordingStopped := make(chan struct{})
	result := RunResult{ID: run.ID, Run: run, Created: []models.Payout{}, Skipped: []SkippedSubject{}}

	g.Go(func() error {
		defer close(read)
		return s.readRegistry(readCtx, run, read)
	})
	g.Go(func() error {
		defer close(evaluated)
		for bt := range read {
			for _, subj := range bt.subjects {
				progress.screened.Add(1)
				cands, skip, err := s.candidates(bt.rule, run.AsOf, subj)
				if err != nil {
					return fmt.Errorf("rule %s: %w", bt.rule, err)
				}
				if skip != nil {
					result.Skipped = append(result.Skipped, *skip)
				}
				bt.cands = append(bt.cands, cands...)
			}
			if len(bt.cands) == 0 {
				continue
			}
			bt.subjects = nil
			select {
			case evaluated <- bt:
			case <-recordingStopped:
				return nil // the recording stage failed and said so
			}
		}
		return nil
	})
	g.Go(func() error {
		defer close(recordingStopped)
		for bt := range evaluated {
			// The caller's context, not the group's: a batch evaluated
			// before another stage failed is still recorded.
			created, err := s.store.RecordPayouts(ctx, actor, run.ID, bt.cands)
			if err != nil {
				return fmt.Errorf("rule %s: %w", bt.rule, err)
			}
			for _, p := range created {
				progress.createdCount.Add(1)
				progress.createdFen.Add(p.Amount.Fen())
			}
			result.Created = append(result.Created, created...)
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return RunResult{}, err
	}
	result.Run = progress.apply(result.Run)
	return result, nil
}

// readRegistry sends every registered subject, rule by rule, batch by
// batch, to out, until ctx is done.
func (s *Service) readRegistry(ctx context.Context, run models.PayoutRun, out chan<- runBatch) error {
	send := func(rule string, subjects []models.Subject) error {
		select {
		case out <- runBatch{rule: rule, subjects: subjects}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, rule := range run.Rules {
		var err error
		if kind, _ := s.engine.RuleSubject(rule); kind == models.KindEnterprise {
			err = s.store.ScreenEnterprises(ctx, screenBatch, func(batch []models.Enterprise) error {
				subjects := make([]models.Subject, len(batch))
				for i := range batch {
					subjects[i] = models.Subject{Enterprise: &batch[i]}
				}
				return send(rule, subjects)
			})
		} else {
			err = s.store.ScreenUniversities(ctx, screenBatch, func(batch []models.University) error {
				subjects := make([]models.Subject, len(batch))
				for i := range batch {
					batch[i].GrantYear = run.GrantYear
					subjects[i] = models.Subject{University: &batch[i]}
				}
				return send(rule, subjects)
			})
		}
		if err != nil {
			return fmt.Errorf("rule %s: %w", rule, err)
		}
	}
	return nil
}

// candidates evaluates one subject under one rule and returns a candidate
// per payout item due. A subject whose registered facts the rules refuse is
// skipped and reported; any other failure stops the run.
func (s *Service) candidates(rule string, asOf models.Date, subj models.Subject) ([]models.PayoutCandidate, *SkippedSubject, error) {
	resp, err := s.engine.Evaluate(models.EvaluateRequest{AsOf: asOf, Rules: []string{rule}, Subject: subj}, models.LangZh)
	if models.CodeOf(err) == models.CodeInvalid {
		return nil, &SkippedSubject{Subject: subj.Code(), Rule: rule, Reason: reasonZh(err)}, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("evaluate %s: %w", subj.Code(), err)
	}
	res := resp.Results[0]
	if !res.Eligible || res.Payout == nil {
		return nil, nil, nil
	}
	dec, err := json.Marshal(decision{
		AsOf: asOf, Ruleset: resp.Ruleset, Rule: rule, Subject: subj, Eligible: res.Eligible,
		Amount: res.Amount, Conditions: res.Conditions, Payout: res.Payout,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("record decision for %s: %w", subj.Code(), err)
	}
	base := models.PayoutCandidate{
		Rule: rule, Subject: subj.Code(), RulesetVersion: resp.Ruleset.Version,
		RulesetDigest: resp.Ruleset.Digest, Decision: dec,
	}
	switch {
	case subj.Enterprise != nil:
		base.SubjectName = subj.Enterprise.Name
		base.Payer = payerOf(res.Payout.Payer, subj.Enterprise.Region)
	case subj.University != nil:
		base.SubjectName = subj.University.Name
		base.GrantYear = subj.University.GrantYear
		base.Payer = payerOf(res.Payout.Payer, "")
	}
	out := make([]models.PayoutCandidate, 0, len(res.Payout.Items))
	for _, item := range res.Payout.Items {
		cand := base
		cand.Level, cand.Total = item.Level, item.Amount
		out = append(out, cand)
	}
	return out, nil, nil
}

// reasonZh says in Chinese, field by field, why the rules refused a
// subject's registered facts (a run has no reader's language: it is the
// bureau's record).
func reasonZh(err error) string {
	var me *models.Error
	if !errors.As(err, &me) {
		return err.Error()
	}
	parts := []string{me.Message.Zh}
	for _, f := range me.Fields {
		parts = append(parts, f.Field+"："+f.Text.Zh)
	}
	return strings.Join(parts, "；")
}

// payerOf names the finance bureau that pays: the region's for a local
// grant, the city's otherwise.
func payerOf(payer, region string) models.Payer {
	if payer == models.PayerLocal {
		return models.LocalFinanceBureau(region)
	}
	return models.CityFinanceBureau
}

// Run returns a payout run, with its progress while it goes on.
func (s *Service) Run(ctx context.Context, id int64) (models.PayoutRun, error) {
	return s.store.GetRun(ctx, id)
}

// Runs lists payout runs, newest first, a page at a time.
func (s *Service) Runs(ctx context.Context, f models.RunFilter) ([]models.PayoutRun, error) {
	list, err := s.store.ListRuns(ctx, f)
	return nonNil(list), err
}

// Payouts lists payouts in id order, a page at a time; a subject key sees
// only its own (asking for another subject's is not found).
func (s *Service) Payouts(ctx context.Context, actor models.Actor, f models.PayoutFilter) ([]models.Payout, error) {
	if isSubjectKey(actor) {
		if f.Subject != "" && f.Subject != actor.Subject {
			return nil, models.NotFound("主体 %s", "subject %s", f.Subject)
		}
		f.Subject = actor.Subject
	}
	list, err := s.store.ListPayouts(ctx, f)
	return nonNil(list), err
}

// Payout returns one payout with the decision behind it. A subject key
// asking for another subject's payout gets exactly the answer a missing
// payout gets.
func (s *Service) Payout(ctx context.Context, actor models.Actor, id int64) (models.Payout, error) {
	p, err := s.store.GetPayout(ctx, id)
	if err != nil {
		return models.Payout{}, err
	}
	kind, _ := s.engine.RuleSubject(p.Rule)
	if !mayRead(actor, kind, p.Subject) {
		return models.Payout{}, models.PayoutNotFound(id)
	}
	return p, nil
}

// Approve, Reject and MarkPaid move a payout along pending → approved →
// paid, or pending → rejected; any other transition is a conflict.
func (s *Service) Approve(ctx context.Context, actor models.Actor, id int64) (models.Payout, error) {
	return s.store.TransitionPayout(ctx, actor, id, models.PayoutApproved, "")
}

// Reject refuses a pending payout, for a reason that is recorded.
func (s *Service) Reject(ctx context.Context, actor models.Actor, id int64, r models.ReasonEntry) (models.Payout, error) {
	return s.store.TransitionPayout(ctx, actor, id, models.PayoutRejected, strings.TrimSpace(r.Reason))
}

// MarkPaid records that an approved payout was transferred.
func (s *Service) MarkPaid(ctx context.Context, actor models.Actor, id int64) (models.Payout, error) {
	return s.store.TransitionPayout(ctx, actor, id, models.PayoutPaid, "")
}

// TransferList returns every payout of one payer in one status, in id
// order: the rows of the bank's transfer list.
func (s *Service) TransferList(ctx context.Context, payer, status string) ([]models.Payout, error) {
	var out []models.Payout
	f := models.PayoutFilter{Payer: payer, Status: status, Limit: 1000}
	for {
		page, err := s.store.ListPayouts(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < f.Limit {
			return out, nil
		}
		f.AfterID = page[len(page)-1].ID
	}
}
