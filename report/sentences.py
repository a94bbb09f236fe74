"""A finding as a sentence a person reads, with the template's own row and column labels
and the numbers from its evidence, in Chinese (default) or English.

Digests and the compliance report quote these; the rule's meaning and advice come from
``report.registry``. A rule without a sentence here, or evidence without the numbers a
sentence needs, falls back to the registry's meaning followed by the finding's message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from report.registry import STOP_REASON_LABELS, error_label, label
from report.registry import rule as rule_of
from report.template import COLUMN_LABELS, GROUP_LABELS, TABLE_LABELS, cell_label, row_label

Evidence = Mapping[str, Any]


def _col(column: str, lang: str) -> str:
    return label(COLUMN_LABELS, column, lang)


def _first(items: list[str], most: int, lang: str) -> str:
    """The first ``most`` of ``items`` in a list, saying when there are more."""
    listed = ("、" if lang == "zh" else "; ").join(items[:most])
    return listed + (("等" if lang == "zh" else ", …") if len(items) > most else "")


def _balance(e: Evidence, lang: str) -> str:
    c = e["cells"]
    col = _col(e["column"], lang)
    if lang == "zh":
        return (
            f"申请情况表“{col}”一列：本年新收 {c['new_received']} 件 + 上年结转 "
            f"{c['carried_over']} 件 = {e['expected']} 件，但办理结果总计 {c['total']} 件 + "
            f"结转下年度 {c['carried_forward']} 件 = {e['found']} 件，两者不等。"
        )
    return (
        f"Applications table, column “{col}”: {c['new_received']} new + "
        f"{c['carried_over']} carried over = {e['expected']}, but {c['total']} handled + "
        f"{c['carried_forward']} carried forward = {e['found']}."
    )


def _outcome_sum(e: Evidence, lang: str) -> str:
    col = _col(e["column"], lang)
    if lang == "zh":
        return (
            f"申请情况表“{col}”一列：“（七）总计”为 {e['found']} 件，"
            f"但各项办理结果相加为 {e['expected']} 件。"
        )
    return (
        f"Applications table, column “{col}”: the total of outcomes is {e['found']}, "
        f"but the outcome rows add up to {e['expected']}."
    )


def _column_total(e: Evidence, lang: str) -> str:
    row = row_label(e["row"], lang)
    if lang == "zh":
        return (
            f"“{row}”一行：“总计”为 {e['found']} 件，但自然人与各类法人或其他组织相加为 "
            f"{e['expected']} 件。"
        )
    return (
        f"Row “{row}”: the total is {e['found']}, "
        f"but its applicant columns add up to {e['expected']}."
    )


def _group_total(e: Evidence, lang: str) -> str:
    group = GROUP_LABELS.get(f"appeals.{e['group']}", (e["group"], e["group"]))
    if lang == "zh":
        return (
            f"行政复议、行政诉讼表“{group[0]}”：“总计”为 {e['found']} 件，"
            f"但结果维持、结果纠正、其他结果、尚未审结相加为 {e['expected']} 件。"
        )
    return (
        f"Appeals table, “{group[1]}”: the total is {e['found']}, "
        f"but its parts add up to {e['expected']}."
    )


def _narrative(e: Evidence, lang: str) -> str:
    label = cell_label(e["key"], lang)
    if lang == "zh":
        return f"正文称收到政府信息公开申请 {e['stated']} 件，但表格“{label}”为 {e['table']} 件。"
    return (
        f"The text states {e['stated']} requests received, "
        f"but the table's “{label}” has {e['table']}."
    )


def _fees(e: Evidence, lang: str) -> str:
    if e["said"] == "no_notice":
        if lang == "zh":
            return (
                f"正文称未发出收费通知，但表三“申请人逾期未按收费通知要求缴纳费用”为 "
                f"{e['table']:g} 件。"
            )
        return (
            "The text says no fee notice was sent, but table 3 closes "
            f"{e['table']:g} request(s) for a fee not paid."
        )
    if lang == "zh":
        return f"正文称收取信息处理费 {e['fees_yuan']:g} 元，但表三本年新收和上年结转的申请均为 0。"
    return (
        f"The text says {e['fees_yuan']:g} yuan of fees were charged, but table 3 has no "
        "request received or carried over."
    )


def _problems_empty(e: Evidence, lang: str) -> str:
    said = e["said"]
    if lang == "zh":
        return f"第五部分“存在的主要问题及改进情况”只写了“{said}”。" if said else "第五部分为空。"
    return f"Section 5 says only “{said}”." if said else "Section 5 is empty."


def _problems_copied(e: Evidence, lang: str) -> str:
    if lang == "zh":
        return f"第五部分与{e['previous_year']}年报告一字不差：“{e['said']}……”"
    return f"Section 5 is word for word the {e['previous_year']} report's: “{e['said']}…”"


def _problems_unanswered(e: Evidence, lang: str) -> str:
    if lang == "zh":
        return (
            f"{e['previous_year']}年报告第五部分列出的问题（“{e['named']}……”），"
            "本年报告未说明改进情况。"
        )
    return (
        f"The {e['previous_year']} report's section 5 named problems (“{e['named']}…”); "
        "this year's says nothing of what became of them."
    )


def _region_silent(e: Evidence, lang: str) -> str:
    if lang == "zh":
        return "报告未提及本行政区域内的部门、乡镇或街道。"
    return "The report names none of its region's departments, townships or streets."


def _table(name: str, lang: str) -> str:
    return label(TABLE_LABELS, name, lang)


_TEMPLATE_NAMES = {"2019": "2019年版", "2021": "2021年版", "legacy": "2019年以前的旧版"}


def _mismatch(e: Evidence, lang: str) -> str:
    if lang == "zh":
        found = _TEMPLATE_NAMES.get(e["found"], e["found"])
        expected = _TEMPLATE_NAMES[e["expected"]]
        return f"{e['year']}年度报告应使用{expected}格式，本报告使用的是{found}格式。"
    return (
        f"A {e['year']} report should follow the {e['expected']} template; "
        f"this one is {e['found']}."
    )


def _missing_section(e: Evidence, lang: str) -> str:
    if lang == "zh":
        return f"报告中没有找到“{e['section']}”部分。"
    return f"The section “{e['section']}” was not found."


def _missing_table(e: Evidence, lang: str) -> str:
    if lang == "zh":
        return f"报告中没有找到{_table(e['table'], lang)}（或表格不是文字，无法读取）。"
    return f"{_table(e['table'], lang).capitalize()} was not found (or is not text)."


def _missing_row(e: Evidence, lang: str) -> str:
    rows = [row_label(r, lang) for r in e["rows"]]
    shown = _first(rows, 5, lang)
    if lang == "zh":
        return f"{_table(e['table'], lang)}缺少 {len(rows)} 行：{shown}。"
    return f"{len(rows)} row(s) missing from {_table(e['table'], lang)}: {shown}."


def _article(e: Evidence, lang: str) -> str:
    if lang == "zh":
        return f"表头引用的是{e['found']}，格式规定为{e['expected']}。"
    return f"The table header cites {e['found']}; the template cites {e['expected']}."


def _blank(e: Evidence, lang: str) -> str:
    rows = [row_label(r["row"], lang) for r in e["rows"]]
    shown, table = _first(rows, 4, lang), _table(e["table"], lang)
    if lang == "zh":
        return f"{table}有 {len(e['keys'])} 个单元格空白，在 {len(rows)} 行：{shown}。"
    return f"{len(e['keys'])} cell(s) left blank in {len(rows)} row(s) of {table}: {shown}."


def _numbers(values: Any) -> str:
    return " ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)


def _unreadable(e: Evidence, lang: str) -> str:
    label = row_label(e["row"], lang)
    if e.get("unread"):
        read = _numbers("?" if v is None else v for v in e["values"])
        if lang == "zh":
            return (
                f"“{label}”一行有 {e['unread']} 个单元格在扫描图像中无法可靠识别（读到：{read}），"
                "为免误读，该行留空，请人工核对。"
            )
        return (
            f"“{label}”: {e['unread']} cell(s) not read with certainty from the image "
            f"(read: {read}); the row is left empty for a person to check."
        )
    if lang == "zh":
        return (
            f"“{label}”一行读到 {len(e['values'])} 个数字（{_numbers(e['values'])}），"
            f"应有 {e['expected']} 个单元格，无法确定对应关系，该行留空。"
        )
    return (
        f"“{label}”: {len(e['values'])} numbers ({_numbers(e['values'])}) for "
        f"{e['expected']} cells; the row is left empty."
    )


def _ocr(e: Evidence, lang: str) -> str:
    pages = "、".join(map(str, e["pages"])) if lang == "zh" else ", ".join(map(str, e["pages"]))
    unsure, unseen = len(e["unsure"]), len(e.get("not_seen", ()))
    pictures = len(e.get("pictures", ()))
    if lang == "zh":
        where = f"第 {pages} 页没有文字层" if pages else f"文件中的 {pictures} 幅图片"
        return (
            f"{where}，经文字识别读出（{e['boxes']} 处文字，最低置信度 "
            f"{e['confidence']:.2f}）；{unsure} 处识别不可靠，未作为数字采用"
            + (f"；格式中有 {unseen} 处未在识别结果中找到，请人工核对原件。" if unseen else "。")
        )
    where = f"Page(s) {pages} have no text layer and" if pages else f"{pictures} picture(s)"
    return (
        f"{where} were read by OCR ({e['boxes']} boxes, lowest "
        f"confidence {e['confidence']:.2f}); {unsure} box(es) not read with certainty were "
        "not taken as numbers"
        + (f"; {unseen} part(s) of the template not seen: check the original." if unseen else ".")
    )


def _inferred(e: Evidence, lang: str) -> str:
    label = row_label(e["row"], lang)
    if lang == "zh":
        return (
            f"“{label}”一行少读到一个数字（{_numbers(e['found'])}），按格式的合计关系唯一确定为 "
            f"{_numbers(e['values'])}。"
        )
    return (
        f"“{label}” lost a number ({_numbers(e['found'])}); the template's sums leave one "
        f"reading: {_numbers(e['values'])}."
    )


def _converted(e: Evidence, lang: str) -> str:
    label = cell_label(e["key"], lang)
    if lang == "zh":
        return f"“{label}”以元填报（{e['printed']}），已换算为 {e['value']:g} 万元。"
    return f"“{label}” was printed in 元 ({e['printed']}) and recorded as {e['value']:g} 万元."


def _no_text(e: Evidence, lang: str) -> str:
    if lang == "zh":
        return "文件没有可读取的文字（可能是扫描件或图片），其数据无法核对。"
    return "The document has no text (a scan or an image?): its numbers cannot be checked."


def _pictures_unread(e: Evidence, lang: str) -> str:
    unseen = len(e.get("not_seen", ()))
    if lang == "zh":
        return (
            f"报告正文中有 {e['pictures']} 幅图片未能识别，表格可能在图片中；"
            + (f"格式中有 {unseen} 处未在文字中找到，未据此判定缺失，" if unseen else "")
            + "请人工核对原件。"
        )
    return (
        f"The report shows {e['pictures']} picture(s) that were not read; "
        "its tables may be among them"
        + (f": {unseen} part(s) of the template not found are not charged" if unseen else "")
        + ". Check the original."
    )


def _garbled(e: Evidence, lang: str) -> str:
    if lang == "zh":
        return f"文件有 {e['characters']} 个字符解码错误（声明的编码与内容不符），其数据无法核对。"
    return f"{e['characters']} characters decoded wrongly: the numbers cannot be checked."


def _date_unverified(e: Evidence, lang: str) -> str:
    if lang == "zh":
        return (
            f"页面未标明发布日期；首次发现该报告是在 {e['first_seen']}，已晚于截止日期 "
            f"{e['deadline']}，无法确认是否按时发布。"
        )
    return (
        f"No publication date on the page; first seen {e['first_seen']}, after the deadline "
        f"{e['deadline']}: it may have been published in time."
    )


def _document_unread(e: Evidence, lang: str) -> str:
    page, tried = e["page"], e.get("documents") or {}
    if lang == "zh":
        why = (
            f"其 {len(tried)} 个附件无法读取："
            + "；".join(f"{u}（{err}）" for u, err in tried.items())
            if tried
            else "也没有附件链接"
        )
        return f"页面 {page['url']} 列为该年度报告，但页面上没有报告正文，{why}。"
    why = f"its {len(tried)} document(s) could not be read" if tried else "it links no document"
    return f"{page['url']} is listed as the report but holds none of its text, and {why}."


def _revised(e: Evidence, lang: str) -> str:
    changed = e.get("changed_cells") or {}
    quoted = [f"“{cell_label(k, lang)}”" for k in changed]
    listed = _first(quoted, 3, lang)
    if lang == "zh":
        return f"报告发布后被修改，有 {len(changed)} 个单元格与原版本不同" + (
            f"：{listed}。" if quoted else "。"
        )
    return f"The report changed after publication; {len(changed)} cell(s) differ" + (
        f": {listed}." if quoted else "."
    )


def _part_sum(e: Evidence, lang: str) -> str:
    parts = " + ".join(map(str, e["parts"]))
    if lang == "zh":
        return (
            f"正文中的合计 {e['total']}{e['unit']} 小于其中各项之和（{parts} = "
            f"{sum(e['parts'])}{e['unit']}）：“{e['sentence']}”"
        )
    return (
        f"The text gives a total of {e['total']} whose parts ({parts}) add up to {sum(e['parts'])}."
    )


def _missing(e: Evidence, lang: str) -> str:
    grace = e.get("grace_days") or 0
    if lang == "zh":
        after = f" 及宽限期 {grace} 天" if grace else ""
        return f"该年度报告的截止日期 {e['deadline']}{after} 已过，在已完整读取的年报栏目中未找到。"
    after = f" and {grace} day(s) of grace" if grace else ""
    return (
        f"The year's report was due by {e['deadline']}{after}; the column, read to its end, "
        "does not list it."
    )


def _late(e: Evidence, lang: str) -> str:
    if lang == "zh":
        return (
            f"报告发布于 {e['published_at']}，晚于截止日期 {e['deadline']} 共 {e['days_late']} 天。"
        )
    return (
        f"Published on {e['published_at']}, {e['days_late']} day(s) after the deadline "
        f"{e['deadline']}."
    )


def _carry(e: Evidence, lang: str, year: int | None) -> str:
    last = year - 1 if year else None
    parts = []
    for column, pair in e["columns"].items():
        col = _col(column, lang)
        before, now = pair["carried_forward_last_year"], pair["carried_over"]
        parts.append(
            f"“{col}”上年结转 {now} 件，{last or '上'}年报告结转下年度 {before} 件"
            if lang == "zh"
            else f"“{col}”: {now} carried over, but {last or 'last year'}'s report carried "
            f"{before} forward"
        )
    if lang == "zh":
        return "本年“二、上年结转政府信息公开申请数量”与上年报告“四、结转下年度继续办理”不符：" + (
            "；".join(parts) + "。"
        )
    return "This year's carry-over does not match last year's carried forward: " + (
        "; ".join(parts) + "."
    )


def _in_force(e: Evidence, lang: str) -> str:
    label = cell_label(e["key"], lang)
    if lang == "zh":
        return (
            f"“{label}”为 {e['stated']} 件；上年现行有效 {e['last_year']} 件 + 本年制发 "
            f"{e['issued']} 件 − 本年废止 {e['repealed']} 件应为 {e['expected']} 件。"
        )
    return (
        f"“{label}” is {e['stated']}; last year's {e['last_year']} + {e['issued']} issued − "
        f"{e['repealed']} repealed = {e['expected']}."
    )


def _duplicate(e: Evidence, lang: str, year: int | None) -> str:
    share = f"{e['similarity']:.0%}"
    last = f"{year - 1}年" if year else "上年"
    if lang == "zh":
        return f"正文与{last}报告的文字相同部分达 {share}（数字不计），疑似照搬上年报告。"
    return f"{share} of the prose is the same as last year's report (numbers aside)."


def _negative(e: Evidence, lang: str) -> str:
    label = cell_label(e["key"], lang)
    if lang == "zh":
        return f"“{label}”为负数（{e['value']}）。"
    return f"“{label}” is negative ({e['value']})."


def _township_rules(e: Evidence, lang: str) -> str:
    label = cell_label(e["key"], lang)
    if lang == "zh":
        return f"乡镇报告“{label}”为 {e['value']} 件，但乡镇无权制定规章。"
    return f"A township reports “{label}” = {e['value']}, but townships make no rules."


def _unreachable(e: Evidence, lang: str) -> str:
    pages = e["list_pages"]
    listed = "；".join(f"{u}（{error_label(err)}）" for u, err in pages.items())
    if lang == "zh":
        return f"年报栏目无法访问：{listed}。各年度判为无法核实，不认定缺失。"
    listed = "; ".join(f"{u} ({error_label(err, 'en')})" for u, err in pages.items())
    return f"The annual-report column cannot be read: {listed}. Its years are unverified."


def _incomplete(e: Evidence, lang: str) -> str:
    parts = []
    for r in e["lists"]:
        why = label(STOP_REASON_LABELS, r["stop_reason"], lang)
        pages = f"{r.get('pages_read')}/{r.get('pages_announced') or '?'}"
        parts.append(
            f"{r['list_url']}（{why}，已读 {pages} 页）"
            if lang == "zh"
            else f"{r['list_url']} ({why}; {pages} pages read)"
        )
    if lang == "zh":
        return f"栏目未能读完：{'；'.join(parts)}。未找到的年度判为无法核实，不认定缺失。"
    return f"Not read to its end: {'; '.join(parts)}. Years not found there are unverified."


def _unreadable_documents(e: Evidence, lang: str) -> str:
    docs = e["documents"]
    if lang == "zh":
        return f"{len(docs)} 个文件无法下载或读取：" + "；".join(
            f"{u}（{err}）" for u, err in docs.items()
        )
    return f"{len(docs)} document(s) could not be fetched or read: " + "; ".join(
        f"{u} ({err})" for u, err in docs.items()
    )


def _no_reports(e: Evidence, lang: str) -> str:
    if lang == "zh":
        pages = e["list_pages_read"]
        return f"已读取栏目的 {pages} 个页面，其中没有该单位的年度报告：栏目可能已迁移。"
    return f"{e['list_pages_read']} list page(s) read, none naming this agency's reports."


def _attribution(e: Evidence, lang: str) -> str:
    listing, document = e["listing"], e["document"]
    other = document.get("agency") or document.get("agency_id") or "?"
    if lang == "zh":
        return (
            f"栏目将《{listing['title']}》列为本单位{listing['year']}年度报告，"
            f"但文件本身是{other}{document.get('year')}年度的报告。"
        )
    return (
        f"The column lists “{listing['title']}” as this agency's {listing['year']} report, "
        f"but the document is {other}'s {document.get('year')} report."
    )


def _year_jump(e: Evidence, lang: str, year: int | None) -> str:
    last = f"{year - 1}年" if year and lang == "zh" else (str(year - 1) if year else "")
    label = cell_label(e["key"], lang)
    if lang == "zh":
        return (
            f"“{label}”由{last or '上年'} {e['last_year']:g} 变为本年 {e['this_year']:g}，"
            "相差超过5倍，请核对。"
        )
    return (
        f"“{label}” went from {e['last_year']:g} in {last or 'last year'} to "
        f"{e['this_year']:g}: more than 5-fold; check it."
    )


def _peer_zero(e: Evidence, lang: str) -> str:
    low, high = e["quartiles"]
    if lang == "zh":
        return (
            f"本年新收申请数为0；{e['region']}同层级的 {e['peers']} 个单位中位数为 "
            f"{e['median']:g} 件（四分位 {low:g}–{high:g}），请核对。"
        )
    return (
        f"0 requests received, where {e['peers']} agencies of its level in {e['region']} "
        f"report a median of {e['median']:g} (quartiles {low:g}–{high:g}): check it."
    )


def _date_after_seen(e: Evidence, lang: str) -> str:
    if lang == "zh":
        return (
            f"页面所示发布日期 {e['published_at']} 晚于首次发现该报告的 {e['first_seen']}："
            "日期系上网后改写，按首次发现日期判断是否逾期。"
        )
    return (
        f"The page shows {e['published_at']}, but the report was first seen on "
        f"{e['first_seen']}: the date was set later; lateness is judged by the first sighting."
    )


def _peer_outlier(e: Evidence, lang: str) -> str:
    low, high = e["quartiles"]
    if lang == "zh":
        return (
            f"本年新收申请 {e['value']:g} 件，远高于{e['region']}同层级的 {e['peers']} 个单位"
            f"（中位数 {e['median']:g} 件，四分位 {low:g}–{high:g}），请核对。"
        )
    return (
        f"{e['value']:g} requests received, far above the {e['peers']} agencies of its level "
        f"in {e['region']} (median {e['median']:g}, quartiles {low:g}–{high:g}): check it."
    )


def _date_changed(e: Evidence, lang: str) -> str:
    first = (e.get("previous_first_seen") or "")[:10]
    if lang == "zh":
        said = f"发布日期由 {e['previous_published_at']} 改为 {e['published_at']}"
        said += f"（原日期的版本首次发现于 {first}）" if first else ""
        return said + ("，改早了：可能是倒签日期。" if e["earlier"] else "。")
    said = f"The publication date went from {e['previous_published_at']} to {e['published_at']}"
    said += f" (the earlier version was first seen on {first})" if first else ""
    return said + (": moved earlier, it may be backdated." if e["earlier"] else ".")


_SENTENCES: dict[str, Callable[..., str]] = {
    "source.unreachable": _unreachable,
    "source.incomplete": _incomplete,
    "source.unreadable_documents": _unreadable_documents,
    "source.no_reports": _no_reports,
    "report.attribution_conflict": _attribution,
    "applications.balance": _balance,
    "applications.outcome_sum": _outcome_sum,
    "applications.column_total": _column_total,
    "appeals.group_total": _group_total,
    "narrative.matches_table": _narrative,
    "narrative.part_sum": _part_sum,
    "narrative.fees": _fees,
    "template.mismatch": _mismatch,
    "template.missing_section": _missing_section,
    "template.missing_table": _missing_table,
    "template.missing_row": _missing_row,
    "template.article_reference": _article,
    "cells.blank": _blank,
    "cells.unreadable": _unreadable,
    "cells.inferred": _inferred,
    "cells.unit_converted": _converted,
    "document.no_text": _no_text,
    "cells.ocr": _ocr,
    "document.pictures_unread": _pictures_unread,
    "document.garbled": _garbled,
    "report.date_unverified": _date_unverified,
    "report.document_unread": _document_unread,
    "report.revised": _revised,
    "narrative.problems_empty": _problems_empty,
    "narrative.problems_copied": _problems_copied,
    "narrative.problems_unanswered": _problems_unanswered,
    "narrative.region_silent": _region_silent,
    "report.missing": _missing,
    "report.late": _late,
    "proactive.in_force_continuity": _in_force,
    "plausibility.negative": _negative,
    "plausibility.township_rules": _township_rules,
    "plausibility.peer_zero": _peer_zero,
    "plausibility.peer_outlier": _peer_outlier,
    "report.date_after_seen": _date_after_seen,
    "report.date_changed": _date_changed,
}
_WITH_YEAR: dict[str, Callable[..., str]] = {
    "carry.continuity": _carry,
    "report.duplicate_text": _duplicate,
    "plausibility.year_jump": _year_jump,
}


def sentence(
    rule: str, evidence: Evidence, message: str = "", lang: str = "zh", year: int | None = None
) -> str:
    """What a finding says, as one or two sentences in ``lang`` ("zh" or "en")."""
    try:
        if rule in _SENTENCES:
            return _SENTENCES[rule](evidence, lang)
        if rule in _WITH_YEAR:
            return _WITH_YEAR[rule](evidence, lang, year)
    except (KeyError, TypeError, ValueError, AttributeError):
        pass  # evidence from an older parser: say what the rule means instead
    known = rule_of(rule)
    meaning = (known.meaning_zh if lang == "zh" else known.meaning_en) if known else rule
    detail = evidence.get("detail") if isinstance(evidence, Mapping) else None
    extra = detail or message
    return (
        f"{meaning}（{extra}）"
        if extra and lang == "zh"
        else (f"{meaning} ({extra})" if extra else meaning)
    )


def meaning(rule: str, lang: str = "zh") -> str:
    known = rule_of(rule)
    if known is None:
        return ""
    return known.meaning_zh if lang == "zh" else known.meaning_en


def advice(rule: str, lang: str = "zh") -> str:
    known = rule_of(rule)
    if known is None:
        return ""
    return known.advice_zh if lang == "zh" else known.advice_en
