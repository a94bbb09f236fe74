"""One digest message in the subscriber's language (Chinese by default): a summary first
(counts by agency and kind), then each agency by name with its findings, worst and
latest first, each as a sentence with the template's labels, what it means and what the
agency should do, and links to the document, the agency's column and the compliance
report; then what was resolved since the last digest. The plain-text part says the same
as the HTML part."""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote, urlsplit

from report.agencies import LEVEL_LABELS
from report.findings import SEVERITIES
from report.registry import SEVERITY_LABELS, label, title
from report.sentences import advice, meaning, sentence

WORDS = {
    "zh": {
        "subject": "年报监测：{agencies}个单位{new}项新发现（{errors}项错误），{resolved}项已解决",
        "summary": "摘要",
        "counts": "新发现 {new} 项（{severities}），涉及 {agencies} 个单位；已解决 {resolved} 项。",
        "by_agency": "按单位",
        "by_kind": "按类型",
        "year": "{year}年",
        "means": "含义",
        "todo": "建议",
        "document": "文件",
        "column": "栏目",
        "report": "合规报告",
        "resolved": "自上次通知以来已解决",
        "reopened": "（曾通知已解决或已被驳回，现重新出现）",
        "number": "发现编号 {id}",
        "unknown": "（未知单位）",
        "footer": "本邮件由 nianbao 自动生成。",
    },
    "en": {
        "subject": "nianbao: {new} new findings for {agencies} agencies ({errors} errors), "
        "{resolved} resolved",
        "summary": "Summary",
        "counts": "{new} new finding(s) ({severities}) for {agencies} agencies; "
        "{resolved} resolved.",
        "by_agency": "By agency",
        "by_kind": "By kind",
        "year": "{year}",
        "means": "What it means",
        "todo": "What to do",
        "document": "document",
        "column": "column",
        "report": "compliance report",
        "resolved": "Resolved since the last digest",
        "reopened": " (told as resolved or dismissed before; found again)",
        "number": "finding {id}",
        "unknown": "(unknown agency)",
        "footer": "Sent by nianbao.",
    },
}


def _web(url: str | None) -> str | None:
    return url if url and urlsplit(url).scheme in ("http", "https") else None


def _evidence(row: Mapping[str, Any]) -> dict[str, Any]:
    value = row.get("evidence")
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return {}
    return dict(value or {})


def _name(agencies: Mapping[str, Mapping[str, Any]], agency_id: str | None, lang: str) -> str:
    if agency_id and agency_id in agencies:
        return str(agencies[agency_id]["name"])
    return agency_id or WORDS[lang]["unknown"]


def _links(
    row: Mapping[str, Any],
    agencies: Mapping[str, Mapping[str, Any]],
    report_url: str | None,
    lang: str,
) -> list[tuple[str, str]]:
    w = WORDS[lang]
    out = []
    if doc := _web(row.get("link")):
        out.append((w["document"], doc))
    facts = agencies.get(row.get("agency_id") or "", {})
    if column := _web((facts.get("list_urls") or [None])[0]):
        out.append((w["column"], column))
    if report := _web(report_url):
        anchor = quote(f"{row.get('agency_id') or ''}-{row.get('year') or ''}")
        out.append((w["report"], f"{report}#{anchor}"))
    return out


def compose(
    address: str,
    sender: str,
    new: list[dict[str, Any]],
    resolved: list[dict[str, Any]],
    agencies: Mapping[str, Mapping[str, Any]],
    lang: str = "zh",
    report_url: str | None = None,
) -> EmailMessage:
    """The digest for ``address``: findings new to it and those resolved since."""
    w = WORDS[lang]
    by_agency = Counter(r["agency_id"] for r in new)
    by_severity = Counter(r["severity"] for r in new)
    msg = EmailMessage()
    msg["Subject"] = w["subject"].format(
        agencies=len(by_agency),
        new=len(new),
        errors=by_severity["error"],
        resolved=len(resolved),
    )
    msg["From"], msg["To"] = sender, address
    text, rich = _overview(new, resolved, agencies, lang)
    for agency_id, _ in by_agency.most_common():
        heading = _agency_heading(agencies, agency_id, lang)
        text += [heading, "=" * 20]
        rich.append(f"<h2>{html.escape(heading)}</h2><ul>")
        rows = sorted(
            (r for r in new if r["agency_id"] == agency_id),
            key=lambda r: (-SEVERITIES.index(r["severity"]), -(r["year"] or 0), r["rule"]),
        )
        for r in rows:
            lines, item = _finding(r, agencies, report_url, lang)
            text += lines
            rich.append(item)
        rich.append("</ul>")
    if resolved:
        text += [w["resolved"], "=" * 20]
        rich.append(f"<h2>{html.escape(w['resolved'])}</h2><ul>")
        for r in sorted(resolved, key=lambda r: (r["agency_id"] or "", r["year"] or 0)):
            year = w["year"].format(year=r["year"]) if r["year"] else ""
            line = f"{_name(agencies, r['agency_id'], lang)} {year} {title(r['rule'], lang)}"
            text.append(line.replace("  ", " "))
            rich.append(f"<li>{html.escape(line)}</li>")
        rich.append("</ul>")
    text += ["", w["footer"]]
    rich.append(f"<p><small>{html.escape(w['footer'])}</small></p>")
    msg.set_content("\n".join(text) + "\n")
    html_lang = "zh-CN" if lang == "zh" else "en"
    msg.add_alternative(
        f'<html lang="{html_lang}"><body>' + "".join(rich) + "</body></html>", subtype="html"
    )
    return msg


def _labelled(word: str, value: str, lang: str) -> str:
    return f"{word}：{value}" if lang == "zh" else f"{word}: {value}"


def _overview(
    new: list[dict[str, Any]],
    resolved: list[dict[str, Any]],
    agencies: Mapping[str, Mapping[str, Any]],
    lang: str,
) -> tuple[list[str], list[str]]:
    """The digest's opening, as text lines and as HTML: the counts, and for new findings
    how they fall by agency and by kind."""
    w = WORDS[lang]
    by_agency = Counter(r["agency_id"] for r in new)
    by_kind = Counter(r["rule"] for r in new)
    by_severity = Counter(r["severity"] for r in new)
    severities = ("、" if lang == "zh" else ", ").join(
        f"{label(SEVERITY_LABELS, s, lang)} {by_severity[s]}"
        for s in reversed(SEVERITIES)
        if by_severity[s]
    )
    counts = w["counts"].format(
        new=len(new), severities=severities, agencies=len(by_agency), resolved=len(resolved)
    )
    text = [w["summary"], counts]
    rich = [f"<h1>{html.escape(w['summary'])}</h1><p>{html.escape(counts)}</p>"]
    if new:
        sep = "、" if lang == "zh" else ", "
        by_agency_line = _labelled(
            w["by_agency"],
            sep.join(f"{_name(agencies, a, lang)} {n}" for a, n in by_agency.most_common()),
            lang,
        )
        by_kind_line = _labelled(
            w["by_kind"], sep.join(f"{title(r, lang)} {n}" for r, n in by_kind.most_common()), lang
        )
        text += [by_agency_line, by_kind_line]
        rich.append(f"<p>{html.escape(by_agency_line)}<br>{html.escape(by_kind_line)}</p>")
    text.append("")
    return text, rich


def _agency_heading(agencies: Mapping[str, Mapping[str, Any]], agency_id: str, lang: str) -> str:
    """An agency's name, with its level and region where known."""
    facts = agencies.get(agency_id or "", {})
    name = _name(agencies, agency_id, lang)
    where = " · ".join(
        x
        for x in (
            label(LEVEL_LABELS, facts["level"], lang) if facts.get("level") else "",
            facts.get("region") or "",
        )
        if x
    )
    if not where:
        return name
    return f"{name}（{where}）" if lang == "zh" else f"{name} ({where})"


def _finding(
    r: dict[str, Any],
    agencies: Mapping[str, Mapping[str, Any]],
    report_url: str | None,
    lang: str,
) -> tuple[list[str], str]:
    """One finding as text lines and as an HTML list item: what was found, what it means,
    what to do, and where to look."""
    w = WORDS[lang]
    said = sentence(r["rule"], _evidence(r), r.get("message", ""), lang, r["year"])
    year = w["year"].format(year=r["year"]) if r["year"] else ""
    head = f"[{label(SEVERITY_LABELS, r['severity'], lang)}] {year} {title(r['rule'], lang)}"
    if r.get("reopened"):
        head += w["reopened"]
    if r.get("id") is not None:  # the number `nianbao review` takes
        head += f" · {w['number'].format(id=r['id'])}"
    means = _labelled(w["means"], meaning(r["rule"], lang), lang)
    todo = _labelled(w["todo"], advice(r["rule"], lang), lang)
    links = _links(r, agencies, report_url, lang)
    lines = [head.replace("  ", " "), f"  {said}", f"  {means}", f"  {todo}"]
    lines += [f"  {_labelled(name, url, lang)}" for name, url in links]
    lines.append("")
    link_html = " · ".join(
        f'<a href="{html.escape(url)}">{html.escape(name)}</a>' for name, url in links
    )
    item = (
        f"<li><b>{html.escape(head)}</b><br>{html.escape(said)}<br>"
        f"<small>{html.escape(means)}<br>{html.escape(todo)}</small>"
        + (f"<br>{link_html}" if link_html else "")
        + "</li>"
    )
    return lines, item
