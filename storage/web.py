"""The archive as Datasette shows it (`nianbao serve`): what each table and column holds,
labels, facets, the canned questions of ``storage.query.EXAMPLES``, and full-text search
on report text wired to Datasette's search box (the trigram index, so terms of three
characters or more)."""

from __future__ import annotations

from typing import Any

from storage.query import EXAMPLES

# Tables nobody browses: the raw bytes, the index's own tables, the mail machinery.
HIDDEN = (
    "document_bytes",
    "report_text",
    "report_text_data",
    "report_text_idx",
    "report_text_docsize",
    "report_text_config",
    "report_text_terms",
    "report_indexed_texts",
    "report_chars",
    "report_chars_data",
    "report_chars_idx",
    "report_chars_config",
    "outbox",
    "alerted",
    "settings",
    "similarities",
    "verdict_rules",
    "cell_keys",
    "report_prose",
)

TABLES: dict[str, dict[str, Any]] = {
    "agencies": {
        "description": "Every agency of the sources file: its level, region, 年报 columns "
        "and deadline (MM-DD of the next year).",
        "label_column": "name",
        "facets": ["level", "region"],
        "columns": {
            "id": "The agency's id in the sources file",
            "level": "township, county, county_dept, city, city_dept, province, province_dept",
            "list_urls": "Its 年报 columns (JSON list)",
            "deadline": "Due date of a year's report, MM-DD of the next year",
            "since": "First year a report is due",
        },
    },
    "compliance": {
        "description": "Per agency and year: ok, late, inconsistent, missing, pending or "
        "unverified, judged as of the last `nianbao check` (docs/rules.md).",
        "facets": ["status", "year"],
        "columns": {
            "status": "ok | late | inconsistent | missing | pending | unverified",
            "late": "1 when the report was published after its deadline",
            "inconsistent": "1 when the report has an open error finding",
        },
    },
    "findings": {
        "description": "What is wrong with which agency's report (or source) for which year; "
        "resolved findings are kept (docs/rules.md explains every rule).",
        "facets": ["rule", "severity", "status", "year"],
        "columns": {
            "rule": "The rule broken: see docs/rules.md",
            "evidence": "The numbers and cells behind the finding (JSON)",
            "id": "The finding's number: `nianbao review` takes it",
            "status": "open | dismissed (by a person: see reviews) | resolved",
        },
    },
    "reports": {
        "description": "Every version of every report read from an archived document.",
        "label_column": "title",
        "facets": ["year", "template", "is_latest"],
        "columns": {
            "template": "2019 | 2021 | legacy | unknown",
            "published_at": "The publication date nianbao judges by",
            "published_source": "Where that date came from: listing, page, signature",
        },
    },
    "latest_reports": {
        "description": "The latest version of each report, with its agency's name, level "
        "and region.",
        "facets": ["year", "level", "region", "template"],
    },
    "cell_values": {
        "description": "Every cell of every report version, by key (docs/report-record.md).",
        "facets": ["key"],
    },
    "documents": {
        "description": "Every document fetched, by content hash, with where it came from.",
        "facets": ["format", "http_status"],
    },
    "report_texts": {
        "description": "The prose of each report version (a view of the packed table "
        "report_prose); the search box searches it (three characters or more).",
        "fts_table": "report_text",
        "fts_pk": "report_id",
    },
    "source_health": {
        "description": "How each agency's source looked in the last crawl.",
        "facets": ["status"],
    },
    "list_reads": {
        "description": "Per crawl and list: pages announced and read, and why reading stopped.",
        "facets": ["stop_reason", "family", "complete"],
    },
    "crawl_runs": {"description": "One row per crawl: when, pages, documents, errors."},
}


def metadata(database: str) -> dict[str, Any]:
    """Datasette metadata for an archive served under the name ``database``."""
    tables = {name: dict(spec) for name, spec in TABLES.items()}
    tables.update({name: {"hidden": True} for name in HIDDEN})
    queries = {name: {"title": title, "sql": sql} for name, (title, sql) in EXAMPLES.items()}
    return {
        "title": "nianbao archive",
        "description": "Government information-disclosure annual reports (政府信息公开工作"
        "年度报告): documents, report versions, cells, findings and compliance. Read-only.",
        "databases": {
            database: {
                "tables": tables,
                "queries": queries,
                "allow_sql": True,
            }
        },
    }


def trigram_match(term: str) -> str:
    """An FTS5 query the archive's trigram index (detail=none: no phrases) can answer for
    a search-box term: every three-character piece of each word, all required. Words
    shorter than three characters match nothing here (`nianbao search` finds them)."""
    pieces = []
    for word in term.split():
        grams = {word[i : i + 3] for i in range(len(word) - 2)}
        pieces += ['"' + g.replace('"', '""') + '"' for g in sorted(grams)]
    return " AND ".join(pieces) if pieces else '""'


class SearchPlugin:
    """Datasette's search box escapes a term into a phrase, which a detail=none index
    refuses: this replaces its escape_fts with trigram_match on nianbao's connections,
    whose own functions are bounded and whose private columns read as NULL."""

    @staticmethod
    def prepare_connection(conn: Any) -> None:
        from storage.db import bound_reads

        bound_reads(conn)  # report_texts and its index read the packed prose
        conn.create_function("escape_fts", 1, trigram_match)
        conn.set_authorizer(private_columns)

    @staticmethod
    def asgi_wrapper(datasette: Any) -> Any:
        return closed_pages


# What subscribers gave and were sent, and where the archive lies on the server's disk:
# no page or query of `serve` shows it (read as NULL).
PRIVATE = {
    "outbox": {"address", "subject", "message", "last_error", "message_id"},
    "alerted": {"address"},
    "pragma_database_list": {"file"},
}


def private_columns(action: int, table: str | None, column: str | None, *_: Any) -> int:
    """SQLite's authorizer for serve's connections: the subscribers' addresses, the
    digests sent them and the archive's path read as NULL, in a table's page and in any
    SQL alike; no other database can be attached."""
    import sqlite3

    if action == sqlite3.SQLITE_READ and column in PRIVATE.get(table or "", ()):
        return sqlite3.SQLITE_IGNORE
    if action == sqlite3.SQLITE_ATTACH:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


# Datasette's pages about the server rather than the archive: the database's absolute
# path (/-/databases), its settings, versions, plugins and threads.
CLOSED = ("/-/databases", "/-/settings", "/-/versions", "/-/plugins", "/-/threads")


def closed_pages(app: Any) -> Any:
    """An ASGI wrapper that answers 404 for the CLOSED pages (any suffix, .json too)."""

    async def wrapped(scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope.get("type") == "http" else ""
        if path.startswith(CLOSED):
            await send(
                {
                    "type": "http.response.start",
                    "status": 404,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": b"not here"})
            return
        await app(scope, receive, send)

    return wrapped


def register() -> None:
    """Install SearchPlugin into Datasette, after its own functions (trylast)."""
    from datasette import hookimpl
    from datasette.plugins import pm

    if pm.get_plugin("nianbao-search") is None:
        prepare = hookimpl(trylast=True)(SearchPlugin.prepare_connection)
        wrapper = hookimpl(SearchPlugin.asgi_wrapper)
        hooks = {"prepare_connection": staticmethod(prepare), "asgi_wrapper": staticmethod(wrapper)}
        pm.register(type("NianbaoSearch", (), hooks), name="nianbao-search")
