package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/export"
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

// checkRun fills a run request's defaults and checks it (package input),
// its fields and its screening at once: a run records payouts to be paid,
// so it speaks for today or the past.
func (s *Service) checkRun(req *models.PayoutRunRequest) error {
	fields := s.input.Validator().Check(req)
	var bad *models.Error
	if err := s.input.Screening(&req.AsOf, &req.GrantYear, &req.Rules, s.Today(), false); errors.As(err, &bad) {
		fields = append(fields, bad.Fields...)
	}
	if len(fields) > 0 {
		return models.InvalidInput(fields...)
	}
	return nil
}

// pass is one reading of the registry: the subjects of one kind, each
// evaluated with rules.
type pass struct {
	kind  string
	rules []string
}

// passesOf groups rules by the kind of subject they apply to, in the order
// the rules come: the registry's enterprises are read once for every
// enterprise rule.
func (s *Service) passesOf(rules []string) []pass {
	var out []pass
	for _, rule := range rules {
		kind, _ := s.engine.RuleSubject(rule)
		i := slices.IndexFunc(out, func(p pass) bool { return p.kind == kind })
		if i < 0 {
			out = append(out, pass{kind: kind})
			i = len(out) - 1
		}
		out[i].rules = append(out[i].rules, rule)
	}
	return out
}

// runBatch is a batch of subjects to screen with rules, and then what
// evaluating it found due: the candidates and, for a forecast, the
// candidates under the reform.
type runBatch struct {
	rules    []string
	subjects []models.Subject
	cands    []models.PayoutCandidate
	reform   []models.PayoutCandidate
}

// screen records what a payout run finds due (see pipeline).
func (s *Service) screen(ctx context.Context, actor models.Actor, run models.PayoutRun, progress *runProgress) (RunResult, error) {
	result := RunResult{ID: run.ID, Run: run, Created: []models.Payout{}, Skipped: []SkippedSubject{}}
	evaluate := func(bt *runBatch) error {
		for _, subj := range bt.subjects {
			for _, rule := range bt.rules {
				progress.screened.Add(1)
				cands, skip, err := s.candidates(rule, run.AsOf, nil, subj, true)
				if err != nil {
					return fmt.Errorf("rule %s: %w", rule, err)
				}
				if skip != nil {
					result.Skipped = append(result.Skipped, *skip)
				}
				bt.cands = append(bt.cands, cands...)
			}
		}
		return nil
	}
	record := func(bt runBatch) error {
		// The caller's context, not the pipeline's: a batch evaluated
		// before another stage failed is still recorded.
		created, err := s.store.RecordPayouts(ctx, actor, run.ID, bt.cands)
		if err != nil {
			return fmt.Errorf("rules %s: %w", strings.Join(bt.rules, ", "), err)
		}
		for _, p := range created {
			progress.createdCount.Add(1)
			progress.createdFen.Add(p.Amount.Fen())
		}
		result.Created = append(result.Created, created...)
		return nil
	}
	if err := s.pipeline(ctx, s.passesOf(run.Rules), run.GrantYear, evaluate, record); err != nil {
		return RunResult{}, err
	}
	result.Run = progress.apply(result.Run)
	return result, nil
}

// pipeline runs the registry through three stages that work on different
// batches at once: reading a batch's facts (the store), evaluating it
// (evaluate, the engine) and taking what is due (take: the store records
// it, or a forecast reads what is recorded). Each stage takes the batches
// in order, so payouts are recorded in the order a one-stage loop would
// record them; reading batch k+2 while batch k is recorded sees the same
// facts, as the batches hold different subjects. With two cores the stages
// overlap and a run takes markedly less time than one stage would
// (BenchmarkScreening in BENCHMARKS.md). A batch in which evaluate found
// nothing due skips the third stage.
//
// A failing stage stops the stages before it; the ones after it finish the
// batches they were handed, so that, as in a one-stage loop, what was
// evaluated before the failure is taken.
func (s *Service) pipeline(ctx context.Context, passes []pass, grantYear int, evaluate func(*runBatch) error, take func(runBatch) error) error {
	g, readCtx := errgroup.WithContext(ctx)
	read := make(chan runBatch, 1)
	evaluated := make(chan runBatch, 1)
	takingStopped := make(chan struct{})

	g.Go(func() error {
		defer close(read)
		return s.readRegistry(readCtx, passes, grantYear, read)
	})
	g.Go(func() error {
		defer close(evaluated)
		for bt := range read {
			if err := evaluate(&bt); err != nil {
				return err
			}
			if len(bt.cands) == 0 && len(bt.reform) == 0 {
				continue
			}
			bt.subjects = nil
			select {
			case evaluated <- bt:
			case <-takingStopped:
				return nil // the third stage failed and said so
			}
		}
		return nil
	})
	g.Go(func() error {
		defer close(takingStopped)
		for bt := range evaluated {
			if err := take(bt); err != nil {
				return err
			}
		}
		return nil
	})
	return g.Wait()
}

// readRegistry sends every registered subject, pass by pass, batch by
// batch, to out, until ctx is done; universities get grantYear.
func (s *Service) readRegistry(ctx context.Context, passes []pass, grantYear int, out chan<- runBatch) error {
	for _, p := range passes {
		send := func(subjects []models.Subject) error {
			select {
			case out <- runBatch{rules: p.rules, subjects: subjects}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		var err error
		if p.kind == models.KindEnterprise {
			err = s.store.ScreenEnterprises(ctx, screenBatch, func(batch []models.Enterprise) error {
				subjects := make([]models.Subject, len(batch))
				for i := range batch {
					subjects[i] = models.Subject{Enterprise: &batch[i]}
				}
				return send(subjects)
			})
		} else {
			err = s.store.ScreenUniversities(ctx, screenBatch, func(batch []models.University) error {
				subjects := make([]models.Subject, len(batch))
				for i := range batch {
					batch[i].GrantYear = grantYear
					subjects[i] = models.Subject{University: &batch[i]}
				}
				return send(subjects)
			})
		}
		if err != nil {
			return fmt.Errorf("rules %s: %w", strings.Join(p.rules, ", "), err)
		}
	}
	return nil
}

// candidates evaluates one subject under one rule (with overrides, if
// any) and returns a candidate per payout item due, with the decision
// behind it when withDecision says so (a run records it; a forecast does
// not need it). A subject whose registered facts the rules refuse is
// skipped and reported; any other failure stops the screening.
func (s *Service) candidates(rule string, asOf models.Date, overrides *engine.Overrides, subj models.Subject, withDecision bool) ([]models.PayoutCandidate, *SkippedSubject, error) {
	resp, err := s.engine.EvaluateUnder(models.EvaluateRequest{AsOf: asOf, Rules: []string{rule}, Subject: subj}, overrides, models.LangZh)
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
	base := models.PayoutCandidate{
		Rule: rule, Subject: subj.Code(), RulesetVersion: resp.Ruleset.Version, RulesetDigest: resp.Ruleset.Digest,
	}
	if withDecision {
		base.Decision, err = json.Marshal(decision{
			AsOf: asOf, Ruleset: resp.Ruleset, Rule: rule, Subject: subj, Eligible: res.Eligible,
			Amount: res.Amount, Conditions: res.Conditions, Payout: res.Payout,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("record decision for %s: %w", subj.Code(), err)
		}
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
	subject, err := ownSubject(actor, f.Subject)
	if err != nil {
		return nil, err
	}
	f.Subject = subject
	list, err := s.store.ListPayouts(ctx, f)
	for i := range list {
		list[i] = payoutFor(actor, list[i])
	}
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
	return payoutFor(actor, p), nil
}

// Approve, Reject and MarkPaid move a payout along pending → approved →
// paid, or pending → rejected; any other transition is a conflict. Unless
// the service runs without four eyes, the key that started a payout's run
// may not approve or reject it, nor the key that approved it mark it paid
// (审核与经办分离, for every role); an approval must fit its payer's budget.
func (s *Service) Approve(ctx context.Context, actor models.Actor, id int64) (models.Payout, error) {
	return s.store.TransitionPayout(ctx, actor, models.PayoutTransition{ID: id, To: models.PayoutApproved, FourEyes: s.fourEyes})
}

// Reject refuses a pending payout, for a reason that is recorded.
func (s *Service) Reject(ctx context.Context, actor models.Actor, id int64, r models.ReasonEntry) (models.Payout, error) {
	return s.store.TransitionPayout(ctx, actor, models.PayoutTransition{ID: id, To: models.PayoutRejected, Reason: strings.TrimSpace(r.Reason), FourEyes: s.fourEyes})
}

// MarkPaid records that an approved payout was transferred.
func (s *Service) MarkPaid(ctx context.Context, actor models.Actor, id int64) (models.Payout, error) {
	return s.store.TransitionPayout(ctx, actor, models.PayoutTransition{ID: id, To: models.PayoutPaid, FourEyes: s.fourEyes})
}

// TransferList is the bank transfer list of one payer's payouts (every
// payer's when payer is "") in one status, in id order, with each
// subject's payee account and the rule, level and status in words.
func (s *Service) TransferList(ctx context.Context, payer, status string) (export.Table, error) {
	// Every match at once (no limit): the table holds them all anyway.
	list, err := s.store.ListPayouts(ctx, models.PayoutFilter{Payer: payer, Status: status})
	if err != nil {
		return export.Table{}, err
	}
	codes := make([]string, len(list))
	for i, p := range list {
		codes[i] = p.Subject
	}
	payees, err := s.store.Payees(ctx, codes)
	if err != nil {
		return export.Table{}, err
	}
	words := map[string]string{}
	for _, id := range s.engine.RuleIDs() {
		if info, ok := s.engine.Rule(id, s.Today()); ok {
			words[id] = info.Title.Zh
		}
	}
	return export.TransferList(list, payees, words), nil
}
