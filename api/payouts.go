package api

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// screenBatch is how many subjects a payout run reads, evaluates and
// records at a time: the registry is streamed, never loaded whole.
const screenBatch = 1000

type payoutRunBody struct {
	AsOf      models.Date `json:"as_of,omitempty"`
	Rules     []string    `json:"rules,omitempty" validate:"max=10"`
	GrantYear int         `json:"grant_year,omitempty" validate:"omitempty,year"`
}

// runAnswer is the answer of POST /v1/payout-runs.
type runAnswer struct {
	ID      int64            `json:"id"`
	Run     models.PayoutRun `json:"run"`
	Created []models.Payout  `json:"created"`
	Skipped []skippedSubject `json:"skipped"`
}

// skippedSubject is a registered subject whose facts the rules refused.
type skippedSubject struct {
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

// createPayoutRun answers POST /v1/payout-runs: screen every registered
// subject with the grant rules (免申即享) and record what is due and not yet
// recorded. The database guarantees each amount is recorded once, however
// many runs go at once.
func (s *Server) createPayoutRun(c echo.Context) error {
	var b payoutRunBody
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	if b.AsOf.IsZero() {
		b.AsOf = s.today()
	}
	if b.GrantYear == 0 {
		b.GrantYear = b.AsOf.Year()
	}
	grants := s.engine.PayoutRules()
	if len(b.Rules) == 0 {
		b.Rules = grants
	}
	var fields []models.FieldError
	if b.AsOf.After(s.today()) {
		// A run records payouts to be paid: it speaks for today or the past.
		fields = append(fields, models.Field("as_of", "not_future"))
	}
	for i, id := range b.Rules {
		switch {
		case !slices.Contains(grants, id):
			fields = append(fields, models.Field(fmt.Sprintf("rules[%d]", i), "oneof", strings.Join(grants, ", ")))
		case slices.Contains(b.Rules[:i], id):
			fields = append(fields, models.Field(fmt.Sprintf("rules[%d]", i), "duplicate", id))
		}
	}
	if len(fields) > 0 {
		return models.InvalidInput(fields...)
	}
	answer, err := s.runPayouts(c.Request().Context(), actorOf(c), b)
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, answer)
}

// runBatch is a batch of subjects to screen with a rule, and then the
// candidates found due among them.
type runBatch struct {
	rule     string
	subjects []models.Subject
	cands    []models.PayoutCandidate
}

// runPayouts screens the registry rule by rule, batch by batch, in three
// stages that work on different batches at once: reading a batch's facts
// (the store), evaluating it (the engine) and recording what is due (the
// store). Each stage takes the batches in order, one at a time, so the
// payouts are recorded in the order a one-stage loop would record them and
// the answer lists them in id order; reading batch k+2 while batch k is
// recorded sees the same facts, as the batches hold different subjects.
// Screening a city's registry is about as much reading as evaluating and
// recording, so with two cores or more the stages overlap and a run takes
// markedly less time than one stage would (BenchmarkScreening). Only a few
// batches are in memory at once.
//
// A failing stage stops the stages before it; the ones after it finish the
// batches they were handed, so that, as in a one-stage loop, what was
// evaluated before the failure is recorded.
func (s *Server) runPayouts(ctx context.Context, actor models.Actor, b payoutRunBody) (runAnswer, error) {
	ruleset := s.engine.Ruleset()
	run, err := s.store.CreateRun(ctx, actor, models.PayoutRun{
		AsOf: b.AsOf, Rules: b.Rules, GrantYear: b.GrantYear,
		RulesetVersion: ruleset.Version, RulesetDigest: ruleset.Digest, KeyID: actor.KeyID,
	})
	if err != nil {
		return runAnswer{}, err
	}

	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	read := make(chan runBatch, 1)
	evaluated := make(chan runBatch, 1)

	// Stage 1: read the registry, rule by rule.
	var readErr error
	go func() {
		defer close(read)
		readErr = recovered(func() error { return s.readRegistry(readCtx, b, read) })
	}()

	// Stage 2: evaluate each subject; after a failure, drain.
	var evalErr error
	var screened int
	skipped := []skippedSubject{}
	go func() {
		defer close(evaluated)
		for bt := range read {
			if evalErr != nil || readCtx.Err() != nil { // failed, or stopped by stage 3
				continue
			}
			evalErr = recovered(func() error {
				for _, subj := range bt.subjects {
					screened++
					cs, skip, err := s.candidates(bt.rule, b.AsOf, subj)
					if err != nil {
						return fmt.Errorf("rule %s: %w", bt.rule, err)
					}
					if skip != nil {
						skipped = append(skipped, *skip)
					}
					bt.cands = append(bt.cands, cs...)
				}
				return nil
			})
			if evalErr != nil {
				stopReading()
				continue
			}
			if len(bt.cands) > 0 {
				bt.subjects = nil
				evaluated <- bt
			}
		}
	}()

	// Should stage 3 panic, the stages before it must not stay blocked.
	defer func() {
		stopReading()
		for range evaluated {
		}
	}()

	// Stage 3, here: record what is due; after a failure, drain.
	answer := runAnswer{ID: run.ID, Created: []models.Payout{}}
	var recErr error
	for bt := range evaluated {
		if recErr != nil {
			continue
		}
		created, err := s.store.RecordPayouts(ctx, actor, run.ID, bt.cands)
		if err != nil {
			recErr = fmt.Errorf("rule %s: %w", bt.rule, err)
			stopReading()
			continue
		}
		for _, p := range created {
			run.CreatedCount++
			run.CreatedTotal = run.CreatedTotal.Add(p.Amount)
		}
		answer.Created = append(answer.Created, created...)
	}
	// evaluated is closed: stage 2 is done, and so is stage 1 (read was
	// closed before stage 2 ended), so their variables are ours now.
	if err := cmp.Or(recErr, evalErr, readErr); err != nil {
		return runAnswer{}, fmt.Errorf("payout run %d: %w", run.ID, err)
	}
	run.Screened, answer.Skipped = screened, skipped
	if run, err = s.store.FinishRun(ctx, run); err != nil {
		return runAnswer{}, err
	}
	answer.Run = run
	return answer, nil
}

// readRegistry sends every registered subject, rule by rule, batch by
// batch, to out, until ctx is done.
func (s *Server) readRegistry(ctx context.Context, b payoutRunBody, out chan<- runBatch) error {
	send := func(rule string, subjects []models.Subject) error {
		select {
		case out <- runBatch{rule: rule, subjects: subjects}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, rule := range b.Rules {
		var err error
		kind, _ := s.engine.RuleSubject(rule)
		if kind == models.KindEnterprise {
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
					batch[i].GrantYear = b.GrantYear
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

// recovered runs fn, turning a panic into an error: fn runs on a goroutine
// of its own, out of reach of the recovering middleware.
func recovered(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &models.Error{Code: models.CodeInternal, Err: fmt.Errorf("panic: %v\n%s", r, debug.Stack())}
		}
	}()
	return fn()
}

// candidates evaluates one subject under one rule and returns a candidate
// per payout item due. A subject whose registered facts the rules refuse is
// skipped and reported; any other failure stops the run.
func (s *Server) candidates(rule string, asOf models.Date, subj models.Subject) ([]models.PayoutCandidate, *skippedSubject, error) {
	resp, err := s.engine.Evaluate(models.EvaluateRequest{AsOf: asOf, Rules: []string{rule}, Subject: subj}, models.LangZh)
	if models.CodeOf(err) == models.CodeInvalid {
		return nil, &skippedSubject{Subject: subj.Code(), Rule: rule, Reason: err.Error()}, nil
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

// payerOf names the finance bureau that pays: the region's for a local
// grant, the city's otherwise.
func payerOf(payer, region string) models.Payer {
	if payer == models.PayerLocal {
		return models.LocalFinanceBureau(region)
	}
	return models.CityFinanceBureau
}

// getPayoutRun answers GET /v1/payout-runs/{id}.
func (s *Server) getPayoutRun(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	run, err := s.store.GetRun(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, run)
}

// payoutFilter reads the filters of GET /v1/payouts; a subject key sees only
// its own payouts.
func payoutFilter(c echo.Context) (models.PayoutFilter, error) {
	limit, err := limitParam(c)
	if err != nil {
		return models.PayoutFilter{}, err
	}
	after, err := afterParam(c)
	if err != nil {
		return models.PayoutFilter{}, err
	}
	f := models.PayoutFilter{
		Rule: c.QueryParam("rule"), Status: c.QueryParam("status"), Subject: c.QueryParam("subject"),
		Payer: c.QueryParam("payer"), AfterID: after, Limit: limit,
	}
	if f.Status != "" && !slices.Contains(models.PayoutStatuses, f.Status) {
		return f, models.InvalidInput(models.Field("status", "oneof", strings.Join(models.PayoutStatuses, ", ")))
	}
	if text := c.QueryParam("run"); text != "" {
		if f.RunID, err = strconv.ParseInt(text, 10, 64); err != nil || f.RunID <= 0 {
			return f, models.InvalidInput(models.Field("run", "positive"))
		}
	}
	if a := actorOf(c); a.Role == models.RoleEnterprise || a.Role == models.RoleUniversity {
		if f.Subject != "" && f.Subject != a.Subject {
			return f, models.NotFound("subject " + f.Subject)
		}
		f.Subject = a.Subject
	}
	return f, nil
}

func afterParam(c echo.Context) (int64, error) {
	text := c.QueryParam("after")
	if text == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n < 0 {
		return 0, models.InvalidInput(models.Field("after", "non_negative"))
	}
	return n, nil
}

// listPayouts answers GET /v1/payouts?rule=&status=&subject=&payer=&run=&after=&limit=.
func (s *Server) listPayouts(c echo.Context) error {
	f, err := payoutFilter(c)
	if err != nil {
		return err
	}
	list, err := s.store.ListPayouts(c.Request().Context(), f)
	if err != nil {
		return err
	}
	var next int64
	if len(list) == f.Limit {
		next = list[len(list)-1].ID
	}
	return respond(c, http.StatusOK, map[string]any{"payouts": nonNil(list), "next_after": next})
}

// getPayout answers GET /v1/payouts/{id}, with the decision behind it.
func (s *Server) getPayout(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p, err := s.store.GetPayout(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := ownSubject(c, p.Subject, fmt.Sprintf("payout %d", id)); err != nil {
		return err
	}
	// A subject key sees the payouts of its own kind of subject only.
	if role := actorOf(c).Role; role == models.RoleEnterprise || role == models.RoleUniversity {
		if kind, _ := s.engine.RuleSubject(p.Rule); kind != role {
			return models.NotFound(fmt.Sprintf("payout %d", id))
		}
	}
	return respond(c, http.StatusOK, p)
}

type rejectBody struct {
	Reason string `json:"reason" validate:"required,max=500"`
}

// transition returns the handler of POST /v1/payouts/{id}/approve|reject|paid.
func (s *Server) transition(to string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		body, err := s.readBody(c)
		if err != nil {
			return err
		}
		reason := ""
		if to == models.PayoutRejected {
			var b rejectBody
			if err := s.decoder.Body(body, &b); err != nil {
				return err
			}
			reason = strings.TrimSpace(b.Reason)
			if reason == "" {
				return models.InvalidInput(models.Field("reason", "required"))
			}
		} else if len(bytes.TrimSpace(body)) > 0 {
			var empty struct{}
			if err := s.decoder.Body(body, &empty); err != nil {
				return err
			}
		}
		p, err := s.store.TransitionPayout(c.Request().Context(), actorOf(c), id, to, reason)
		if err != nil {
			return err
		}
		return respond(c, http.StatusOK, p)
	}
}

// exportPayouts answers GET /v1/payouts/export?payer=CODE&status=approved:
// the bank transfer list of one payer as CSV (UTF-8 with a byte-order mark,
// so that spreadsheet programs read the Chinese names).
func (s *Server) exportPayouts(c echo.Context) error {
	payer := c.QueryParam("payer")
	if len(payer) != 6 || strings.Trim(payer, "0123456789") != "" {
		return models.InvalidInput(models.Field("payer", "region"))
	}
	status := c.QueryParam("status")
	if status == "" {
		status = models.PayoutApproved
	}
	if !slices.Contains(models.PayoutStatuses, status) {
		return models.InvalidInput(models.Field("status", "oneof", strings.Join(models.PayoutStatuses, ", ")))
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"付款编号", "付款单位代码", "付款单位", "收款单位代码", "收款单位名称", "金额（元）", "项目", "认定等级", "补助年度", "状态", "规则集版本", "规则集摘要"})
	f := models.PayoutFilter{Payer: payer, Status: status, Limit: 1000}
	for {
		page, err := s.store.ListPayouts(c.Request().Context(), f)
		if err != nil {
			return err
		}
		for _, p := range page {
			year := ""
			if p.GrantYear != 0 {
				year = strconv.Itoa(p.GrantYear)
			}
			_ = w.Write([]string{strconv.FormatInt(p.ID, 10), p.Payer.Code, p.Payer.Name, p.Subject, spreadsheetSafe(p.SubjectName),
				p.Amount.String(), p.Rule, p.Level, year, p.Status, p.RulesetVersion, p.RulesetDigest})
		}
		if len(page) < f.Limit {
			break
		}
		f.AfterID = page[len(page)-1].ID
	}
	w.Flush()
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="payouts-%s-%s.csv"`, payer, status))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// spreadsheetSafe keeps a name from being read as a formula by the
// spreadsheet that opens the transfer list: names come from imported lists.
func spreadsheetSafe(text string) string {
	if text != "" && strings.ContainsRune("=+-@\t\r", rune(text[0])) {
		return "'" + text
	}
	return text
}
