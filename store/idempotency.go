package store

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Idempotency records are not part of the audit trail: they are the
// server's memory of answers, not changes to the service's records.

const (
	idemInProgress = "in_progress"
	idemDone       = "done"
)

type idemRow struct {
	KeyID       string `gorm:"primaryKey"`
	IdemKey     string `gorm:"primaryKey"`
	Fingerprint string
	// Token is the reserving request's own: a retry of its INSERT, whose
	// first try may have gone through, tells its reservation by it.
	Token       string
	State       string
	Status      int
	ContentType string
	Headers     jsonText // the answer's other headers, an http.Header
	Body        []byte
	CreatedAt   time.Time
}

// header is the stored answer's headers: Content-Type and the others.
func (r idemRow) header() (http.Header, error) {
	h := http.Header{}
	if len(r.Headers) > 0 {
		if err := json.Unmarshal(r.Headers, &h); err != nil {
			return nil, fmt.Errorf("read the headers of idempotent answer %s: %w", r.IdemKey, err)
		}
	}
	h.Set("Content-Type", r.ContentType)
	return h, nil
}

func (idemRow) TableName() string { return "idempotency_keys" }

var (
	idemReused = models.Conflict(
		"该 Idempotency-Key 已用于另一个不同的请求",
		"this Idempotency-Key was already used for a different request")
	idemBusy = models.Conflict(
		"使用该 Idempotency-Key 的请求仍在处理中，请稍后重试",
		"a request with this Idempotency-Key is still being processed; retry later")
)

// abandonedAfter is how long a reservation may stay unanswered before a
// retry of the same request takes it over: its process died (no request
// is served for longer; a payout run keeps its key while it runs, and its
// key is released when the run is found interrupted).
const abandonedAfter = 5 * time.Minute

// BeginIdempotent reserves (keyID, idemKey) for a request with the given
// fingerprint and returns status 0, or returns the stored answer of the
// same request (its status, headers and body); a pair still reserved, or
// used for another request, is a Conflict. The reservation is a single
// INSERT … ON CONFLICT DO NOTHING, so of concurrent identical requests
// exactly one goes ahead; it is tried once more when the connection is
// lost (reserve). A reservation of the same request left unanswered for
// abandonedAfter, and held by no running payout run, is taken over by one
// conditional UPDATE.
func (s *Store) BeginIdempotent(ctx context.Context, keyID, idemKey, fingerprint string) (status int, header http.Header, body []byte, err error) {
	m := meaning{op: "begin idempotent request " + idemKey}
	token := rand.Text()
	// A pair released between our insert and our read is tried again.
	for range 3 {
		row := idemRow{KeyID: keyID, IdemKey: idemKey, Fingerprint: fingerprint, Token: token, State: idemInProgress, CreatedAt: s.now()}
		reserved, err := s.reserve(ctx, &row)
		if err != nil {
			return 0, nil, nil, translate(err, m)
		}
		if reserved {
			return 0, nil, nil, nil
		}
		var cur idemRow
		var found bool
		err = s.read(ctx, func(db *gorm.DB) error {
			res := db.Where("key_id = ? AND idem_key = ?", keyID, idemKey).Limit(1).Find(&cur)
			found = res.RowsAffected > 0
			return res.Error
		})
		if err != nil {
			return 0, nil, nil, translate(err, m)
		}
		switch {
		case !found:
			continue
		case cur.Token == token && cur.State == idemInProgress:
			return 0, nil, nil, nil // ours: the INSERT went through, its answer was lost
		case cur.Fingerprint != fingerprint:
			return 0, nil, nil, idemReused
		case cur.State == idemDone:
			h, err := cur.header()
			if err != nil {
				return 0, nil, nil, err
			}
			return cur.Status, h, cur.Body, nil
		}
		took, err := s.takeOver(ctx, keyID, idemKey, token)
		if err != nil {
			return 0, nil, nil, translate(err, m)
		}
		if took {
			return 0, nil, nil, nil
		}
		return 0, nil, nil, idemBusy
	}
	return 0, nil, nil, idemBusy
}

// reserve inserts row unless its pair is there, reporting whether it did.
// The INSERT is one statement, its own COMMIT: when the connection is lost,
// whether it went through is unknown. Yet it runs once more on a new
// connection, as a read does, since a reservation that went through is told
// by its token: a restart of the database does not fail the request.
func (s *Store) reserve(ctx context.Context, row *idemRow) (bool, error) {
	insert := func() (reserved bool, err error) {
		err = s.write(ctx, func() error {
			reserved, err = insertNew(s.db.WithContext(ctx), row)
			return err
		})
		return reserved, err
	}
	reserved, err := insert()
	if err == nil || ctx.Err() != nil || classify(err) != failConnection {
		return reserved, err
	}
	s.reconnect(ctx, err)
	return insert()
}

// takeOver reserves anew, with token, an abandoned reservation, reporting
// whether it did.
func (s *Store) takeOver(ctx context.Context, keyID, idemKey, token string) (bool, error) {
	var took bool
	err := s.write(ctx, func() error {
		res := s.db.WithContext(ctx).Model(&idemRow{}).
			Where("key_id = ? AND idem_key = ? AND state = ? AND created_at < ?", keyID, idemKey, idemInProgress, s.now().Add(-abandonedAfter)).
			Where("NOT EXISTS (SELECT 1 FROM payout_runs WHERE payout_runs.idem_key_id = ? AND payout_runs.idem_key = ? AND payout_runs.status = ?)", keyID, idemKey, models.RunRunning).
			Updates(map[string]any{"created_at": s.now(), "token": token})
		took = res.RowsAffected == 1
		return res.Error
	})
	return took, err
}

// FinishIdempotent stores the answer of a reserved pair, its status,
// headers (Content-Type and those a replay repeats) and body: NotFound when
// it is not reserved, a Conflict when it was answered already.
func (s *Store) FinishIdempotent(ctx context.Context, keyID, idemKey string, status int, header http.Header, body []byte) error {
	db := s.db.WithContext(ctx)
	m := meaning{op: "finish idempotent request " + idemKey, notFound: models.NotFound("Idempotency-Key %s 的预留", "reservation of Idempotency-Key %s", idemKey)}
	if body == nil {
		body = []byte{}
	}
	others := header.Clone()
	others.Del("Content-Type")
	var headers jsonText
	if len(others) > 0 {
		var err error
		if headers, err = json.Marshal(others); err != nil {
			return fmt.Errorf("%s: %w", m.op, err)
		}
	}
	var finished int64
	err := s.write(ctx, func() error {
		res := db.Model(&idemRow{}).
			Where("key_id = ? AND idem_key = ? AND state = ?", keyID, idemKey, idemInProgress).
			Updates(map[string]any{"state": idemDone, "status": status, "content_type": header.Get("Content-Type"), "headers": headers, "body": body})
		finished = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return translate(err, m)
	}
	if finished == 1 {
		return nil
	}
	var cur idemRow
	if err := s.read(ctx, func(db *gorm.DB) error {
		return db.Where("key_id = ? AND idem_key = ?", keyID, idemKey).Take(&cur).Error
	}); err != nil {
		return translate(err, m)
	}
	return models.Conflict("该 Idempotency-Key 的请求已有应答", "the request with this Idempotency-Key was already answered")
}

// AbortIdempotent releases a reserved, unanswered pair so that a retry can
// run. A pair that is answered, or not there, is left alone.
func (s *Store) AbortIdempotent(ctx context.Context, keyID, idemKey string) error {
	err := s.write(ctx, func() error {
		return s.db.WithContext(ctx).
			Where("key_id = ? AND idem_key = ? AND state = ?", keyID, idemKey, idemInProgress).
			Delete(&idemRow{}).Error
	})
	return translate(err, meaning{op: "abort idempotent request " + idemKey})
}
