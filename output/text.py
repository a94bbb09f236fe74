"""What the commands print: tables, JSON, CSV, a record's summary, a source's view, the
compliance matrix. Rendering only; the commands in cli.py decide what to show."""

from __future__ import annotations

import base64
import csv
import json
import sys
import unicodedata
from typing import Any

from report.registry import (
    FINDING_STATUS_LABELS,
    REVIEW_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    STOP_REASON_LABELS,
    health_label,
    label,
    title,
)
from report.sentences import sentence
from storage.query import worst

FINDING_HEADERS = {
    "zh": ("编号", "单位", "年度", "问题", "严重程度", "说明", "状态", "人工复核", "首次发现"),
    "en": (
        "number",
        "agency",
        "year",
        "finding",
        "severity",
        "what it says",
        "status",
        "review",
        "first seen",
    ),
}


def finding_words(f: dict[str, Any], lang: str = "zh") -> dict[str, str]:
    """What a person reads of a finding (as storage.query.findings gives it): the rule's
    title, what it says as a sentence, its severity, status and last review in words."""
    return {
        "title": title(f["rule"], lang),
        "sentence": sentence(f["rule"], f["evidence"], f["message"], lang, f["year"]),
        "severity": label(SEVERITY_LABELS, f["severity"], lang),
        "status": label(FINDING_STATUS_LABELS, f["status"], lang),
        "review": label(REVIEW_LABELS, f["review"], lang) if f["review"] else "",
    }


def finding_table(
    items: list[dict[str, Any]], names: dict[str, str], lang: str = "zh"
) -> tuple[list[str], list[list[Any]]]:
    """Findings as a person reads them: the agency's name, the rule's title, what the
    finding says as a sentence, statuses and reviews in words (``lang``)."""
    rows = []
    for f in items:
        words = finding_words(f, lang)
        review = words["review"]
        if f.get("review_note"):
            review = (
                f"{review}（{f['review_note']}）"
                if lang == "zh"
                else f"{review} ({f['review_note']})"
            )
        rows.append(
            [
                f["id"],
                names.get(f["agency_id"], f["agency_id"]),
                f["year"] or "",
                words["title"],
                words["severity"],
                words["sentence"],
                words["status"],
                review,
                (f["first_seen"] or "")[:10],
            ]
        )
    return list(FINDING_HEADERS[lang]), rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# Control characters from documents (a title holding an escape sequence) are shown, never
# sent raw to the terminal.
_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if c not in (9, 10)}


def _safe(text: str) -> str:
    return text.translate(_CONTROLS)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return _safe(str(value))


def _json_value(value: Any) -> Any:
    """Binary columns as base64 text: JSON has no bytes."""
    if isinstance(value, bytes):
        return "base64:" + base64.b64encode(value).decode("ascii")
    return value


def emit(columns: list[str], rows: list, fmt: str, out: Any = None) -> None:
    """Rows as an aligned table, JSON (a list of objects) or CSV."""
    out = out or sys.stdout
    if fmt == "json":
        items = [{c: _json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        out.write(json.dumps(items, ensure_ascii=False, indent=1) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows([_cell(v) for v in row] for row in rows)
    else:
        text = [[_cell(v) for v in row] for row in rows]
        widths = [max([_width(c), *(_width(r[i]) for r in text)]) for i, c in enumerate(columns)]
        for line in (columns, ["-" * w for w in widths], *text):
            out.write(
                "  ".join(
                    v + " " * (w - _width(v)) for v, w in zip(line, widths, strict=True)
                ).rstrip()
                + "\n"
            )


def summary(name: str, record: dict[str, Any]) -> str:
    cells = record["cells"]
    blank = sum(v is None for v in cells.values())
    head = (
        f"{name}: {record['agency'] or '?'} {record['year'] or '?'} · "
        f"template {record['template']} · {len(cells)} cells"
        + (f" ({blank} blank)" if blank else "")
        + f" · {len(record['findings'])} finding(s)"
    )
    lines = [head]
    for f in record["findings"]:
        lines.append(f"  {f['severity']:<7} {f['rule']}: {f['message']}")
    return _safe("\n".join(lines))


FINISH_REASONS = {"finished": ("完成", "finished"), "shutdown": ("已停止", "shutdown")}


def _requests(stats: dict[str, Any], lang: str) -> str:
    """What the crawl asked for, by kind, and what the archive answered for."""

    def n(key: str) -> int:
        return int(float(stats.get(key) or 0))

    lists, pages, files = (
        n("nianbao/list_pages"),
        n("nianbao/report_pages"),
        n("nianbao/attachments"),
    )
    kept = n("nianbao/documents_from_archive")
    unchanged = n("downloader/response_status_count/304") - kept
    sent, ocr = n("downloader/request_count"), n("nianbao/pages_ocr")
    pictures = n("nianbao/pictures")
    if lang == "zh":
        return (
            f"  栏目页 {lists}、报告页 {pages}、附件 {files}"
            + (f"、报告页中的图片 {pictures}" if pictures else "")
            + f"；其中 {kept} 份近期已核对、取自存档，"
            f"{unchanged} 份网站答复未修改（304）；共向网站发出请求 {sent} 次"
            + (f"；{ocr} 页扫描图像或图片经文字识别读出" if ocr else "")
        )
    return (
        f"  list pages {lists}, report pages {pages}, attachments {files}"
        + (f", pictures in report pages {pictures}" if pictures else "")
        + f"; {kept} confirmed recently and taken from the archive, {unchanged} answered "
        f"unchanged (304); {sent} requests sent"
        + (f"; {ocr} page(s) or picture(s) without text read by OCR" if ocr else "")
    )


def crawl_summary(run: dict[str, Any], troubled: list[dict[str, Any]], lang: str = "zh") -> str:
    """A finished crawl in a few lines: counts, then each source that had trouble, said as
    its finding says it (its state and detail when there is none)."""
    reason = label(FINISH_REASONS, run["finish_reason"], lang)
    colon = "：" if lang == "zh" else ": "
    if lang == "zh":
        lines = [
            f"第 {run['id']} 次抓取{reason}：{run['pages']} 页；文件新增 {run['new']}、"
            f"变化 {run['changed']}、未变 {run['unchanged']}；错误 {run['errors']}"
        ]
    else:
        lines = [
            f"crawl {run['id']} {reason}: {run['pages']} pages; documents "
            f"{run['new']} new, {run['changed']} changed, {run['unchanged']} unchanged; "
            f"{run['errors']} errors"
        ]
    if run.get("stats"):
        lines.append(_requests(run["stats"], lang))
    for t in troubled:
        said = (
            sentence(t["rule"], t["evidence"], t["detail"] or "", lang)
            if t["evidence"]
            else f"{health_label(t['status'], lang)}{colon}{t['detail']}"
        )
        lines.append(f"  {t['agency_id']}{colon}{said}")
    return "\n".join(lines)


def source_text(source: dict[str, Any], lang: str = "zh") -> str:
    """What the latest crawl read of one source, for a person: its state, each column's
    pages and records and why it stopped, the reports found, the titles given to nobody."""
    zh = lang == "zh"
    health = source["health"] or {"status": "never crawled", "detail": None}
    colon = "：" if zh else ": "
    lines = [f"{source['agency_id']} {source['name']}{colon}{health_label(health['status'], lang)}"]
    for r in source["lists"]:
        if "pages_read" not in r:
            lines.append(
                f"  栏目 {r['list_url']}：尚未读取"
                if zh
                else f"  column {r['list_url']}: not read yet"
            )
            continue
        pages, records = (
            (f"{r[k + '_read']}/{r[k + '_announced'] or '?'}") for k in ("pages", "records")
        )
        why = label(STOP_REASON_LABELS, r["stop_reason"], lang)
        if zh:
            end = "已读完" if r["complete"] else f"未读完：{why}"
            family = r["family"] or "?"
            lines.append(f"  栏目 {r['list_url']}：{family}，已读 {pages} 页、{records} 条；{end}")
        else:
            end = "read to its end" if r["complete"] else f"NOT read to its end: {r['stop_reason']}"
            lines.append(
                f"  column {r['list_url']}: {r['family'] or '?'}, "
                f"{r['pages_read']} of {r['pages_announced'] or '?'} pages, "
                f"{r['records_read']} of {r['records_announced'] or '?'} records; {end}"
            )
        for url, error in r["detail"].get("failed", {}).items():
            lines.append(f"    {'失败' if zh else 'failed'} {url}{colon}{error}")
    for rep in source["reports"]:
        if zh:
            listed = f"（列表日期 {rep['listed_date']}）" if rep["listed_date"] else ""
            lines.append(f"  {rep['year']}年 {rep['title'] or '?'} {rep['url'] or ''}{listed}")
        else:
            listed = f" (listed {rep['listed_date']})" if rep["listed_date"] else ""
            lines.append(f"  {rep['year']} {rep['title'] or '?'} {rep['url'] or ''}{listed}")
    for u in source["unassigned"]:
        issuer = u["issuer"] or ("未署名" if zh else "no name")
        head = "未归属" if zh else "to nobody"
        lines.append(f"  {head} ({u['reason']}: {issuer}){colon}{u['title']}")
    return "\n".join(lines)


def render_matrix(
    data: dict[str, dict[int, tuple[str, ...]]],
    fmt: str,
    out: Any,
    names: dict[str, str] | None = None,
    lang: str = "zh",
) -> None:
    """The compliance matrix: JSON with every status (keys, for programs), else a table
    or CSV for people: the agency's name and id, the worst status of each year in words
    (``lang``)."""
    years = sorted({y for row in data.values() for y in row})
    if fmt == "json":
        out.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        return
    names = names or {}
    rows = [
        [
            names.get(agency, agency),
            agency,
            *(label(STATUS_LABELS, worst(row[y]), lang) if y in row else "" for y in years),
        ]
        for agency, row in data.items()
    ]
    head = ["单位", "单位编号"] if lang == "zh" else ["agency", "agency_id"]
    emit([*head, *map(str, years)], rows, fmt, out)


def demo_matrix(report: dict[str, Any], lang: str) -> str:
    """The compliance report's matrix as text: agency names, a status per year."""
    import io

    years = report["years"]
    columns = ["单位" if lang == "zh" else "agency", *map(str, years)]
    rows = [
        [a["name"], *(a["cells"][y]["label"] if y in a["cells"] else "—" for y in years)]
        for a in report["agencies"]
    ]
    out = io.StringIO()
    emit(columns, rows, "table", out)
    as_of = "判断日期" if lang == "zh" else "judged as of"
    return f"{as_of} {report['as_of']}\n{out.getvalue().rstrip()}"


def demo_guide(conn: Any, planted: Any, db: str, lang: str) -> str:
    """What each planted defect of the demo is, what nianbao says of it, and the command
    that shows it; then where to look next."""
    from report.registry import title
    from report.sentences import sentence
    from storage.query import EXAMPLES, agencies, findings

    names = {a: facts["name"] for a, facts in agencies(conn).items()}
    zh = lang == "zh"
    lines = ["planted in the demo portal:" if not zh else "演示门户中埋设的问题："]
    for _kind, agency_id, year, rule, said_zh, said_en in planted:
        when = (f"{year}年" if zh else str(year)) if year else ""
        lines.append(f"• {title(rule, lang)} — {names.get(agency_id, agency_id)} {when}".rstrip())
        lines.append(f"  {said_zh if zh else said_en}")
        agency_wide = rule.startswith("source.")  # a source's finding is not a year's
        found = findings(conn, agency=agency_id, year=None if agency_wide else year, rule=rule)
        if found:
            f = found[0]
            evidence = (
                f["evidence"] if isinstance(f["evidence"], dict) else json.loads(f["evidence"])
            )
            lines.append(
                ("  nianbao：" if zh else "  nianbao: ")
                + sentence(rule, evidence, f["message"], lang, year)
            )
        else:
            lines.append("  nianbao：（未发现！）" if zh else "  nianbao: (not found!)")
        where = f" --year {year}" if year and not agency_wide else ""
        lines.append(f"  nianbao findings --db {db} --agency {agency_id}{where}")
    report = db.rsplit("/", 1)[0] + "/report.html" if "/" in db else "report.html"
    lines += [
        "",
        "接下来：" if zh else "next:",
        (
            f"  在浏览器中打开 {report}，点击任一单元格查看问题与原文"
            if zh
            else f"  open {report} in a browser and click any cell"
        ),
        f'  nianbao query --db {db} "{EXAMPLES["not_ok"][1]}"',
        f"  nianbao search --db {db} 信息处理费",
        f"  nianbao serve --db {db}"
        + (
            "    （需要 pip install 'nianbao[web]'）"
            if zh
            else "    (needs pip install 'nianbao[web]')"
        ),
    ]
    return "\n".join(lines)


SCORE_HEADERS = {
    "zh": ("排名", "单位", "层级", "地区", "得分", "扣分", "待复核"),
    "en": ("rank", "agency", "level", "region", "score", "points lost", "to review"),
}


def score_table(scores: list[Any], lang: str = "zh") -> tuple[list[str], list[list[Any]]]:
    """Scores as a ranking a person reads: rank within region and level (N/M), the
    agency's name, level and region in words, the score, what cost points (the rules'
    titles), how many findings wait for a person's review."""
    from report.agencies import LEVEL_LABELS

    rows = []
    for s in scores:
        lost = "；".join(
            f"{title(rule, lang)} {points:g}" for rule, points in sorted(s.lost.items())
        )
        rows.append(
            [
                f"{s.rank}/{s.of}",
                s.name,
                label(LEVEL_LABELS, s.level, lang),
                s.region,
                f"{s.score:g}",
                lost,
                sum(s.flagged.values()) or "",
            ]
        )
    return list(SCORE_HEADERS[lang]), rows
