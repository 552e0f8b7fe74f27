/// The store's schema as numbered migrations. `PRAGMA user_version` holds the number applied;
/// a file with a higher number than `Schema.latest` was written by a newer build and is refused.
enum Schema {
    static var latest: Int { migrations.count }

    /// The word index's tokenizer (a search that checks rows itself must tokenize as it does).
    static let wordTokenizer = "unicode61 remove_diacritics 2"

    /// Migration `n` (1-based) takes a store from version n-1 to n. Never edit a released step; add one.
    static let migrations: [String] = [version1, version2, version3, version4, version5, version6, version7, version8]

    static let version1 = """
    CREATE TABLE requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        requester TEXT NOT NULL,
        subject TEXT NOT NULL CHECK (length(subject) > 0),
        body TEXT NOT NULL DEFAULT '',
        category TEXT NOT NULL,
        urgency INTEGER NOT NULL CHECK (urgency BETWEEN 0 AND 3),
        status TEXT NOT NULL CHECK (status IN ('new', 'open', 'awaiting-approval', 'resolved', 'closed')),
        lane INTEGER GENERATED ALWAYS AS (CASE WHEN status IN ('resolved', 'closed') THEN 1 ELSE 0 END) VIRTUAL,
        assignee TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        external_id TEXT UNIQUE
    );
    CREATE INDEX requests_queue ON requests (urgency, created_at, id);
    CREATE INDEX requests_lane_queue ON requests (lane, urgency, created_at, id);
    CREATE INDEX requests_assignee_queue ON requests (assignee, lane, urgency, created_at, id);
    CREATE TRIGGER requests_are_kept BEFORE DELETE ON requests
    BEGIN SELECT RAISE(ABORT, 'requests are kept for the record and cannot be deleted'); END;

    CREATE TABLE status_counts (status TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO status_counts (status, n) VALUES ('new', 0), ('open', 0), ('awaiting-approval', 0), ('resolved', 0), ('closed', 0);
    CREATE TRIGGER requests_count_insert AFTER INSERT ON requests
    BEGIN UPDATE status_counts SET n = n + 1 WHERE status = NEW.status; END;
    CREATE TRIGGER requests_count_update AFTER UPDATE OF status ON requests WHEN OLD.status <> NEW.status
    BEGIN
        UPDATE status_counts SET n = n - 1 WHERE status = OLD.status;
        UPDATE status_counts SET n = n + 1 WHERE status = NEW.status;
    END;

    CREATE VIRTUAL TABLE requests_fts USING fts5 (
        subject, body, requester, content = 'requests', content_rowid = 'id', tokenize = '\(wordTokenizer)'
    );
    CREATE TRIGGER requests_fts_insert AFTER INSERT ON requests
    BEGIN INSERT INTO requests_fts (rowid, subject, body, requester) VALUES (NEW.id, NEW.subject, NEW.body, NEW.requester); END;
    CREATE TRIGGER requests_fts_update AFTER UPDATE OF subject, body, requester ON requests
    BEGIN
        INSERT INTO requests_fts (requests_fts, rowid, subject, body, requester) VALUES ('delete', OLD.id, OLD.subject, OLD.body, OLD.requester);
        INSERT INTO requests_fts (rowid, subject, body, requester) VALUES (NEW.id, NEW.subject, NEW.body, NEW.requester);
    END;

    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        at INTEGER NOT NULL,
        details TEXT NOT NULL CHECK (json_valid(details)),
        okta_request_id TEXT
    );
    CREATE INDEX events_by_request ON events (request_id, id);
    CREATE INDEX events_by_time ON events (at);
    CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'timeline events are append-only and cannot be changed'); END;
    CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'timeline events are append-only and cannot be deleted'); END;

    CREATE TABLE approvals (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        action TEXT NOT NULL CHECK (json_valid(action)),
        reason TEXT NOT NULL CHECK (length(reason) > 0),
        requested_by TEXT NOT NULL,
        requested_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'granted', 'denied', 'expired', 'superseded')),
        decided_by TEXT,
        decided_at INTEGER,
        decision_reason TEXT
    );
    CREATE INDEX approvals_by_request ON approvals (request_id, id);
    CREATE INDEX approvals_pending ON approvals (state, expires_at);
    CREATE TRIGGER approvals_decisions_are_final BEFORE UPDATE ON approvals WHEN OLD.state <> 'pending'
    BEGIN SELECT RAISE(ABORT, 'a decided approval cannot change'); END;
    CREATE TRIGGER approvals_terms_are_fixed BEFORE UPDATE OF id, request_id, action, reason, requested_by, requested_at, expires_at ON approvals
    BEGIN SELECT RAISE(ABORT, 'an approval''s action, reason and requester cannot change'); END;
    CREATE TRIGGER approvals_are_kept BEFORE DELETE ON approvals
    BEGIN SELECT RAISE(ABORT, 'approvals are kept for the record and cannot be deleted'); END;

    CREATE TABLE approval_approvers (
        approval_id INTEGER NOT NULL REFERENCES approvals (id),
        login TEXT NOT NULL,
        basis TEXT NOT NULL,
        UNIQUE (approval_id, login)
    );
    CREATE INDEX approvers_by_login ON approval_approvers (login, approval_id);
    CREATE TRIGGER approvers_are_fixed_update BEFORE UPDATE ON approval_approvers
    BEGIN SELECT RAISE(ABORT, 'the approvers of an approval cannot change'); END;
    CREATE TRIGGER approvers_are_fixed_delete BEFORE DELETE ON approval_approvers
    BEGIN SELECT RAISE(ABORT, 'the approvers of an approval cannot change'); END;
    """

    /// Runs written ahead of their Okta call, and temporary grants with their revoke.
    static let version2 = """
    ALTER TABLE approvals ADD COLUMN target_user TEXT;

    CREATE TABLE action_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        action TEXT NOT NULL CHECK (json_valid(action)),
        target_user TEXT NOT NULL,
        approval_id INTEGER UNIQUE REFERENCES approvals (id),
        revokes_grant INTEGER,
        started_by TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        runner TEXT,
        state TEXT NOT NULL DEFAULT 'started' CHECK (state IN ('started', 'succeeded', 'failed', 'unknown', 'reconciled')),
        finished_at INTEGER
    );
    CREATE INDEX runs_by_request ON action_runs (request_id, id);
    CREATE INDEX runs_unfinished ON action_runs (state) WHERE state IN ('started', 'unknown');
    CREATE TRIGGER runs_outcomes_are_final BEFORE UPDATE ON action_runs WHEN OLD.state NOT IN ('started', 'unknown')
    BEGIN SELECT RAISE(ABORT, 'a finished action run cannot change'); END;
    CREATE TRIGGER runs_terms_are_fixed BEFORE UPDATE OF id, request_id, action, target_user, approval_id, revokes_grant, started_by, started_at, runner ON action_runs
    BEGIN SELECT RAISE(ABORT, 'an action run''s action and author cannot change'); END;
    CREATE TRIGGER runs_are_kept BEFORE DELETE ON action_runs
    BEGIN SELECT RAISE(ABORT, 'action runs are kept for the record and cannot be deleted'); END;

    CREATE TABLE access_grants (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        grant_run INTEGER NOT NULL UNIQUE REFERENCES action_runs (id),
        action TEXT NOT NULL CHECK (json_valid(action)),
        target_user TEXT NOT NULL,
        revoke_at INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'revoking', 'revoked')),
        claimed_by TEXT,
        claimed_at INTEGER
    );
    CREATE INDEX grants_due ON access_grants (state, revoke_at);
    CREATE INDEX grants_by_request ON access_grants (request_id);
    CREATE TRIGGER grants_revoked_are_final BEFORE UPDATE ON access_grants WHEN OLD.state = 'revoked'
    BEGIN SELECT RAISE(ABORT, 'a revoked grant cannot change'); END;
    CREATE TRIGGER grants_are_kept BEFORE DELETE ON access_grants
    BEGIN SELECT RAISE(ABORT, 'grants are kept for the record and cannot be deleted'); END;
    """

    /// Okta identities for four-eyes, run deadlines and reconcile's backoff, revoke backoff and
    /// grants whose revoke failed for good.
    static let version3 = """
    ALTER TABLE approvals ADD COLUMN requested_by_okta TEXT;
    ALTER TABLE approvals ADD COLUMN decided_by_okta TEXT;
    ALTER TABLE approval_approvers ADD COLUMN okta_user TEXT;
    ALTER TABLE action_runs ADD COLUMN deadline INTEGER;
    ALTER TABLE action_runs ADD COLUMN reconcile_attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE action_runs ADD COLUMN next_reconcile_at INTEGER;

    CREATE TABLE access_grants_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        grant_run INTEGER NOT NULL UNIQUE REFERENCES action_runs (id),
        action TEXT NOT NULL CHECK (json_valid(action)),
        target_user TEXT NOT NULL,
        revoke_at INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'revoking', 'revoked', 'failed')),
        claimed_by TEXT,
        claimed_at INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER
    );
    INSERT INTO access_grants_v3 (id, request_id, grant_run, action, target_user, revoke_at, state, claimed_by, claimed_at)
        SELECT id, request_id, grant_run, action, target_user, revoke_at, state, claimed_by, claimed_at FROM access_grants;
    DROP TABLE access_grants;
    ALTER TABLE access_grants_v3 RENAME TO access_grants;
    CREATE INDEX grants_due ON access_grants (state, revoke_at);
    CREATE INDEX grants_by_request ON access_grants (request_id);
    CREATE TRIGGER grants_revoked_are_final BEFORE UPDATE ON access_grants WHEN OLD.state = 'revoked'
    BEGIN SELECT RAISE(ABORT, 'a revoked grant cannot change'); END;
    CREATE TRIGGER grants_are_kept BEFORE DELETE ON access_grants
    BEGIN SELECT RAISE(ABORT, 'grants are kept for the record and cannot be deleted'); END;
    """

    /// The index of scripts written without spaces (see `GramText`); its rows are written by the
    /// store beside each request that needs one, and filled for older requests after this step.
    static let version4 = """
    CREATE VIRTUAL TABLE requests_grams USING fts5 (grams, content = '', tokenize = 'unicode61 remove_diacritics 2');
    """

    /// New requests enter the word index when their transaction ends (`Session.indexNewRequests`),
    /// not by a trigger per row.
    static let version5 = """
    DROP TRIGGER requests_fts_insert;
    """

    /// Grants a later run made lasting are kept, not revoked (`AccessSweeper`), and a user's runs
    /// are found by the user.
    static let version6 = """
    CREATE TABLE access_grants_v6 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        grant_run INTEGER NOT NULL UNIQUE REFERENCES action_runs (id),
        action TEXT NOT NULL CHECK (json_valid(action)),
        target_user TEXT NOT NULL,
        revoke_at INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'revoking', 'revoked', 'failed', 'kept')),
        claimed_by TEXT,
        claimed_at INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER
    );
    INSERT INTO access_grants_v6 (id, request_id, grant_run, action, target_user, revoke_at, state, claimed_by, claimed_at, attempts, next_attempt_at)
        SELECT id, request_id, grant_run, action, target_user, revoke_at, state, claimed_by, claimed_at, attempts, next_attempt_at FROM access_grants;
    DROP TABLE access_grants;
    ALTER TABLE access_grants_v6 RENAME TO access_grants;
    CREATE INDEX grants_due ON access_grants (state, revoke_at);
    CREATE INDEX grants_by_request ON access_grants (request_id);
    CREATE TRIGGER grants_revoked_are_final BEFORE UPDATE ON access_grants WHEN OLD.state IN ('revoked', 'kept')
    BEGIN SELECT RAISE(ABORT, 'a revoked or kept grant cannot change'); END;
    CREATE TRIGGER grants_are_kept BEFORE DELETE ON access_grants
    BEGIN SELECT RAISE(ABORT, 'grants are kept for the record and cannot be deleted'); END;
    CREATE INDEX runs_by_target ON action_runs (target_user, id);
    """

    /// Rules the services checked before writing, now kept by the database too (as on
    /// PostgreSQL, where several services write at once): one pending approval per request and
    /// exact action (an older duplicate is superseded first), and no resolving or closing a
    /// request while an approval of it is pending.
    static let version7 = """
    UPDATE approvals SET state = 'superseded', decided_by = 'helpdesk', decided_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000,
        decision_reason = 'a second pending approval of the same action'
    WHERE state = 'pending' AND id NOT IN (SELECT max(id) FROM approvals WHERE state = 'pending' GROUP BY request_id, action);
    CREATE UNIQUE INDEX approvals_one_pending ON approvals (request_id, action) WHERE state = 'pending';
    CREATE TRIGGER requests_done_without_pending AFTER UPDATE OF status ON requests
    WHEN NEW.status IN ('resolved', 'closed') AND OLD.status <> NEW.status AND EXISTS (SELECT 1 FROM approvals WHERE request_id = NEW.id AND state = 'pending')
    BEGIN SELECT RAISE(ABORT, 'a request with a pending approval cannot be resolved or closed'); END;
    """

    /// Playbooks: plans with their exact steps, and each step's run tied to its plan: one run per step and attempt, a
    /// new attempt only after the last one was found not to have taken effect.
    static let version8 = """
    CREATE TABLE plans (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        playbook TEXT NOT NULL,
        title TEXT NOT NULL,
        steps TEXT NOT NULL CHECK (json_valid(steps)),
        target_user TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (length(reason) > 0),
        requested_by TEXT NOT NULL,
        requested_at INTEGER NOT NULL,
        run_at INTEGER,
        undoes INTEGER REFERENCES plans (id),
        state TEXT NOT NULL CHECK (state IN ('awaiting-approval', 'scheduled', 'running', 'finished', 'stopped', 'cancelled')),
        runner TEXT,
        lease_until INTEGER,
        note TEXT,
        finished_at INTEGER
    );
    CREATE INDEX plans_by_request ON plans (request_id, id);
    CREATE INDEX plans_due ON plans (state, run_at) WHERE state IN ('scheduled', 'running');
    CREATE TRIGGER plans_ends_are_final BEFORE UPDATE ON plans WHEN OLD.state IN ('finished', 'stopped', 'cancelled')
    BEGIN SELECT RAISE(ABORT, 'a finished, stopped or cancelled plan cannot change'); END;
    CREATE TRIGGER plans_terms_are_fixed BEFORE UPDATE OF id, request_id, playbook, title, steps, target_user, reason, requested_by, requested_at, run_at, undoes ON plans
    BEGIN SELECT RAISE(ABORT, 'a plan''s steps, user, time and author cannot change'); END;
    CREATE TRIGGER plans_are_kept BEFORE DELETE ON plans
    BEGIN SELECT RAISE(ABORT, 'plans are kept for the record and cannot be deleted'); END;

    ALTER TABLE action_runs ADD COLUMN plan_id INTEGER REFERENCES plans (id);
    ALTER TABLE action_runs ADD COLUMN plan_step INTEGER;
    ALTER TABLE action_runs ADD COLUMN plan_attempt INTEGER;
    CREATE UNIQUE INDEX runs_one_per_plan_step ON action_runs (plan_id, plan_step, plan_attempt) WHERE plan_id IS NOT NULL;
    DROP TRIGGER runs_terms_are_fixed;
    CREATE TRIGGER runs_terms_are_fixed BEFORE UPDATE OF id, request_id, action, target_user, approval_id, revokes_grant, started_by, started_at, runner, plan_id, plan_step, plan_attempt ON action_runs
    BEGIN SELECT RAISE(ABORT, 'an action run''s action and author cannot change'); END;
    """
}
