"""The archive's schema, created and upgraded by numbered migrations (PRAGMA user_version).

A migration is appended, never edited: an archive at version N runs migrations N+1… in
one transaction each.
"""

from __future__ import annotations

import sqlite3

from report.registry import RULES
from storage.errors import ArchiveError

MIGRATIONS: tuple[str, ...] = (
    # 1: agencies, documents with their bytes, report versions, cells, findings, runs, text.
    """
    CREATE TABLE agencies (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        aliases TEXT NOT NULL DEFAULT '[]',        -- JSON list
        level TEXT NOT NULL,
        region TEXT,
        list_urls TEXT NOT NULL DEFAULT '[]',      -- JSON list
        allowed_hosts TEXT NOT NULL DEFAULT '[]',  -- JSON list
        deadline TEXT NOT NULL,                    -- MM-DD of the year after the report year
        since INTEGER NOT NULL DEFAULT 2019,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX agencies_region ON agencies(region);

    CREATE TABLE documents (
        sha256 TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        format TEXT,
        source_url TEXT,
        final_url TEXT,
        http_status INTEGER,
        content_type TEXT,
        last_modified TEXT,
        etag TEXT,
        fetched_at TEXT NOT NULL,
        error TEXT                                  -- why it could not be parsed, if so
    );
    CREATE INDEX documents_source ON documents(source_url);
    CREATE TABLE document_bytes (
        sha256 TEXT PRIMARY KEY REFERENCES documents(sha256),
        encoding TEXT NOT NULL,                     -- raw | zlib
        data BLOB NOT NULL
    );

    CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        agency_id TEXT REFERENCES agencies(id),
        agency TEXT,                                -- as the report names itself
        year INTEGER,
        version INTEGER NOT NULL,
        is_latest INTEGER NOT NULL,
        document_sha256 TEXT NOT NULL REFERENCES documents(sha256),
        parser_version TEXT NOT NULL,
        text_hash TEXT NOT NULL,                    -- normalized text: what makes a version
        record_hash TEXT NOT NULL,
        title TEXT,
        template TEXT NOT NULL,
        script TEXT,
        published_at TEXT,                          -- the most trusted date known
        published_source TEXT,                      -- listing | page | document | http | first_seen
        stated_published_at TEXT,                   -- the date the document itself states
        doc_number TEXT,
        sections TEXT NOT NULL,                     -- JSON
        narrative TEXT NOT NULL,                    -- JSON
        first_seen TEXT NOT NULL
    );
    CREATE INDEX reports_agency_year ON reports(agency_id, year, is_latest);
    CREATE INDEX reports_year ON reports(year, is_latest);
    CREATE INDEX reports_document ON reports(document_sha256);

    CREATE TABLE cell_keys (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
    CREATE TABLE cells (
        report_id INTEGER NOT NULL REFERENCES reports(id),
        key_id INTEGER NOT NULL REFERENCES cell_keys(id),
        value NUMERIC,                              -- NULL: the template cell is blank
        PRIMARY KEY (report_id, key_id)
    ) WITHOUT ROWID;
    -- No index by key: a report's cells would land on hundreds of index pages and every
    -- commit write them all. Questions about one cell go through reports (by year,
    -- region…) and this primary key.

    CREATE TABLE findings (
        fingerprint TEXT PRIMARY KEY,               -- agency, year, rule, key
        agency_id TEXT,
        agency TEXT,
        year INTEGER,
        rule TEXT NOT NULL,
        key TEXT,
        severity TEXT NOT NULL,
        message TEXT NOT NULL,
        evidence TEXT NOT NULL,                     -- JSON
        status TEXT NOT NULL,                       -- open | resolved
        report_id INTEGER,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        resolved_at TEXT
    );
    CREATE INDEX findings_agency_year ON findings(agency_id, year);
    CREATE INDEX findings_status_rule ON findings(status, rule);

    CREATE TABLE crawl_runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        pages INTEGER NOT NULL DEFAULT 0,
        documents_new INTEGER NOT NULL DEFAULT 0,
        documents_changed INTEGER NOT NULL DEFAULT 0,
        documents_unchanged INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        stats TEXT NOT NULL DEFAULT '{}'            -- JSON: every crawl counter
    );
    CREATE TABLE source_health (
        agency_id TEXT PRIMARY KEY REFERENCES agencies(id),
        checked_at TEXT NOT NULL,
        status TEXT NOT NULL,                       -- ok | unreachable | http_error | ...
        detail TEXT,
        reports_found INTEGER NOT NULL DEFAULT 0,
        run_id INTEGER REFERENCES crawl_runs(id)
    );

    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO settings VALUES ('grace_days', '0');

    -- The prose of every report version, stored once; report_text indexes it. A report's
    -- text is written with the report and indexed in bulk (FTS5 writes a segment at every
    -- commit); settings.fts_indexed_upto says how far the index has caught up.
    CREATE TABLE report_texts (
        report_id INTEGER PRIMARY KEY REFERENCES reports(id),
        text TEXT NOT NULL
    );
    -- detail = none: no positions, 40% cheaper to build; the trigram index still serves
    -- LIKE '%term%', which is how search asks.
    CREATE VIRTUAL TABLE report_text USING fts5(
        text, tokenize = 'trigram', detail = 'none',
        content = 'report_texts', content_rowid = 'report_id'
    );
    INSERT INTO settings VALUES ('fts_indexed_upto', '0');

    CREATE VIEW cell_values AS
        SELECT c.report_id, k.key, c.value FROM cells c JOIN cell_keys k ON k.id = c.key_id;

    CREATE VIEW latest_reports AS
        SELECT r.*, a.name AS agency_name, a.level, a.region
        FROM reports r LEFT JOIN agencies a ON a.id = r.agency_id
        WHERE r.is_latest = 1;

    -- agency × year → status, judged against today; `nianbao check --as-of` stores the
    -- same judgement for any date. A year is pending while today, less the grace period,
    -- has not passed its deadline.
    CREATE VIEW compliance AS
        WITH RECURSIVE span(year) AS (
            SELECT min(since) FROM agencies
            UNION ALL SELECT year + 1 FROM span
                WHERE year < CAST(strftime('%Y', 'now') AS INTEGER) - 1
        ), cutoff(day) AS (
            SELECT date('now', '-' || value || ' days') FROM settings WHERE key = 'grace_days'
        ), flags AS (
            SELECT agency_id, year, max(rule = 'report.late') AS late,
                max(severity = 'error') AS inconsistent
            FROM findings WHERE status = 'open' AND agency_id IS NOT NULL
            GROUP BY agency_id, year
        )
        SELECT a.id AS agency_id, s.year, r.id AS report_id,
            printf('%04d-%s', s.year + 1, a.deadline) AS deadline,
            coalesce(f.late, 0) AS late, coalesce(f.inconsistent, 0) AS inconsistent,
            CASE
                WHEN r.id IS NOT NULL AND f.inconsistent THEN 'inconsistent'
                WHEN r.id IS NOT NULL AND f.late THEN 'late'
                WHEN r.id IS NOT NULL THEN 'ok'
                WHEN a.id IN (SELECT agency_id FROM findings WHERE status = 'open'
                    AND rule >= 'source.' AND rule < 'source/') THEN 'unverified'
                WHEN printf('%04d-%s', s.year + 1, a.deadline) >= cutoff.day THEN 'pending'
                ELSE 'missing'
            END AS status
        -- Agencies outermost: the index of reports is then read in agency order.
        FROM agencies a CROSS JOIN span s CROSS JOIN cutoff
        LEFT JOIN reports r ON r.agency_id = a.id AND r.year = s.year AND r.is_latest = 1
        LEFT JOIN flags f ON f.agency_id = a.id AND f.year = s.year
        WHERE s.year >= a.since;
    """,
    # 2: the matrix reads one small table kept current by triggers, not a join of reports
    # with a grouping of every finding (800 ms to 1.8 s at 140,000 reports on a cold cache).
    """
    CREATE TABLE agency_years (
        agency_id TEXT NOT NULL,
        year INTEGER NOT NULL,
        report_id INTEGER,                          -- the latest version, if any
        late INTEGER NOT NULL DEFAULT 0,            -- an open report.late finding
        inconsistent INTEGER NOT NULL DEFAULT 0,    -- an open error-level finding
        PRIMARY KEY (agency_id, year)
    ) WITHOUT ROWID;
    INSERT INTO agency_years (agency_id, year, report_id)
        SELECT agency_id, year, max(id) FROM reports
        WHERE is_latest = 1 AND agency_id IS NOT NULL AND year IS NOT NULL
        GROUP BY agency_id, year;
    INSERT INTO agency_years (agency_id, year, late, inconsistent)
        SELECT agency_id, year, max(rule = 'report.late'), max(severity = 'error')
        FROM findings WHERE status = 'open' AND agency_id IS NOT NULL AND year IS NOT NULL
        GROUP BY agency_id, year
        ON CONFLICT (agency_id, year) DO UPDATE SET
            late = excluded.late, inconsistent = excluded.inconsistent;

    CREATE TRIGGER agency_years_report_in AFTER INSERT ON reports
    WHEN NEW.is_latest = 1 AND NEW.agency_id IS NOT NULL AND NEW.year IS NOT NULL
    BEGIN
        INSERT INTO agency_years (agency_id, year, report_id)
            VALUES (NEW.agency_id, NEW.year, NEW.id)
            ON CONFLICT (agency_id, year) DO UPDATE SET report_id = excluded.report_id;
    END;
    CREATE TRIGGER agency_years_report_change
    AFTER UPDATE OF is_latest, agency_id, year ON reports
    BEGIN
        UPDATE agency_years SET report_id = NULL WHERE report_id = OLD.id;
        INSERT INTO agency_years (agency_id, year, report_id)
            SELECT NEW.agency_id, NEW.year, NEW.id
            WHERE NEW.is_latest = 1 AND NEW.agency_id IS NOT NULL AND NEW.year IS NOT NULL
            ON CONFLICT (agency_id, year) DO UPDATE SET report_id = excluded.report_id;
    END;
    CREATE TRIGGER agency_years_report_out AFTER DELETE ON reports
    BEGIN
        UPDATE agency_years SET report_id = NULL WHERE report_id = OLD.id;
    END;

    CREATE TRIGGER agency_years_finding_in AFTER INSERT ON findings
    WHEN NEW.status = 'open' AND NEW.agency_id IS NOT NULL AND NEW.year IS NOT NULL
        AND (NEW.severity = 'error' OR NEW.rule = 'report.late')
    BEGIN
        INSERT INTO agency_years (agency_id, year, late, inconsistent)
            VALUES (NEW.agency_id, NEW.year, NEW.rule = 'report.late', NEW.severity = 'error')
            ON CONFLICT (agency_id, year) DO UPDATE SET
                late = late OR excluded.late,
                inconsistent = inconsistent OR excluded.inconsistent;
    END;
    -- A finding resolved, reopened or re-graded: recount its agency and year.
    CREATE TRIGGER agency_years_finding_change
    AFTER UPDATE OF status, severity, rule, agency_id, year ON findings
    BEGIN
        UPDATE agency_years SET
            late = EXISTS (SELECT 1 FROM findings WHERE agency_id = OLD.agency_id
                AND year = OLD.year AND status = 'open' AND rule = 'report.late'),
            inconsistent = EXISTS (SELECT 1 FROM findings WHERE agency_id = OLD.agency_id
                AND year = OLD.year AND status = 'open' AND severity = 'error')
        WHERE agency_id = OLD.agency_id AND year = OLD.year;
        INSERT INTO agency_years (agency_id, year, late, inconsistent)
            SELECT NEW.agency_id, NEW.year,
                EXISTS (SELECT 1 FROM findings WHERE agency_id = NEW.agency_id
                    AND year = NEW.year AND status = 'open' AND rule = 'report.late'),
                EXISTS (SELECT 1 FROM findings WHERE agency_id = NEW.agency_id
                    AND year = NEW.year AND status = 'open' AND severity = 'error')
            WHERE NEW.agency_id IS NOT NULL AND NEW.year IS NOT NULL
            ON CONFLICT (agency_id, year) DO UPDATE SET
                late = excluded.late, inconsistent = excluded.inconsistent;
    END;
    CREATE TRIGGER agency_years_finding_out AFTER DELETE ON findings
    BEGIN
        UPDATE agency_years SET
            late = EXISTS (SELECT 1 FROM findings WHERE agency_id = OLD.agency_id
                AND year = OLD.year AND status = 'open' AND rule = 'report.late'),
            inconsistent = EXISTS (SELECT 1 FROM findings WHERE agency_id = OLD.agency_id
                AND year = OLD.year AND status = 'open' AND severity = 'error')
        WHERE agency_id = OLD.agency_id AND year = OLD.year;
    END;

    DROP VIEW compliance;
    -- agency × year → status, judged against today; `nianbao check --as-of` judges any
    -- date. A year is pending while today, less the grace period, has not passed its
    -- deadline.
    CREATE VIEW compliance AS
        WITH RECURSIVE span(year) AS (
            SELECT min(since) FROM agencies
            UNION ALL SELECT year + 1 FROM span
                WHERE year < CAST(strftime('%Y', 'now') AS INTEGER) - 1
        ), cutoff(day) AS (
            SELECT date('now', '-' || value || ' days') FROM settings WHERE key = 'grace_days'
        ), broken(agency_id) AS (
            -- Sources whose list pages could not be read: a year without a report there
            -- proves nothing. (A document that failed on a column that was read does not.)
            SELECT DISTINCT agency_id FROM findings
            WHERE status = 'open' AND rule IN ('source.unreachable', 'source.no_reports')
        )
        SELECT a.id AS agency_id, s.year, y.report_id,
            printf('%04d-%s', s.year + 1, a.deadline) AS deadline,
            coalesce(y.late, 0) AS late, coalesce(y.inconsistent, 0) AS inconsistent,
            CASE
                WHEN y.report_id IS NOT NULL AND y.inconsistent THEN 'inconsistent'
                WHEN y.report_id IS NOT NULL AND y.late THEN 'late'
                WHEN y.report_id IS NOT NULL THEN 'ok'
                WHEN a.id IN broken THEN 'unverified'
                WHEN printf('%04d-%s', s.year + 1, a.deadline) >= cutoff.day THEN 'pending'
                ELSE 'missing'
            END AS status
        FROM agencies a CROSS JOIN span s CROSS JOIN cutoff
        LEFT JOIN agency_years y ON y.agency_id = a.id AND y.year = s.year
        WHERE s.year >= a.since;
    """,
    # 3: what each URL served last, for conditional requests: one document's bytes may be
    # served at several URLs (a county posting the same file for two townships).
    """
    CREATE TABLE document_urls (
        url TEXT PRIMARY KEY,
        sha256 TEXT NOT NULL REFERENCES documents(sha256),
        etag TEXT,
        last_modified TEXT,
        fetched_at TEXT NOT NULL
    );
    INSERT INTO document_urls (url, sha256, etag, last_modified, fetched_at)
        SELECT source_url, sha256, etag, last_modified, max(fetched_at) FROM documents
        WHERE source_url IS NOT NULL GROUP BY source_url;
    -- Every date a report is known by, beside the most trusted one (published_at): the
    -- list's, the page's; the document's is stated_published_at, the HTTP one is on the
    -- document.
    ALTER TABLE reports ADD COLUMN listed_date TEXT;
    ALTER TABLE reports ADD COLUMN page_date TEXT;
    -- The portal software of an agency's list pages when a source names it (trs, hanweb,
    -- plain); otherwise told from the page.
    ALTER TABLE agencies ADD COLUMN software TEXT;
    """,
    # 4: alert digests. A message is queued in the outbox together with the findings it
    # tells each address about (one transaction), and marked sent only once the server
    # accepted it: nothing lost if the server is down, nothing told twice.
    """
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        address TEXT NOT NULL,
        subject TEXT NOT NULL,
        message BLOB NOT NULL,                      -- the whole message, as sent
        created_at TEXT NOT NULL,
        sent_at TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    );
    CREATE INDEX outbox_unsent ON outbox(sent_at, id);
    CREATE TABLE alerted (
        address TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        kind TEXT NOT NULL,                         -- open | resolved: what was told
        outbox_id INTEGER NOT NULL REFERENCES outbox(id),
        PRIMARY KEY (address, fingerprint, kind)
    ) WITHOUT ROWID;
    """,
    # 5: proof of completeness. What each crawl read of each column (a year may be called
    # missing only when the agency's columns were read to their end), the agencies titles
    # named that the sources file lacks, documents related to a report (its 更正), and
    # the rules whose open findings make a year unverified instead of missing.
    """
    CREATE TABLE list_reads (
        run_id INTEGER NOT NULL REFERENCES crawl_runs(id),
        list_url TEXT NOT NULL,
        family TEXT,
        pages_announced INTEGER,
        pages_read INTEGER NOT NULL,
        pages_failed INTEGER NOT NULL,
        records_announced INTEGER,
        records_read INTEGER NOT NULL,
        complete INTEGER NOT NULL,
        stop_reason TEXT NOT NULL,                  -- end | page_failed | total_not_reached
                                                    -- | loop | page_cap | unrecognized_paging
                                                    -- | not_read
        detail TEXT NOT NULL DEFAULT '{}',          -- JSON: failed pages, loops, sub-columns
        PRIMARY KEY (run_id, list_url)
    );
    CREATE TABLE discovered_agencies (
        name TEXT PRIMARY KEY,                      -- full name (鄂尔多斯市人民政府)
        issuer TEXT NOT NULL,                       -- as titles write it (鄂尔多斯市)
        level TEXT,                                 -- guessed from the name
        list_urls TEXT NOT NULL DEFAULT '[]',       -- JSON: where its reports are listed
        years TEXT NOT NULL DEFAULT '[]',           -- JSON
        urls TEXT NOT NULL DEFAULT '[]',            -- JSON: its reports' pages
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        run_id INTEGER REFERENCES crawl_runs(id)
    );
    CREATE TABLE related_documents (
        url TEXT PRIMARY KEY,
        sha256 TEXT REFERENCES documents(sha256),
        agency_id TEXT REFERENCES agencies(id),
        year INTEGER,
        kind TEXT NOT NULL,                         -- correction
        title TEXT,
        first_seen TEXT NOT NULL
    );
    CREATE TABLE verdict_rules (
        rule TEXT PRIMARY KEY,
        scope TEXT NOT NULL                         -- agency: all its years | year: that year
    );
    INSERT INTO verdict_rules (rule, scope) VALUES
        ('source.unreachable', 'agency'), ('source.no_reports', 'agency'),
        ('source.incomplete', 'agency'), ('report.attribution_conflict', 'year');
    DROP VIEW compliance;
    CREATE VIEW compliance AS
        WITH RECURSIVE span(year) AS (
            SELECT min(since) FROM agencies
            UNION ALL SELECT year + 1 FROM span
                WHERE year < CAST(strftime('%Y', 'now') AS INTEGER) - 1
        ), cutoff(day) AS (
            SELECT date('now', '-' || value || ' days') FROM settings WHERE key = 'grace_days'
        ), broken(agency_id) AS (
            -- Sources not read to their end: a year without a report there proves nothing.
            SELECT DISTINCT agency_id FROM findings
            WHERE status = 'open'
                AND rule IN (SELECT rule FROM verdict_rules WHERE scope = 'agency')
        ), doubtful(agency_id, year) AS (
            -- A report listed for this year turned out to be another's: nothing is proven.
            SELECT DISTINCT agency_id, year FROM findings
            WHERE status = 'open'
                AND rule IN (SELECT rule FROM verdict_rules WHERE scope = 'year')
        )
        SELECT a.id AS agency_id, s.year, y.report_id,
            printf('%04d-%s', s.year + 1, a.deadline) AS deadline,
            coalesce(y.late, 0) AS late, coalesce(y.inconsistent, 0) AS inconsistent,
            CASE
                WHEN y.report_id IS NOT NULL AND y.inconsistent THEN 'inconsistent'
                WHEN y.report_id IS NOT NULL AND y.late THEN 'late'
                WHEN y.report_id IS NOT NULL THEN 'ok'
                WHEN a.id IN broken THEN 'unverified'
                WHEN EXISTS (SELECT 1 FROM doubtful d
                             WHERE d.agency_id = a.id AND d.year = s.year) THEN 'unverified'
                WHEN printf('%04d-%s', s.year + 1, a.deadline) >= cutoff.day THEN 'pending'
                ELSE 'missing'
            END AS status
        FROM agencies a CROSS JOIN span s CROSS JOIN cutoff
        LEFT JOIN agency_years y ON y.agency_id = a.id AND y.year = s.year
        WHERE s.year >= a.since;
    """,
    # 6: a year is missing only where the latest crawl proved it read the agency's whole
    # column: an agency with a column that was never read, or not read to its end in the
    # latest crawl that read it (a crawl killed before it finished included), is unverified.
    """
    CREATE INDEX list_reads_latest ON list_reads(list_url, run_id);
    CREATE VIEW unverified_agencies AS
        SELECT DISTINCT a.id AS agency_id FROM agencies a, json_each(a.list_urls) u
        WHERE coalesce((
            SELECT r.complete FROM list_reads r WHERE r.list_url = u.value
            ORDER BY r.run_id DESC LIMIT 1), 0) = 0
        UNION
        SELECT DISTINCT agency_id FROM findings
        WHERE status = 'open' AND agency_id IS NOT NULL
            AND rule IN (SELECT rule FROM verdict_rules WHERE scope = 'agency');
    DROP VIEW compliance;
    CREATE VIEW compliance AS
        WITH RECURSIVE span(year) AS (
            SELECT min(since) FROM agencies
            UNION ALL SELECT year + 1 FROM span
                WHERE year < CAST(strftime('%Y', 'now') AS INTEGER) - 1
        ), cutoff(day) AS (
            SELECT date('now', '-' || value || ' days') FROM settings WHERE key = 'grace_days'
        ), broken(agency_id) AS (
            SELECT agency_id FROM unverified_agencies
        ), doubtful(agency_id, year) AS (
            -- A report listed for this year turned out to be another's: nothing is proven.
            SELECT DISTINCT agency_id, year FROM findings
            WHERE status = 'open'
                AND rule IN (SELECT rule FROM verdict_rules WHERE scope = 'year')
        )
        SELECT a.id AS agency_id, s.year, y.report_id,
            printf('%04d-%s', s.year + 1, a.deadline) AS deadline,
            coalesce(y.late, 0) AS late, coalesce(y.inconsistent, 0) AS inconsistent,
            CASE
                WHEN y.report_id IS NOT NULL AND y.inconsistent THEN 'inconsistent'
                WHEN y.report_id IS NOT NULL AND y.late THEN 'late'
                WHEN y.report_id IS NOT NULL THEN 'ok'
                WHEN a.id IN broken THEN 'unverified'
                WHEN EXISTS (SELECT 1 FROM doubtful d
                             WHERE d.agency_id = a.id AND d.year = s.year) THEN 'unverified'
                WHEN printf('%04d-%s', s.year + 1, a.deadline) >= cutoff.day THEN 'pending'
                ELSE 'missing'
            END AS status
        FROM agencies a CROSS JOIN span s CROSS JOIN cutoff
        LEFT JOIN agency_years y ON y.agency_id = a.id AND y.year = s.year
        WHERE s.year >= a.since;
    """,
    # 7: an outbox message refused for its address alone is retried later, with backoff,
    # without holding back the others; one whose subscription is gone is dropped.
    """
    ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
    ALTER TABLE outbox ADD COLUMN dropped_at TEXT;
    """,
    # 8: verdicts as of the date the last check judged against (settings.as_of, empty
    # until a check ran: today then), so the matrix and the findings tell the same story.
    """
    INSERT INTO settings VALUES ('as_of', '');
    DROP VIEW compliance;
    CREATE VIEW compliance AS
        WITH RECURSIVE asof(day) AS (
            SELECT coalesce(nullif(value, ''), date('now')) FROM settings WHERE key = 'as_of'
        ), span(year) AS (
            SELECT min(since) FROM agencies
            UNION ALL SELECT year + 1 FROM span
                WHERE year < (SELECT CAST(strftime('%Y', day) AS INTEGER) FROM asof) - 1
        ), cutoff(day) AS (
            SELECT date(asof.day, '-' || value || ' days') FROM settings, asof
            WHERE key = 'grace_days'
        ), broken(agency_id) AS (
            SELECT agency_id FROM unverified_agencies
        ), doubtful(agency_id, year) AS (
            -- A report listed for this year turned out to be another's: nothing is proven.
            SELECT DISTINCT agency_id, year FROM findings
            WHERE status = 'open'
                AND rule IN (SELECT rule FROM verdict_rules WHERE scope = 'year')
        )
        SELECT a.id AS agency_id, s.year, y.report_id,
            printf('%04d-%s', s.year + 1, a.deadline) AS deadline,
            coalesce(y.late, 0) AS late, coalesce(y.inconsistent, 0) AS inconsistent,
            CASE
                WHEN y.report_id IS NOT NULL AND y.inconsistent THEN 'inconsistent'
                WHEN y.report_id IS NOT NULL AND y.late THEN 'late'
                WHEN y.report_id IS NOT NULL THEN 'ok'
                WHEN a.id IN broken THEN 'unverified'
                WHEN EXISTS (SELECT 1 FROM doubtful d
                             WHERE d.agency_id = a.id AND d.year = s.year) THEN 'unverified'
                WHEN printf('%04d-%s', s.year + 1, a.deadline) >= cutoff.day THEN 'pending'
                ELSE 'missing'
            END AS status
        FROM agencies a CROSS JOIN span s CROSS JOIN cutoff
        LEFT JOIN agency_years y ON y.agency_id = a.id AND y.year = s.year
        WHERE s.year >= a.since;
    """,
    # 9: a finding's update recounts its agency and year only when what the matrix reads
    # changed, and the recount is found by an index on (agency, year, status) whatever the
    # planner's statistics: a re-run of `nianbao check` stays proportional to what changes.
    """
    DROP INDEX findings_agency_year;
    CREATE INDEX findings_agency_year_status ON findings(agency_id, year, status);
    DROP TRIGGER agency_years_finding_change;
    CREATE TRIGGER agency_years_finding_change
    AFTER UPDATE OF status, severity, rule, agency_id, year ON findings
    WHEN OLD.status IS NOT NEW.status OR OLD.severity IS NOT NEW.severity
        OR OLD.rule IS NOT NEW.rule OR OLD.agency_id IS NOT NEW.agency_id
        OR OLD.year IS NOT NEW.year
    BEGIN
        UPDATE agency_years SET
            late = EXISTS (SELECT 1 FROM findings WHERE agency_id = OLD.agency_id
                AND year = OLD.year AND status = 'open' AND rule = 'report.late'),
            inconsistent = EXISTS (SELECT 1 FROM findings WHERE agency_id = OLD.agency_id
                AND year = OLD.year AND status = 'open' AND severity = 'error')
        WHERE agency_id = OLD.agency_id AND year = OLD.year;
        INSERT INTO agency_years (agency_id, year, late, inconsistent)
            SELECT NEW.agency_id, NEW.year,
                EXISTS (SELECT 1 FROM findings WHERE agency_id = NEW.agency_id
                    AND year = NEW.year AND status = 'open' AND rule = 'report.late'),
                EXISTS (SELECT 1 FROM findings WHERE agency_id = NEW.agency_id
                    AND year = NEW.year AND status = 'open' AND severity = 'error')
            WHERE NEW.agency_id IS NOT NULL AND NEW.year IS NOT NULL
            ON CONFLICT (agency_id, year) DO UPDATE SET
                late = excluded.late, inconsistent = excluded.inconsistent;
    END;
    """,
    # 10: the prose kept compressed (a third of its size; it was 58 % of an archive): the
    # table report_prose holds it packed, the view report_texts shows it as text, for
    # people and as the full-text index's content, through nianbao_unpack (storage.db
    # registers it on every connection nianbao opens).
    """
    CREATE TABLE report_prose (
        report_id INTEGER PRIMARY KEY REFERENCES reports(id),
        packed BLOB NOT NULL
    );
    INSERT INTO report_prose (report_id, packed)
        SELECT report_id, nianbao_pack(text) FROM report_texts;
    DROP TABLE report_texts;
    CREATE VIEW report_texts AS
        SELECT report_id, nianbao_unpack(packed) AS text FROM report_prose;
    """,
    # 11: one- and two-character terms served by indexes instead of a scan. The trigram
    # index reads each text with a newline after it, so every two-character string of a
    # text begins one of its trigrams: the trigrams that begin with a term, listed by the
    # vocabulary table report_text_terms, find every report holding it. Single characters
    # have their own small index, report_chars: each report's distinct characters, one
    # token each (nianbao_chars), no positions, no copy of the text.
    """
    DROP TABLE report_text;
    CREATE VIEW report_indexed_texts AS
        SELECT report_id, nianbao_unpack(packed) || char(10) AS text FROM report_prose;
    CREATE VIRTUAL TABLE report_text USING fts5(
        text, tokenize = 'trigram', detail = 'none', columnsize = 0,
        content = 'report_indexed_texts', content_rowid = 'report_id'
    );
    CREATE VIRTUAL TABLE report_text_terms USING fts5vocab(report_text, 'row');
    CREATE VIRTUAL TABLE report_chars USING fts5(
        chars, tokenize = 'unicode61', detail = 'none', columnsize = 0, content = ''
    );
    INSERT INTO report_text (report_text) VALUES ('rebuild');
    INSERT INTO report_chars (rowid, chars)
        SELECT report_id, nianbao_chars(text) FROM report_texts ORDER BY report_id;
    UPDATE settings SET value = (SELECT coalesce(max(report_id), 0) FROM report_prose)
        WHERE key = 'fts_indexed_upto';
    """,
    # 12: the matrix's cells without a report cost a lookup, not a pass over the findings:
    # the open findings of the rules that unverify are found rule by rule through the
    # index on (status, rule) (the planner scanned the table for `rule IN (…)`), and the
    # years in doubt are gathered once instead of once per cell.
    """
    DROP VIEW compliance;
    DROP VIEW unverified_agencies;
    CREATE VIEW unverified_agencies AS
        SELECT DISTINCT a.id AS agency_id FROM agencies a, json_each(a.list_urls) u
        WHERE coalesce((
            SELECT r.complete FROM list_reads r WHERE r.list_url = u.value
            ORDER BY r.run_id DESC LIMIT 1), 0) = 0
        UNION
        SELECT f.agency_id FROM verdict_rules v CROSS JOIN findings f
        WHERE v.scope = 'agency' AND f.status = 'open' AND f.rule = v.rule
            AND f.agency_id IS NOT NULL;
    CREATE VIEW compliance AS
        WITH RECURSIVE asof(day) AS (
            SELECT coalesce(nullif(value, ''), date('now')) FROM settings WHERE key = 'as_of'
        ), span(year) AS (
            SELECT min(since) FROM agencies
            UNION ALL SELECT year + 1 FROM span
                WHERE year < (SELECT CAST(strftime('%Y', day) AS INTEGER) FROM asof) - 1
        ), cutoff(day) AS (
            SELECT date(asof.day, '-' || value || ' days') FROM settings, asof
            WHERE key = 'grace_days'
        ), broken(agency_id) AS (
            SELECT agency_id FROM unverified_agencies
        ), doubtful(agency_id, year) AS (
            -- A report listed for this year turned out to be another's: nothing is proven.
            SELECT f.agency_id, f.year FROM verdict_rules v CROSS JOIN findings f
            WHERE v.scope = 'year' AND f.status = 'open' AND f.rule = v.rule
        )
        SELECT a.id AS agency_id, s.year, y.report_id,
            printf('%04d-%s', s.year + 1, a.deadline) AS deadline,
            coalesce(y.late, 0) AS late, coalesce(y.inconsistent, 0) AS inconsistent,
            CASE
                WHEN y.report_id IS NOT NULL AND y.inconsistent THEN 'inconsistent'
                WHEN y.report_id IS NOT NULL AND y.late THEN 'late'
                WHEN y.report_id IS NOT NULL THEN 'ok'
                WHEN a.id IN broken THEN 'unverified'
                WHEN (a.id, s.year) IN doubtful THEN 'unverified'
                WHEN printf('%04d-%s', s.year + 1, a.deadline) >= cutoff.day THEN 'pending'
                ELSE 'missing'
            END AS status
        FROM agencies a CROSS JOIN span s CROSS JOIN cutoff
        LEFT JOIN agency_years y ON y.agency_id = a.id AND y.year = s.year
        WHERE s.year >= a.since;
    """,
    # 13: the copied-prose check's scores, by the two texts compared (a hash of each): a
    # check run again reads them instead of comparing unchanged prose again.
    """
    CREATE TABLE similarities (
        a BLOB NOT NULL,
        b BLOB NOT NULL,
        score REAL NOT NULL,
        PRIMARY KEY (a, b)
    ) WITHOUT ROWID;
    """,
    # 14: the portal family a source names is called "family" everywhere (the sources
    # file, the crawler's registry, list_reads.family), no longer "software".
    """
    ALTER TABLE agencies RENAME COLUMN software TO family;
    """,
    # 15: whether a source's column is read in a browser: auto (when the static read
    # proves nothing of its end), always, never.
    """
    ALTER TABLE agencies ADD COLUMN render TEXT NOT NULL DEFAULT 'auto';
    """,
    # 16: verdicts from finished evidence only, and findings people can review. A crawl's
    # outcome is kept (finished, or why it stopped; NULL while it runs), and a column
    # counts as read to its end only by the latest crawl that *finished* reading it: a
    # crawl in progress, stopped or killed changes no verdict. A year is missing only
    # where `nianbao check` found it so (monitor.checks.missing, the one place that
    # decides it): its open report.missing finding. Every finding gets a number that
    # stays; a person's review of one (dismissed, confirmed, reopened, with who and why)
    # is kept, and a finding that comes back after it was resolved or dismissed says when.
    """
    ALTER TABLE crawl_runs ADD COLUMN outcome TEXT;
    UPDATE crawl_runs SET outcome = coalesce(json_extract(stats, '$.finish_reason'), 'finished')
        WHERE finished_at IS NOT NULL;
    ALTER TABLE findings ADD COLUMN id INTEGER;
    UPDATE findings SET id = rowid;
    CREATE UNIQUE INDEX findings_id ON findings(id);
    CREATE TRIGGER findings_number AFTER INSERT ON findings WHEN NEW.id IS NULL
    BEGIN
        UPDATE findings SET id = (SELECT coalesce(max(id), 0) + 1 FROM findings)
        WHERE fingerprint = NEW.fingerprint;
    END;
    ALTER TABLE findings ADD COLUMN reopened_at TEXT;
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        finding_id INTEGER NOT NULL,
        action TEXT NOT NULL,                       -- dismiss | confirm | reopen | lapse
        note TEXT NOT NULL,
        reviewer TEXT,
        at TEXT NOT NULL,
        evidence TEXT NOT NULL                      -- the finding's evidence it judged
    );
    CREATE INDEX reviews_finding ON reviews(finding_id, id);
    -- A dismissal holds while the evidence it judged holds: new evidence reopens it.
    CREATE TRIGGER reviews_lapse AFTER UPDATE OF status ON findings
    WHEN OLD.status = 'dismissed' AND NEW.status = 'open'
        AND OLD.evidence IS NOT NEW.evidence
    BEGIN
        INSERT INTO reviews (finding_id, action, note, reviewer, at, evidence)
        VALUES (NEW.id, 'lapse', 'the evidence changed since it was dismissed', NULL,
                NEW.last_seen, NEW.evidence);
    END;
    -- A finding that comes back is told anew: what each address was told of it is over.
    CREATE TRIGGER alerted_reopened AFTER UPDATE OF reopened_at ON findings
    WHEN NEW.reopened_at IS NOT OLD.reopened_at
    BEGIN
        DELETE FROM alerted WHERE fingerprint = NEW.fingerprint;
    END;
    CREATE VIEW finding_reviews AS
        SELECT f.id AS finding_id, r.action AS review, r.note, r.reviewer, r.at
        FROM findings f JOIN reviews r ON r.id = (
            SELECT max(id) FROM reviews WHERE finding_id = f.id);
    DROP VIEW compliance;
    DROP VIEW unverified_agencies;
    CREATE VIEW unverified_agencies AS
        SELECT DISTINCT a.id AS agency_id FROM agencies a, json_each(a.list_urls) u
        WHERE coalesce((
            SELECT r.complete FROM list_reads r JOIN crawl_runs c ON c.id = r.run_id
            WHERE r.list_url = u.value AND c.outcome = 'finished'
            ORDER BY r.run_id DESC LIMIT 1), 0) = 0
        UNION
        SELECT f.agency_id FROM verdict_rules v CROSS JOIN findings f
        WHERE v.scope = 'agency' AND f.status = 'open' AND f.rule = v.rule
            AND f.agency_id IS NOT NULL;
    CREATE VIEW compliance AS
        WITH RECURSIVE asof(day) AS (
            SELECT coalesce(nullif(value, ''), date('now')) FROM settings WHERE key = 'as_of'
        ), span(year) AS (
            SELECT min(since) FROM agencies
            UNION ALL SELECT year + 1 FROM span
                WHERE year < (SELECT CAST(strftime('%Y', day) AS INTEGER) FROM asof) - 1
        ), cutoff(day) AS (
            SELECT date(asof.day, '-' || value || ' days') FROM settings, asof
            WHERE key = 'grace_days'
        ), broken(agency_id) AS (
            SELECT agency_id FROM unverified_agencies
        ), doubtful(agency_id, year) AS (
            -- A report listed for this year turned out to be another's: nothing is proven.
            SELECT f.agency_id, f.year FROM verdict_rules v CROSS JOIN findings f
            WHERE v.scope = 'year' AND f.status = 'open' AND f.rule = v.rule
        ), found_missing(agency_id, year) AS (
            SELECT agency_id, year FROM findings
            WHERE status = 'open' AND rule = 'report.missing'
        )
        SELECT a.id AS agency_id, s.year, y.report_id,
            printf('%04d-%s', s.year + 1, a.deadline) AS deadline,
            coalesce(y.late, 0) AS late, coalesce(y.inconsistent, 0) AS inconsistent,
            CASE
                WHEN y.report_id IS NOT NULL AND y.inconsistent THEN 'inconsistent'
                WHEN y.report_id IS NOT NULL AND y.late THEN 'late'
                WHEN y.report_id IS NOT NULL THEN 'ok'
                WHEN (a.id, s.year) IN found_missing THEN 'missing'
                WHEN a.id IN broken THEN 'unverified'
                WHEN (a.id, s.year) IN doubtful THEN 'unverified'
                WHEN printf('%04d-%s', s.year + 1, a.deadline) >= cutoff.day THEN 'pending'
                ELSE 'unverified'
            END AS status
        FROM agencies a CROSS JOIN span s CROSS JOIN cutoff
        LEFT JOIN agency_years y ON y.agency_id = a.id AND y.year = s.year
        WHERE s.year >= a.since;
    """,
    # 17: a person's corrections of misread cells, by document and cell key: kept with the
    # value the parser read, who and why; every parse of that document (reparse, a new
    # parser) applies the latest, and notes when the parser comes to read it the same.
    """
    CREATE TABLE corrections (
        id INTEGER PRIMARY KEY,
        document_sha256 TEXT NOT NULL REFERENCES documents(sha256),
        key TEXT NOT NULL,
        parsed_value REAL,                          -- what the parser read
        value REAL,                                 -- what the person says it is
        note TEXT NOT NULL,
        reviewer TEXT,
        at TEXT NOT NULL,
        parser_agrees TEXT                          -- the parser version that reads it so
    );
    CREATE INDEX corrections_document ON corrections(document_sha256, key, id);
    """,
    # 18: a digest's Message-ID, and when its delivery was uncertain (the connection lost
    # after the whole message went out, before the server's answer): it is sent again
    # once, under the same Message-ID, so a mail client that got both shows one.
    """
    ALTER TABLE outbox ADD COLUMN message_id TEXT;
    ALTER TABLE outbox ADD COLUMN uncertain_at TEXT;
    """,
    # 19: when the portal last confirmed what a URL serves (a download or a 304): a crawl
    # does not ask again for a document confirmed within NIANBAO_REVISIT_DAYS.
    """
    ALTER TABLE document_urls ADD COLUMN checked_at TEXT;
    UPDATE document_urls SET checked_at = fetched_at;
    """,
    # 20: the prose of a report published as text is packed against its own document
    # (storage.packing, first byte 2): read with the document, which is looked up only for
    # such prose (a CASE evaluates the branch it takes).
    """
    DROP VIEW report_indexed_texts;
    DROP VIEW report_texts;
    CREATE VIEW report_texts AS
        SELECT p.report_id, CASE WHEN substr(p.packed, 1, 1) = x'02' THEN (
            SELECT nianbao_unpack(p.packed, b.encoding, b.data)
            FROM reports r JOIN document_bytes b ON b.sha256 = r.document_sha256
            WHERE r.id = p.report_id
        ) ELSE nianbao_unpack(p.packed) END AS text
        FROM report_prose p;
    CREATE VIEW report_indexed_texts AS
        SELECT report_id, text || char(10) AS text FROM report_texts;
    """,
    # 21: a report no agency of the sources file holds (`nianbao parse --db` of files,
    # an agency found on a portal) is found by its name: the index by agency_id held every
    # such report under NULL, and each new one read all those of its year (7.7 ms a
    # report at 140,000; 0.07 ms with this index, which holds only those reports).
    """
    CREATE INDEX reports_unfiled ON reports(agency, year) WHERE agency_id IS NULL;
    """,
    # 22: open findings counted by rule and severity (`serve`'s canned question, the
    # digest) from the index alone: with severity beside the rule, no finding is read
    # (500,000 open findings: 0.9 s cold, 0.3 s with it).
    """
    DROP INDEX findings_status_rule;
    CREATE INDEX findings_status_rule ON findings(status, rule, severity);
    """,
)


def _sync_verdict_rules(conn: sqlite3.Connection) -> None:
    """The rules that leave a year unverified, as report.registry says (its one home):
    the compliance view and `nianbao check` read them from this table."""
    wanted = {(r.name, r.unverifies) for r in RULES.values() if r.unverifies}
    if set(conn.execute("SELECT rule, scope FROM verdict_rules")) == wanted:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("DELETE FROM verdict_rules")
        conn.executemany("INSERT INTO verdict_rules (rule, scope) VALUES (?, ?)", sorted(wanted))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema to the newest version; returns the version reached."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > len(MIGRATIONS):
        raise ArchiveError(
            f"archive schema version {current} is newer than this nianbao knows "
            f"({len(MIGRATIONS)}): upgrade nianbao"
        )
    migrated = False
    for number in range(current + 1, len(MIGRATIONS) + 1):
        migrated = True
        conn.execute("BEGIN IMMEDIATE")  # one transaction per migration
        try:
            # A read of a table makes this connection reload the schema other processes'
            # migrations changed: an ALTER TABLE is checked against the connection's own
            # copy of the schema when it is prepared, and would find a column missing.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                conn.execute("COMMIT")  # another process got here first
                continue
            for statement in _statements(MIGRATIONS[number - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    _sync_verdict_rules(conn)
    if migrated:
        optimize(conn)
    return len(MIGRATIONS)


def optimize(conn: sqlite3.Connection, every_table: bool = True) -> None:
    """Keep the planner's statistics current (after migrations and bulk writes): without
    them a trigger's lookup may scan an index of every open finding. ``every_table``: all
    of them, not only those this connection used (as SQLite advises before closing)."""
    # The write lock first: run alone, the pragma reads, then its ANALYZE writes, and
    # another process's commit in between makes that write fail at once, without waiting
    # ("database is locked" as two ingests closed one archive together).
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("PRAGMA optimize=0x10002" if every_table else "PRAGMA optimize")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _statements(script: str) -> list[str]:
    """Split a migration into statements (sqlite3's executescript would COMMIT first)."""
    out, buf = [], []
    for line in script.splitlines():
        buf.append(line)
        if sqlite3.complete_statement("\n".join(buf)):
            statement = "\n".join(buf).strip()
            if statement.strip(";").strip():
                out.append(statement)
            buf = []
    return out
