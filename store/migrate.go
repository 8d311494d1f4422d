package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// The schema is built by an ordered list of migrations, each applied once,
// in its own transaction, and recorded in schema_migrations. A migration is
// never edited once released: a change is a new migration at the end.
//
// Column types are written once for both databases with placeholders:
//
//	{{id}}    an auto-numbered primary key that never reuses a number
//	{{time}}  an instant (stored in UTC)
//	{{date}}  a civil date: TEXT 'YYYY-MM-DD' on SQLite, DATE on PostgreSQL
//	{{json}}  a JSON document: TEXT on SQLite, JSON on PostgreSQL (validated,
//	          kept byte for byte, unlike JSONB, so a decision reads back as
//	          it was written)
//	{{bytes}} raw bytes
//
// Money is always BIGINT fen, never a floating-point type.
type migration struct {
	version int
	name    string
	// sql holds the statements for both databases, each ending with ";" at
	// the end of a line. Where the databases differ, sql is empty and
	// sqlite and postgres hold each one's statements.
	sql, sqlite, postgres string
}

var migrations = []migration{
	{version: 1, name: "api keys and the audit trail", sql: `
CREATE TABLE api_keys (
	id          TEXT PRIMARY KEY,
	secret_hash TEXT NOT NULL UNIQUE,
	role        TEXT NOT NULL CHECK (role IN ('admin', 'finance', 'tax', 'enterprise', 'university')),
	subject     TEXT NOT NULL DEFAULT '',
	label       TEXT NOT NULL DEFAULT '',
	created_at  {{time}} NOT NULL,
	revoked_at  {{time}},
	-- a subject key (enterprise, university) names its subject; no other key does
	CHECK ((role IN ('enterprise', 'university')) = (subject <> ''))
);

CREATE TABLE audit_log (
	id          {{id}},
	at          {{time}} NOT NULL,
	key_id      TEXT NOT NULL DEFAULT '',
	role        TEXT NOT NULL DEFAULT '',
	request_id  TEXT NOT NULL DEFAULT '',
	action      TEXT NOT NULL,
	entity      TEXT NOT NULL,
	entity_id   TEXT NOT NULL,
	before_json {{json}},
	after_json  {{json}}
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);
CREATE INDEX audit_log_key ON audit_log (key_id, id);
`},
	{version: 2, name: "registry: enterprises, certifications, credit years, universities, donations", sql: `
CREATE TABLE enterprises (
	credit_code           TEXT PRIMARY KEY,
	name                  TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	region                TEXT NOT NULL,
	-- the group parent (集团企业), '' for none; it need not be registered
	parent_code           TEXT NOT NULL DEFAULT '',
	parent_ownership_pct  TEXT NOT NULL DEFAULT '',
	parent_actual_control BOOLEAN NOT NULL DEFAULT FALSE,
	credit_carry_in       BIGINT NOT NULL DEFAULT 0 CHECK (credit_carry_in >= 0),
	created_at            {{time}} NOT NULL,
	updated_at            {{time}} NOT NULL,
	CHECK (parent_code <> credit_code)
);
CREATE INDEX enterprises_region ON enterprises (region, credit_code);
CREATE INDEX enterprises_parent ON enterprises (parent_code, credit_code);

CREATE TABLE certifications (
	id           {{id}},
	credit_code  TEXT NOT NULL REFERENCES enterprises (credit_code),
	level        TEXT NOT NULL CHECK (level IN ('city', 'province', 'national')),
	certified_on {{date}} NOT NULL,
	revoked_on   {{date}},
	created_at   {{time}} NOT NULL,
	updated_at   {{time}} NOT NULL,
	-- one published certification is recorded once; imports count repeats as duplicates
	CONSTRAINT certifications_once UNIQUE (credit_code, level, certified_on),
	CHECK (revoked_on IS NULL OR revoked_on >= certified_on)
);

CREATE TABLE credit_years (
	credit_code               TEXT NOT NULL REFERENCES enterprises (credit_code),
	year                      INTEGER NOT NULL,
	investment                BIGINT NOT NULL CHECK (investment >= 0),
	fiscal_subsidy            BIGINT NOT NULL CHECK (fiscal_subsidy >= 0),
	withdrawn                 BIGINT NOT NULL CHECK (withdrawn >= 0),
	education_surcharge       BIGINT NOT NULL CHECK (education_surcharge >= 0),
	local_education_surcharge BIGINT NOT NULL CHECK (local_education_surcharge >= 0),
	updated_at                {{time}} NOT NULL,
	PRIMARY KEY (credit_code, year)
);

CREATE TABLE universities (
	code        TEXT PRIMARY KEY,
	name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	ownership   TEXT NOT NULL CHECK (ownership IN ('public', 'private')),
	affiliation TEXT NOT NULL CHECK (affiliation IN ('city', 'province', 'central', 'other')),
	created_at  {{time}} NOT NULL,
	updated_at  {{time}} NOT NULL
);

CREATE TABLE donations (
	id              {{id}},
	university_code TEXT NOT NULL REFERENCES universities (code),
	amount          BIGINT NOT NULL CHECK (amount >= 0),
	form            TEXT NOT NULL CHECK (form IN ('cash', 'in_kind', 'equity', 'other')),
	via_foundation  BOOLEAN NOT NULL,
	arrived_on      {{date}},
	created_at      {{time}} NOT NULL,
	updated_at      {{time}} NOT NULL
);
CREATE INDEX donations_university ON donations (university_code, id);
`},
	{version: 3, name: "payout runs and payouts", sql: `
CREATE TABLE payout_runs (
	id              {{id}},
	as_of           {{date}} NOT NULL,
	rules           {{json}} NOT NULL,
	grant_year      INTEGER NOT NULL DEFAULT 0,
	ruleset_version TEXT NOT NULL DEFAULT '',
	ruleset_digest  TEXT NOT NULL DEFAULT '',
	screened        INTEGER NOT NULL DEFAULT 0,
	created_count   INTEGER NOT NULL DEFAULT 0,
	created_total   BIGINT NOT NULL DEFAULT 0,
	-- who started the run, for the audit entry of FinishRun (which has no actor)
	key_id          TEXT NOT NULL DEFAULT '',
	key_role        TEXT NOT NULL DEFAULT '',
	request_id      TEXT NOT NULL DEFAULT '',
	started_at      {{time}} NOT NULL,
	finished_at     {{time}}
);

CREATE TABLE payouts (
	id              {{id}},
	run_id          BIGINT NOT NULL REFERENCES payout_runs (id),
	rule            TEXT NOT NULL,
	subject         TEXT NOT NULL,
	subject_name    TEXT NOT NULL DEFAULT '',
	level           TEXT NOT NULL DEFAULT '' CHECK (level IN ('', 'city', 'province', 'national')),
	grant_year      INTEGER NOT NULL DEFAULT 0,
	seq             INTEGER NOT NULL CHECK (seq >= 1),
	amount          BIGINT NOT NULL CHECK (amount > 0),
	status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'paid', 'rejected')),
	payer_code      TEXT NOT NULL,
	payer_name      TEXT NOT NULL,
	ruleset_version TEXT NOT NULL DEFAULT '',
	ruleset_digest  TEXT NOT NULL DEFAULT '',
	reason          TEXT NOT NULL DEFAULT '',
	decision        {{json}},
	created_at      {{time}} NOT NULL,
	approved_at     {{time}},
	paid_at         {{time}},
	rejected_at     {{time}},
	-- Two runs that both read "nothing recorded yet" both try seq = max + 1:
	-- one of them fails here and records nothing.
	CONSTRAINT payouts_key UNIQUE (rule, subject, level, grant_year, seq),
	CHECK (status <> 'rejected' OR reason <> '')
);
-- A certification grant is paid once per enterprise and level, ever, whatever
-- the grant year.
CREATE UNIQUE INDEX payouts_level_once ON payouts (rule, subject, level) WHERE level <> '';
CREATE INDEX payouts_subject ON payouts (subject, level);
CREATE INDEX payouts_status ON payouts (status, id);
CREATE INDEX payouts_run ON payouts (run_id, id);
`},
	{version: 4, name: "credit verifications", sql: `
CREATE TABLE credit_verifications (
	id              {{id}},
	credit_code     TEXT NOT NULL REFERENCES enterprises (credit_code),
	year            INTEGER NOT NULL,
	claimed_offset  BIGINT NOT NULL CHECK (claimed_offset >= 0),
	allowed_offset  BIGINT NOT NULL,
	difference      BIGINT NOT NULL,
	verdict         TEXT NOT NULL CHECK (verdict IN ('match', 'over_claimed', 'under_claimed')),
	ledger_row      {{json}} NOT NULL,
	as_of           {{date}},
	ruleset_version TEXT NOT NULL DEFAULT '',
	ruleset_digest  TEXT NOT NULL DEFAULT '',
	key_id          TEXT NOT NULL DEFAULT '',
	created_at      {{time}} NOT NULL
);
CREATE INDEX credit_verifications_code ON credit_verifications (credit_code, id);
`},
	{version: 5, name: "idempotency keys", sql: `
CREATE TABLE idempotency_keys (
	key_id       TEXT NOT NULL,
	idem_key     TEXT NOT NULL,
	fingerprint  TEXT NOT NULL,
	state        TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),
	status       INTEGER NOT NULL DEFAULT 0,
	content_type TEXT NOT NULL DEFAULT '',
	body         {{bytes}},
	created_at   {{time}} NOT NULL,
	PRIMARY KEY (key_id, idem_key)
);
`},
	// The store used to check these fields itself; the database is now the
	// last line behind the service's validation. PostgreSQL adds CHECKs;
	// SQLite cannot add a CHECK to a table without rebuilding it, so
	// triggers raise the same failure ("CHECK constraint failed: <name>").
	{version: 6, name: "checks of fields the store used to check", postgres: `
ALTER TABLE enterprises ADD CONSTRAINT enterprises_credit_code_set CHECK (credit_code <> '');
-- a share or actual control belongs to a parent; without its code they would be lost
ALTER TABLE enterprises ADD CONSTRAINT enterprises_parent_set CHECK (parent_code <> '' OR (parent_ownership_pct = '' AND NOT parent_actual_control));
ALTER TABLE credit_years ADD CONSTRAINT credit_years_year CHECK (year > 0);
ALTER TABLE universities ADD CONSTRAINT universities_code_set CHECK (code <> '');
ALTER TABLE api_keys ADD CONSTRAINT api_keys_secret_hash_set CHECK (secret_hash <> '');
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_idem_key_set CHECK (idem_key <> '');
`, sqlite: `
CREATE TRIGGER enterprises_credit_code_set_insert BEFORE INSERT ON enterprises WHEN NOT (NEW.credit_code <> '')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: enterprises_credit_code_set'); END;
CREATE TRIGGER enterprises_credit_code_set_update BEFORE UPDATE ON enterprises WHEN NOT (NEW.credit_code <> '')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: enterprises_credit_code_set'); END;
CREATE TRIGGER enterprises_parent_set_insert BEFORE INSERT ON enterprises WHEN NOT (NEW.parent_code <> '' OR (NEW.parent_ownership_pct = '' AND NOT NEW.parent_actual_control))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: enterprises_parent_set'); END;
CREATE TRIGGER enterprises_parent_set_update BEFORE UPDATE ON enterprises WHEN NOT (NEW.parent_code <> '' OR (NEW.parent_ownership_pct = '' AND NOT NEW.parent_actual_control))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: enterprises_parent_set'); END;
CREATE TRIGGER credit_years_year_insert BEFORE INSERT ON credit_years WHEN NOT (NEW.year > 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: credit_years_year'); END;
CREATE TRIGGER credit_years_year_update BEFORE UPDATE ON credit_years WHEN NOT (NEW.year > 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: credit_years_year'); END;
CREATE TRIGGER universities_code_set_insert BEFORE INSERT ON universities WHEN NOT (NEW.code <> '')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: universities_code_set'); END;
CREATE TRIGGER universities_code_set_update BEFORE UPDATE ON universities WHEN NOT (NEW.code <> '')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: universities_code_set'); END;
CREATE TRIGGER api_keys_secret_hash_set_insert BEFORE INSERT ON api_keys WHEN NOT (NEW.secret_hash <> '')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: api_keys_secret_hash_set'); END;
CREATE TRIGGER api_keys_secret_hash_set_update BEFORE UPDATE ON api_keys WHEN NOT (NEW.secret_hash <> '')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: api_keys_secret_hash_set'); END;
CREATE TRIGGER idempotency_keys_idem_key_set_insert BEFORE INSERT ON idempotency_keys WHEN NOT (NEW.idem_key <> '')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: idempotency_keys_idem_key_set'); END;
CREATE TRIGGER idempotency_keys_idem_key_set_update BEFORE UPDATE ON idempotency_keys WHEN NOT (NEW.idem_key <> '')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: idempotency_keys_idem_key_set'); END;
`},
	{version: 7, name: "payout runs as jobs: status, progress, heartbeat, Idempotency-Key", sql: `
ALTER TABLE payout_runs ADD COLUMN status TEXT NOT NULL DEFAULT 'completed' CHECK (status IN ('running', 'completed', 'interrupted', 'failed'));
ALTER TABLE payout_runs ADD COLUMN total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payout_runs ADD COLUMN heartbeat_at {{time}};
ALTER TABLE payout_runs ADD COLUMN idem_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE payout_runs ADD COLUMN idem_key TEXT NOT NULL DEFAULT '';
-- the node (host and address) whose process runs it: a node that starts knows its
-- own earlier runs are not running any more
ALTER TABLE payout_runs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
-- Runs of an older version that never finished were cut off with their process.
UPDATE payout_runs SET status = 'interrupted' WHERE finished_at IS NULL;
CREATE INDEX payout_runs_running ON payout_runs (status, heartbeat_at);
`},
	{version: 8, name: "applications (申报): facts and evidence subjects bring, reviewed by finance", sql: `
CREATE TABLE applications (
	id              {{id}},
	subject         TEXT NOT NULL CHECK (subject <> ''),
	subject_kind    TEXT NOT NULL CHECK (subject_kind IN ('enterprise', 'university')),
	rule            TEXT NOT NULL CHECK (rule IN ('cert-grant', 'donation-match')),
	-- 0 for cert-grant, applied for once per subject whatever the year
	grant_year      INTEGER NOT NULL DEFAULT 0,
	status          TEXT NOT NULL CHECK (status IN ('submitted', 'returned', 'accepted', 'rejected')),
	version         INTEGER NOT NULL CHECK (version >= 1),
	-- the certifications or donations claimed, with their certificate and receipt numbers
	facts           {{json}} NOT NULL,
	evaluation      {{json}} NOT NULL,
	ruleset_version TEXT NOT NULL DEFAULT '',
	ruleset_digest  TEXT NOT NULL DEFAULT '',
	reason          TEXT NOT NULL DEFAULT '',
	-- the key that submitted it first
	key_id          TEXT NOT NULL,
	key_role        TEXT NOT NULL,
	created_at      {{time}} NOT NULL,
	updated_at      {{time}} NOT NULL,
	CHECK ((rule = 'cert-grant') = (grant_year = 0)),
	CHECK (status NOT IN ('returned', 'rejected') OR reason <> '')
);
-- One open application (submitted or returned) per subject, rule and grant
-- year: two submitted at once cannot both be recorded.
CREATE UNIQUE INDEX applications_open ON applications (subject, rule, grant_year) WHERE status IN ('submitted', 'returned');
CREATE INDEX applications_status ON applications (status, id);
CREATE INDEX applications_subject ON applications (subject, id);

-- Every status an application took: who (key, role), when, why.
CREATE TABLE application_events (
	id             {{id}},
	application_id BIGINT NOT NULL REFERENCES applications (id),
	status         TEXT NOT NULL CHECK (status IN ('submitted', 'returned', 'accepted', 'rejected')),
	version        INTEGER NOT NULL,
	key_id         TEXT NOT NULL,
	role           TEXT NOT NULL,
	reason         TEXT NOT NULL DEFAULT '',
	at             {{time}} NOT NULL
);
CREATE INDEX application_events_application ON application_events (application_id, id);

-- Evidence (证明材料), numbered from 1 within its application.
CREATE TABLE application_attachments (
	application_id BIGINT NOT NULL REFERENCES applications (id),
	n              INTEGER NOT NULL CHECK (n >= 1),
	name           TEXT NOT NULL DEFAULT '',
	content_type   TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
	size           BIGINT NOT NULL CHECK (size BETWEEN 1 AND 5242880),
	sha256         TEXT NOT NULL,
	data           {{bytes}} NOT NULL,
	key_id         TEXT NOT NULL,
	created_at     {{time}} NOT NULL,
	PRIMARY KEY (application_id, n)
);

-- The facts an accepted application brought into the registry, linked to it.
ALTER TABLE certifications ADD COLUMN certificate_no TEXT NOT NULL DEFAULT '';
ALTER TABLE certifications ADD COLUMN application_id BIGINT REFERENCES applications (id);
ALTER TABLE donations ADD COLUMN receipt_no TEXT NOT NULL DEFAULT '';
ALTER TABLE donations ADD COLUMN application_id BIGINT REFERENCES applications (id);
-- A donation receipt (捐赠票据) is recorded once per university.
CREATE UNIQUE INDEX donations_receipt_once ON donations (university_code, receipt_no) WHERE receipt_no <> '';
CREATE INDEX certifications_application ON certifications (application_id) WHERE application_id IS NOT NULL;
CREATE INDEX donations_application ON donations (application_id) WHERE application_id IS NOT NULL;
`},
	{version: 9, name: "the finance bureau's records: budgets, approvers, payee accounts", sql: `
-- 预算指标: a payer's appropriation for a grant year. Approvals lock the row
-- while they check what is committed against it.
CREATE TABLE budgets (
	payer_code TEXT NOT NULL CHECK (length(payer_code) = 6),
	year       INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
	amount     BIGINT NOT NULL CHECK (amount >= 0),
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	PRIMARY KEY (payer_code, year)
);
-- what a payer has committed: its approved and paid payouts
CREATE INDEX payouts_payer ON payouts (payer_code, status, run_id);
-- the key that approved a payout (审核人), which may not also mark it paid
ALTER TABLE payouts ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';
-- 收款人: 户名, 账号, 开户行, all three or none
ALTER TABLE enterprises ADD COLUMN payee_account_name TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN payee_bank_name TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN payee_account_no TEXT NOT NULL DEFAULT ''
	CONSTRAINT enterprises_payee_whole CHECK ((payee_account_no = '') = (payee_account_name = '') AND (payee_account_no = '') = (payee_bank_name = ''))
	CONSTRAINT enterprises_payee_account_no CHECK (payee_account_no = '' OR length(payee_account_no) BETWEEN 8 AND 32);
ALTER TABLE universities ADD COLUMN payee_account_name TEXT NOT NULL DEFAULT '';
ALTER TABLE universities ADD COLUMN payee_bank_name TEXT NOT NULL DEFAULT '';
ALTER TABLE universities ADD COLUMN payee_account_no TEXT NOT NULL DEFAULT ''
	CONSTRAINT universities_payee_whole CHECK ((payee_account_no = '') = (payee_account_name = '') AND (payee_account_no = '') = (payee_bank_name = ''))
	CONSTRAINT universities_payee_account_no CHECK (payee_account_no = '' OR length(payee_account_no) BETWEEN 8 AND 32);
`},
	{version: 10, name: "idempotent answers keep the headers a replay repeats", sql: `
-- the answer's other headers (Location, ETag, Preference-Applied), as a JSON
-- object of lists of values; NULL for none
ALTER TABLE idempotency_keys ADD COLUMN headers {{json}};
`},
	{version: 11, name: "idempotency reservations carry their request's token", sql: `
-- a reservation's INSERT, tried again after a lost connection, finds by it
-- whether its first try went through
ALTER TABLE idempotency_keys ADD COLUMN token TEXT NOT NULL DEFAULT '';
`},
}

// statementsFor returns a migration's statements for the dialect.
func (m migration) statementsFor(d dialect) []string {
	sql := m.sql
	switch {
	case sql != "":
	case d == dialectPostgres:
		sql = m.postgres
	default:
		sql = m.sqlite
	}
	return statements(d.ddl(sql))
}

// ddl writes the placeholders of a migration for the dialect.
func (d dialect) ddl(sql string) string {
	if d == dialectPostgres {
		return strings.NewReplacer(
			"{{id}}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
			"{{time}}", "TIMESTAMPTZ",
			"{{date}}", "DATE",
			"{{json}}", "JSON",
			"{{bytes}}", "BYTEA",
		).Replace(sql)
	}
	return strings.NewReplacer(
		// AUTOINCREMENT: a number is never handed out twice, even after the
		// highest row is gone, so an id quoted in a letter stays unique.
		"{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT",
		"{{time}}", "TIMESTAMP",
		"{{date}}", "TEXT",
		"{{json}}", "TEXT",
		"{{bytes}}", "BLOB",
	).Replace(sql)
}

// statements splits a migration into its statements.
func statements(sql string) []string {
	var out []string
	for _, stmt := range strings.Split(sql, ";\n") {
		if stmt = strings.TrimSpace(stmt); stmt != "" {
			out = append(out, stmt)
		}
	}
	return out
}

// migrate applies the migrations the database has not seen yet. Several
// processes may open one database at once: on SQLite the write lock taken
// at BEGIN serializes them, on PostgreSQL an advisory lock per schema does;
// either way each migration is checked again inside its transaction.
func (s *Store) migrate(ctx context.Context) error {
	// An up-to-date database needs no write, so that one that accepts none
	// (a PostgreSQL standby, a read-only SQLite file) opens for reading.
	latest := migrations[len(migrations)-1].version
	if v, err := s.SchemaVersion(ctx); err == nil && v == latest {
		return nil
	}

	db := s.db.WithContext(ctx)
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := s.lockMigrations(tx); err != nil {
			return err
		}
		return tx.Exec(s.dialect.ddl(`CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at {{time}} NOT NULL
)`)).Error
	})
	if err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}

	newest, err := s.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if newest > latest {
		return fmt.Errorf("migrate: the database has schema version %d, newer than this program's %d: run a newer subsidy", newest, latest)
	}

	for _, m := range migrations {
		if m.version <= newest {
			continue
		}
		applied := false
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := s.lockMigrations(tx); err != nil {
				return err
			}
			var n int64
			if err := tx.Raw(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil // another process applied it meanwhile
			}
			for _, stmt := range m.statementsFor(s.dialect) {
				if err := tx.Exec(stmt).Error; err != nil {
					return err
				}
			}
			applied = true
			return tx.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, s.now()).Error
		})
		if err != nil {
			return fmt.Errorf("migrate: %d %s: %w", m.version, m.name, err)
		}
		if applied {
			s.log.InfoContext(ctx, "store: applied migration", "version", m.version, "name", m.name, "db", s.dialect.String())
		}
	}
	return nil
}

// lockMigrations keeps concurrent migrators of one PostgreSQL schema apart
// until the transaction ends. (SQLite transactions here already hold the
// database's write lock from BEGIN.)
func (s *Store) lockMigrations(tx *gorm.DB) error {
	if s.dialect != dialectPostgres {
		return nil
	}
	return tx.Exec(`SELECT pg_advisory_xact_lock(hashtext('subsidy schema_migrations ' || current_schema()))`).Error
}

// SchemaVersion returns the version of the newest migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.read(ctx, func(db *gorm.DB) error {
		return db.Raw(`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v).Error
	})
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
