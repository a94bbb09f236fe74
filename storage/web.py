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

# What a person browsing the archive reads, in Chinese; the table and column names are the
# data contract's (docs/report-record.md) and stay as they are.
TABLES: dict[str, dict[str, Any]] = {
    "agencies": {
        "description": "来源文件中的全部单位：层级、地区、年报栏目地址、截止日期（次年的月-日）。",
        "label_column": "name",
        "facets": ["level", "region"],
        "columns": {
            "id": "单位在来源文件中的编号",
            "level": "层级：township 乡镇、county 县级政府、county_dept 县级部门、city 市政府、"
            "city_dept 市级部门、province 省政府、province_dept 省级部门",
            "list_urls": "年报栏目地址（JSON 列表）",
            "deadline": "年度报告截止日期，次年的月-日",
            "since": "应发布报告的第一个年度",
        },
    },
    "compliance": {
        "description": "每个单位每个年度的状态：ok 合规、late 逾期、inconsistent 数据不一致、"
        "missing 缺失、pending 未到期、unverified 无法核实；"
        "以最近一次 `nianbao check` 的判断日期为准（规则说明见 docs/rules.md）。",
        "facets": ["status", "year"],
        "columns": {
            "status": "ok 合规 | late 逾期 | inconsistent 数据不一致 | missing 缺失 | "
            "pending 未到期 | unverified 无法核实",
            "late": "报告晚于截止日期发布时为 1",
            "inconsistent": "报告有未解决的错误类问题时为 1",
        },
    },
    "findings": {
        "description": "哪个单位哪个年度的报告（或栏目）有什么问题；已解决的问题也保留"
        "（每条规则的含义见 docs/rules.md）。",
        "facets": ["rule", "severity", "status", "year"],
        "columns": {
            "rule": "所违反的规则：见 docs/rules.md",
            "evidence": "问题所依据的数字和单元格（JSON）",
            "id": "问题编号：`nianbao review` 使用",
            "status": "open 待处理 | dismissed 经人工复核驳回（见 reviews）| resolved 已解决",
        },
    },
    "reports": {
        "description": "从存档文件中读出的每份报告的每个版本。",
        "label_column": "title",
        "facets": ["year", "template", "is_latest"],
        "columns": {
            "template": "所用格式：2019 | 2021 | legacy（2019年以前）| unknown",
            "published_at": "判断是否逾期所依据的发布日期",
            "published_source": "发布日期的来源：listing 栏目列表、page 页面、signature 落款",
        },
    },
    "latest_reports": {
        "description": "每份报告的最新版本，附单位名称、层级和地区。",
        "facets": ["year", "level", "region", "template"],
    },
    "cell_values": {
        "description": "每个报告版本的每个单元格，按键名（docs/report-record.md）。",
        "facets": ["key"],
    },
    "documents": {
        "description": "抓取到的每个文件（按内容哈希），及其来源。",
        "facets": ["format", "http_status"],
    },
    "report_texts": {
        "description": "每个报告版本的正文（压缩表 report_prose 的视图）；搜索框在其中搜索"
        "（三个字及以上）。",
        "fts_table": "report_text",
        "fts_pk": "report_id",
    },
    "source_health": {
        "description": "最近一次完成的抓取中，每个单位栏目的状况。",
        "facets": ["status"],
    },
    "list_reads": {
        "description": "每次抓取、每个栏目：声明的和已读的页数、条数，以及停止读取的原因。",
        "facets": ["stop_reason", "family", "complete"],
    },
    "crawl_runs": {"description": "每次抓取一行：时间、页数、文件数、错误数、结果。"},
}
# The canned questions' titles as a person reads them (storage.query.EXAMPLES holds the SQL).
QUERY_TITLES = {
    "not_ok": "所有不合规的单位和年度",
    "received": "各单位各年度收到的申请数",
    "open_by_rule": "按规则和严重程度统计的待处理问题",
    "status_by_region": "按地区和年度统计的缺失、逾期、数据不一致报告",
    "one_cell": "各单位同一单元格的数值（例如 applications.granted.total）",
    "agency_findings": "某个单位的全部问题（编号或名称）",
}


def metadata(database: str) -> dict[str, Any]:
    """Datasette metadata for an archive served under the name ``database``."""
    tables = {name: dict(spec) for name, spec in TABLES.items()}
    tables.update({name: {"hidden": True} for name in HIDDEN})
    queries = {
        name: {"title": QUERY_TITLES.get(name, title), "sql": sql}
        for name, (title, sql) in EXAMPLES.items()
    }
    return {
        "title": "年报监测存档（nianbao）",
        "description": "政府信息公开工作年度报告：文件、报告版本、单元格、问题和合规情况。只读。",
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


# Views whose rows are every cell of every report: counting them takes seconds at a
# national archive's size, so their pages show rows without a total (Datasette's
# _nocount), as a person asking for them first wants.
UNCOUNTED = ("cell_values",)


def closed_pages(app: Any) -> Any:
    """An ASGI wrapper that answers 404 for the CLOSED pages (any suffix, .json too), and
    asks no total of the UNCOUNTED views."""

    async def wrapped(scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope.get("type") == "http" else ""
        query = scope.get("query_string", b"")
        if path.rsplit("/", 1)[-1].split(".")[0] in UNCOUNTED and b"_nocount" not in query:
            scope = {**scope, "query_string": query + (b"&" if query else b"") + b"_nocount=1"}
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
