"""Every rule nianbao reports, in one place: its severity, which part of nianbao owns it
(and so recomputes and resolves it), whether it leaves a year unverified, and what it means
and what the agency should do — the words the docs, digests and reports quote.

Groups: ``report`` (checked inside one report version when it is archived), ``check``
(across years and against a date, by `nianbao check`), ``source`` (what a crawl met of an
agency's portal), ``crawl`` (what a crawl learned of one listing or version).
"""

from __future__ import annotations

from dataclasses import dataclass

from report.findings import ERROR, INFO, WARNING


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str
    group: str  # report | check | source | crawl
    meaning_zh: str
    advice_zh: str
    meaning_en: str
    advice_en: str
    unverifies: str | None = None  # agency: all its years; year: that year; None


_RULES = (
    # -- inside one report ------------------------------------------------------------------
    Rule(
        "applications.balance",
        ERROR,
        "report",
        "依申请公开表中，本年新收与上年结转之和不等于办理结果总计与结转下年度之和。",
        "核对表三各列：第一项加第二项之和应等于第三项加第四项之和，更正后重新发布。",
        "In the applications table, new plus carried over does not equal the total handled "
        "plus carried forward.",
        "Check each column of table 3 (items 1 + 2 = items 3 + 4) and publish a correction.",
    ),
    Rule(
        "applications.outcome_sum",
        ERROR,
        "report",
        "办理结果总计不等于各项办理结果之和。",
        "核对予以公开、部分公开、不予公开等各行与总计，更正后重新发布。",
        "The total of outcomes is not the sum of the outcome rows.",
        "Check the outcome rows against their total and publish a correction.",
    ),
    Rule(
        "applications.column_total",
        ERROR,
        "report",
        "某行的总计不等于各类申请人之和。",
        "核对该行自然人与各类法人或其他组织的数字与总计。",
        "A row's total is not the sum of its applicant columns.",
        "Check the applicant columns of the row against its total.",
    ),
    Rule(
        "appeals.group_total",
        ERROR,
        "report",
        "行政复议或行政诉讼的总计不等于维持、纠正、其他、尚未审结之和。",
        "核对表四各组的分项与总计。",
        "An appeals group's total is not the sum of its results.",
        "Check table 4's results against each group's total.",
    ),
    Rule(
        "narrative.matches_table",
        WARNING,
        "report",
        "正文所述数字与表格中的同一数字不一致。",
        "核对正文与表格，以正确者为准更正另一处。",
        "A number stated in the text differs from the table's.",
        "Check the text against the table and correct the wrong one.",
    ),
    Rule(
        "narrative.part_sum",
        WARNING,
        "report",
        "正文中“其中”各分项之和超过所述总数。",
        "核对该句的总数与分项。",
        "In the text, the parts of a total add up to more than the total.",
        "Check the sentence's total and parts.",
    ),
    Rule(
        "template.mismatch",
        WARNING,
        "report",
        "报告使用的格式与报告年度应采用的格式不符。",
        "按国务院办公厅规定的年度报告格式编制（2021年起为国办公开办函〔2021〕30号格式）。",
        "The report follows another template than its year's.",
        "Use the template in force for the year (国办公开办函〔2021〕30号 from 2021).",
    ),
    Rule(
        "template.missing_section",
        WARNING,
        "report",
        "报告缺少规定的章节。",
        "补全六个部分：总体情况、主动公开、依申请公开、复议诉讼、问题及改进、其他事项。",
        "A section of the template is missing.",
        "Include all six sections of the template.",
    ),
    Rule(
        "template.missing_table",
        WARNING,
        "report",
        "报告中没有可读取的规定表格（可能以图片发布或缺失）。",
        "以文字表格发布统计表，不要只发布图片。",
        "A template table is missing or not in the text (published as a picture?).",
        "Publish the tables as text, not only as pictures.",
    ),
    Rule(
        "template.missing_row",
        INFO,
        "report",
        "表格缺少规定的行。",
        "按格式列出全部行，没有数字的行填0。",
        "A table lacks rows of the template.",
        "List every row of the template; write 0 where there is nothing.",
    ),
    Rule(
        "template.article_reference",
        WARNING,
        "report",
        "表头引用的条款与格式规定不符。",
        "表二应引用《条例》第二十条。",
        "A table header cites the wrong article.",
        "Table 2 cites article 20 of the Regulations.",
    ),
    Rule(
        "cells.blank",
        WARNING,
        "report",
        "表格单元格空白，无法判断是否为0。",
        "没有数字的单元格填0，不要留空。",
        "Table cells are left blank: whether they mean 0 cannot be told.",
        "Write 0 in cells with nothing to report; do not leave them blank.",
    ),
    Rule(
        "cells.unreadable",
        WARNING,
        "report",
        "某行的数字多于单元格，或扫描件中的数字无法可靠识别，无法确定对应关系，该行留空。",
        "检查该行排版，确保每个单元格一个数字；扫描件请发布清晰的或带文字层的版本。",
        "A row has more numbers than cells, or numbers a scan does not show clearly; it is "
        "left empty rather than guessed.",
        "Check the row's layout (one number per cell); for a scan, publish a clear copy or "
        "one with a text layer.",
    ),
    Rule(
        "cells.ocr",
        INFO,
        "report",
        "报告（或其表格）是扫描图像，经文字识别（OCR）读出。",
        "发布带文字层的版本（网页或可复制文字的PDF）。",
        "The report (or its tables) is an image, read by OCR.",
        "Publish a version with a text layer (a web page or a PDF whose text can be copied).",
    ),
    Rule(
        "cells.inferred",
        INFO,
        "report",
        "某行提取时少了一个数字，按格式的勾稽关系唯一确定后补全。",
        "无需处理；如补全值有误，请检查原文排版。",
        "A row lost one number in extraction; the template's sums fixed it.",
        "Nothing to do; if the value is wrong, check the document's layout.",
    ),
    Rule(
        "cells.unit_converted",
        INFO,
        "report",
        "金额以“元”填报，已换算为格式规定的“万元”。",
        "按格式以万元填报金额。",
        "An amount printed in 元 was converted to the template's 万元.",
        "Report amounts in 万元 as the template asks.",
    ),
    Rule(
        "narrative.fees",
        WARNING,
        "report",
        "正文关于信息处理费的说法与表三不符：称未发出收费通知，表三却有“申请人逾期未按收费"
        "通知要求缴纳费用”的件数；或称收取了信息处理费，表三却没有办理任何申请。",
        "核对第六部分信息处理费的说明与表三相应数字，发布更正。",
        "What the text says of information-processing fees contradicts table 3: no fee "
        "notice sent, yet requests closed for a fee not paid; or fees charged in a year "
        "that handled no request.",
        "Check section 6's account of fees against table 3 and publish a correction.",
    ),
    Rule(
        "narrative.problems_empty",
        WARNING,
        "report",
        "第五部分“存在的主要问题及改进情况”为空、只写“无”或不足一句话，未说明本年度工作的问题和改进措施。",
        "如实说明本年度政府信息公开工作存在的主要问题及具体改进情况。",
        "Section 5 (problems and improvements) is empty, says only 无 (none) or less than a "
        "sentence: no account of the year's problems.",
        "State the year's main problems in disclosure work and how they are being improved.",
    ),
    Rule(
        "document.no_text",
        WARNING,
        "report",
        "文件没有可读取的文字（可能是扫描件）。",
        "发布可复制文字的版本（网页或带文字层的PDF）。",
        "The document has no text (a scan?).",
        "Publish a version with text (a web page or a PDF with a text layer).",
    ),
    Rule(
        "document.pictures_unread",
        INFO,
        "report",
        "报告正文中的图片未能识别（未安装或关闭了文字识别，或图片无法下载），表格可能在图片中；"
        "未据此判定缺少表格，请人工核对。",
        "以网页文字或带文字层的文件发布表格，不要只贴图片。",
        "The report shows pictures that were not read (OCR off or not installed, or a "
        "picture could not be fetched); its tables may be among them, so none is charged as "
        "missing: check by hand.",
        "Publish the tables as text, not only as pictures.",
    ),
    Rule(
        "document.garbled",
        WARNING,
        "report",
        "文件的文字无法正确解码（所声明的编码与内容不符），其数据无法核对。",
        "以正确并声明一致的编码（如UTF-8）发布报告。",
        "The document's text does not decode (its declared encoding disagrees with its "
        "bytes): its numbers cannot be checked.",
        "Publish the report in an encoding that matches its declaration (UTF-8).",
    ),
    # -- across years, against a date -------------------------------------------------------
    Rule(
        "report.missing",
        ERROR,
        "check",
        "截止日期（含宽限期）已过，在已完整读取的年报栏目中未找到该年度报告。",
        "在政府信息公开专栏发布该年度报告；如已发布，请将其网址回复给本通知的发送方"
        "（由其用 nianbao add-report 存档）。",
        "No report for the year was found in the agency's column, read to its end, after "
        "the deadline and grace period.",
        "Publish the year's report in the disclosure column; if it is published, send its "
        "address to whoever sent this notice (they file it with nianbao add-report).",
    ),
    Rule(
        "report.late",
        WARNING,
        "check",
        "报告发布日期晚于法定截止日期。",
        "按《条例》第四十九条在截止日期前发布年度报告。",
        "The report was published after its legal deadline.",
        "Publish by the deadline of article 49 of the Regulations.",
    ),
    Rule(
        "report.date_unverified",
        INFO,
        "check",
        "只知道首次发现报告的时间，晚于截止日期，无法确认是否逾期。",
        "在页面标明发布日期。",
        "Only the time the report was first seen is known, after the deadline.",
        "Show the publication date on the page.",
    ),
    Rule(
        "report.date_after_seen",
        INFO,
        "check",
        "页面所示发布日期晚于本系统首次发现该报告的日期：日期是在报告上网之后改写的，不是其发布"
        "日期；是否逾期按首次发现日期判断。",
        "页面发布日期应为报告实际上网日期，如有更新请注明更新日期。",
        "The page shows a publication date later than the day the report was first seen: "
        "the date was set after the report was up, so it is not when it was published; "
        "lateness is judged by the day it was first seen.",
        "Show the day the report went up; mark a later update as an update.",
    ),
    Rule(
        "report.duplicate_text",
        WARNING,
        "check",
        "报告正文与上一年度几乎相同。",
        "按当年实际情况撰写报告。",
        "The report's prose is nearly the same as last year's.",
        "Write the report about the year it covers.",
    ),
    Rule(
        "carry.continuity",
        WARNING,
        "check",
        "本年“上年结转”与上一年度报告的“结转下年度”不一致。",
        "核对两年报告的结转数字。",
        "This year's carried-over applications differ from last year's carried forward.",
        "Check the carry-over figures of both years.",
    ),
    Rule(
        "proactive.in_force_continuity",
        WARNING,
        "check",
        "现行有效件数与上一年度不能衔接（上年现行有效+本年制发-本年废止）。",
        "核对规章、规范性文件的现行有效件数。",
        "Rules in force do not follow from last year's (in force + issued - repealed).",
        "Check the counts of rules and normative documents in force.",
    ),
    Rule(
        "plausibility.negative",
        WARNING,
        "check",
        "出现不应为负数的负数。",
        "核对该单元格。",
        "A negative number where none can be.",
        "Check the cell.",
    ),
    Rule(
        "narrative.problems_copied",
        WARNING,
        "check",
        "第五部分“存在的主要问题及改进情况”与上年报告一字不差：同样的问题、同样的措施，"
        "未说明上年所列问题的改进情况。",
        "如实说明本年度的问题，以及上年报告所列问题的改进情况。",
        "Section 5 (problems and improvements) is word for word last year's: the same "
        "problems and remedies, no account of what became of last year's.",
        "State this year's problems and what became of those last year's report named.",
    ),
    Rule(
        "narrative.problems_unanswered",
        INFO,
        "check",
        "上年报告第五部分列出了存在的问题，本年报告第五部分未说明这些问题的改进（整改）情况。",
        "在第五部分说明上年报告所列问题的改进情况，再写本年度的问题。",
        "Last year's section 5 named problems; this year's says nothing of what became of them.",
        "Say in section 5 what became of the problems last year's report named.",
    ),
    Rule(
        "narrative.region_silent",
        INFO,
        "check",
        "县级以上人民政府的年度报告未提及本行政区域内的部门、乡镇或街道，未反映本行政区域全貌。",
        "政府年报应汇总反映本行政区域（含所属部门、乡镇街道）的政府信息公开工作情况。",
        "A county, city or province government's report names none of its region's "
        "departments, townships or streets: it does not speak for the whole region.",
        "A government's report should account for its whole region, departments and "
        "townships included.",
    ),
    Rule(
        "plausibility.year_jump",
        INFO,
        "check",
        "一项主要数字（收到申请数、办理结果总数或行政复议数）与上年相比变化超过5倍或不到五分之一，"
        "请人工核对（可能是笔误、单位错误，也可能确有变化）。",
        "核对该数字与上年报告；如有笔误，发布更正。",
        "A headline count (requests received, outcomes, reviews) is more than 5 times last "
        "year's or under a fifth of it: for a person to check (a typo, a unit, or a real "
        "change).",
        "Check the number against last year's report; publish a correction if it is wrong.",
    ),
    Rule(
        "plausibility.peer_outlier",
        INFO,
        "check",
        "本单位本年新收申请数远高于本地区同层级单位（至少5个）：超过上四分位数加3倍四分位距，"
        "且在50件以上，请人工核对（可能是单位或笔误，也可能确有其事）。",
        "核对申请登记情况；如有笔误，发布更正。",
        "The agency received far more requests than agencies of its level in its region (5 "
        "or more): past the upper quartile by 3 times the spread between the quartiles, and "
        "50 or more. For a person to check (a typo, a unit, or real).",
        "Check the register of requests; publish a correction if the number is wrong.",
    ),
    Rule(
        "plausibility.peer_zero",
        INFO,
        "check",
        "本单位本年新收申请数为0，而本地区同层级单位（至少5个）的中位数在20件以上，请人工核对"
        "（确无申请，还是表格漏填）。",
        "核对申请登记情况；如表格漏填，发布更正。",
        "The agency received 0 requests where agencies of its level in its region (5 or more) "
        "report a median of 20 or more: for a person to check (no requests, or a table left "
        "blank?).",
        "Check the register of requests; publish a correction if the table was left blank.",
    ),
    Rule(
        "plausibility.township_rules",
        WARNING,
        "check",
        "乡镇报告了制发规章（乡镇无规章制定权）。",
        "核对规章一行，乡镇应为0。",
        "A township reports issuing rules, which townships cannot do.",
        "Check the rules row: a township's is 0.",
    ),
    # -- the agency's portal, as a crawl met it ---------------------------------------------
    Rule(
        "source.unreachable",
        WARNING,
        "source",
        "年报栏目无法访问（错误、跳转到首页或登录页），该机关各年度暂无法核实。",
        "检查栏目网址是否变更；如已迁移，请更新来源配置。",
        "The report column could not be read (an error, a redirect home or to a login); "
        "the agency's years are unverified.",
        "Check whether the column moved; update the sources file if so.",
        unverifies="agency",
    ),
    Rule(
        "source.no_reports",
        WARNING,
        "source",
        "栏目可以访问，但没有列出该机关的年度报告；栏目可能已迁移。",
        "核对栏目网址与机关名称。",
        "The column was read but lists no report of this agency: it may have moved.",
        "Check the column's address and the agency's names.",
        unverifies="agency",
    ),
    Rule(
        "source.incomplete",
        WARNING,
        "source",
        "年报栏目未能完整读取（页面出错、总数未达到、循环或页数上限），缺少的年度暂无法核实。",
        "查看 nianbao sources check 中的原因；修复后重新抓取。",
        "The column was not read to its end (a page failed, a total not reached, a loop, "
        "the page cap); years without a report are unverified.",
        "See why in `nianbao sources check`; crawl again once it is fixed.",
        unverifies="agency",
    ),
    Rule(
        "source.unreadable_documents",
        WARNING,
        "source",
        "部分报告页面或附件无法下载或读取。",
        "检查附件链接是否有效。",
        "Some report pages or attachments could not be fetched or read.",
        "Check the attachment links.",
    ),
    # -- a listing or a version ------------------------------------------------------------
    Rule(
        "report.attribution_conflict",
        WARNING,
        "crawl",
        "栏目中标注为本机关该年度的报告，文件本身却是其他机关或其他年度的报告；该年度暂无法核实。",
        "核对该链接对应的文件是否正确。",
        "A report listed as this agency's for the year is, by its own text, another "
        "agency's or another year's; the year is unverified.",
        "Check that the link leads to the right document.",
        unverifies="year",
    ),
    Rule(
        "report.document_unread",
        WARNING,
        "crawl",
        "栏目列出的报告页面只有标题或查看器，没有报告正文，报告文件也无法读取；该年度暂无法核实。",
        "在报告页面上直接提供报告正文或可下载的附件。",
        "The report's page only names it (a title, a viewer) and its document could not be "
        "read; the year is unverified.",
        "Put the report's text, or a downloadable attachment, on its page.",
        unverifies="year",
    ),
    Rule(
        "report.date_changed",
        WARNING,
        "crawl",
        "报告页面显示的发布日期在两次抓取之间被改动（改早可能是倒签日期）；新旧日期及首次发现时间均已保存。",
        "发布日期应为实际发布之日；如确需更正，请同时发布更正说明。",
        "The publication date the report's page shows changed between crawls (moved earlier, "
        "it may be backdated); both dates and when the first was seen are kept.",
        "The publication date is the day it was published; if it must be corrected, say so.",
    ),
    Rule(
        "report.revised",
        INFO,
        "crawl",
        "报告发布后被修改，已保存新旧两个版本及变化的单元格。",
        "如为更正，请同时发布更正说明。",
        "The report changed after publication; both versions and the changed cells are kept.",
        "If it is a correction, publish a note saying so.",
    ),
)

# Short names for lists and legends: (Chinese, English).
TITLES: dict[str, tuple[str, str]] = {
    "applications.balance": ("申请数据不平衡", "applications do not balance"),
    "applications.outcome_sum": ("办理结果合计不符", "outcomes do not add up"),
    "applications.column_total": ("申请人合计不符", "applicant columns do not add up"),
    "appeals.group_total": ("复议诉讼合计不符", "appeals do not add up"),
    "narrative.matches_table": ("正文与表格不一致", "text contradicts table"),
    "narrative.part_sum": ("正文分项超过合计", "text parts exceed total"),
    "template.mismatch": ("模板版本不符", "wrong template"),
    "template.missing_section": ("缺少章节", "section missing"),
    "template.missing_table": ("缺少表格", "table missing"),
    "template.missing_row": ("表格缺行", "rows missing"),
    "template.article_reference": ("条款引用有误", "wrong article cited"),
    "cells.blank": ("单元格空白", "blank cells"),
    "cells.unreadable": ("单元格无法读取", "unreadable cells"),
    "cells.inferred": ("单元格由合计推出", "cells inferred from totals"),
    "cells.unit_converted": ("金额单位已换算", "amounts converted"),
    "narrative.problems_empty": ("问题及改进情况空泛", "no account of problems"),
    "narrative.fees": ("信息处理费与表三不符", "fees contradict table 3"),
    "document.no_text": ("文件无文字", "document without text"),
    "cells.ocr": ("经文字识别读出", "read by OCR"),
    "document.pictures_unread": ("页面图片未识别", "pictures not read"),
    "document.garbled": ("文件乱码", "garbled text"),
    "report.missing": ("报告缺失", "report missing"),
    "report.late": ("报告逾期", "report late"),
    "report.date_unverified": ("发布日期无法核实", "publication date unverified"),
    "report.date_after_seen": ("发布日期晚于首次发现", "date later than first seen"),
    "report.duplicate_text": ("照搬上年报告", "copied from last year"),
    "carry.continuity": ("结转数据不衔接", "carry-over mismatch"),
    "proactive.in_force_continuity": ("现行有效件数不衔接", "documents in force do not continue"),
    "plausibility.negative": ("出现负数", "negative number"),
    "narrative.problems_copied": ("问题及改进情况照搬上年", "problems copied from last year"),
    "narrative.problems_unanswered": ("未说明上年问题改进情况", "last year's problems unanswered"),
    "narrative.region_silent": ("未反映本行政区域全貌", "silent on its region"),
    "plausibility.year_jump": ("数字与上年相差悬殊", "large change from last year"),
    "plausibility.peer_zero": ("与同级单位相比异常为零", "zero among busy peers"),
    "plausibility.peer_outlier": ("远高于同级单位", "far above its peers"),
    "plausibility.township_rules": ("乡镇报告制定规章", "township reports rules"),
    "source.unreachable": ("栏目无法访问", "source unreachable"),
    "source.no_reports": ("栏目中无年报", "no reports in source"),
    "source.incomplete": ("栏目未能读完", "source not read to its end"),
    "source.unreadable_documents": ("文件无法读取", "documents unreadable"),
    "report.attribution_conflict": ("报告归属冲突", "report filed under another agency"),
    "report.document_unread": ("报告文件无法读取", "report's document not read"),
    "report.date_changed": ("发布日期被改动", "publication date changed"),
    "report.revised": ("报告被修改", "report revised"),
}
SEVERITY_LABELS = {
    "error": ("错误", "error"),
    "warning": ("警告", "warning"),
    "info": ("提示", "note"),
}
# What a cell of the compliance matrix says about an agency's year.
STATUS_LABELS = {
    "ok": ("合规", "ok"),
    "late": ("逾期", "late"),
    "inconsistent": ("数据不一致", "inconsistent"),
    "missing": ("缺失", "missing"),
    "pending": ("未到期", "pending"),
    "unverified": ("无法核实", "unverified"),
}
# A source's state after its last crawl, as the rule that says so (report, sources check).
HEALTH_RULES = {
    "incomplete": "source.incomplete",
    "no_reports": "source.no_reports",
    "documents_failed": "source.unreadable_documents",
}
# Why reading a column stopped (crawler.completeness.STOP_REASONS), worst first.
STOP_REASON_LABELS = {
    "page_failed": ("有页面无法读取", "a page could not be read"),
    "page_cap": ("达到页数上限", "the page cap was reached"),
    "loop": ("翻页回到已读页面", "the pager went round"),
    "unrecognized_paging": ("翻页方式无法识别", "the paging was not understood"),
    "total_not_reached": ("未读到栏目声明的条数", "fewer records than announced"),
    "not_read": ("尚未读取", "not read"),
    "unproven_end": ("无法证明已读到末页", "the end was not proved"),
    "end": ("已读到末页", "read to its end"),
}


# What went wrong fetching a page, by the kind its error begins with ("http_error: HTTP
# 404"; crawler.spiders.portal writes them).
FETCH_ERROR_LABELS = {
    "http_error": ("服务器返回错误", "HTTP error"),
    "unreachable": ("无法连接", "unreachable"),
    "redirected": ("被转到其他地址", "redirected"),
    "render_failed": ("浏览器无法打开", "the browser could not open it"),
    "render_timeout": ("下一页未出现", "the next page did not appear"),
}


def error_label(error: str, lang: str = "zh") -> str:
    """A fetch error in words: its kind's label, the detail after it (HTTP 404)."""
    kind, _, detail = error.partition(": ")
    words = FETCH_ERROR_LABELS.get(kind)
    if words is None:
        return error
    said = words[0 if lang == "zh" else 1]
    if not detail:
        return said
    return f"{said} {detail}" if lang == "zh" else f"{said}: {detail}"


def health_rule(status: str) -> str:
    """The rule that says what is wrong with a source in this state (source_health.status
    other than ok): HEALTH_RULES', or source.unreachable for the fetch failures."""
    return HEALTH_RULES.get(status, "source.unreachable")


def health_label(status: str, lang: str = "zh") -> str:
    """A source's state in words: ok, or the title of the rule that says what is wrong."""
    if status == "ok":
        return "正常" if lang == "zh" else "ok"
    if status == "never crawled":
        return "尚未抓取" if lang == "zh" else "never crawled"
    return title(health_rule(status), lang)


# Where a finding stands, and what a person's last review said of it.
FINDING_STATUS_LABELS = {
    "open": ("待处理", "open"),
    "resolved": ("已解决", "resolved"),
    "dismissed": ("已驳回", "dismissed"),
}
REVIEW_LABELS = {
    "confirm": ("已确认", "confirmed"),
    "dismiss": ("已驳回", "dismissed"),
    "reopen": ("重新打开", "reopened"),
    "lapse": ("证据已变，复核失效", "lapsed: evidence changed"),
}
STATUS_MEANINGS = {
    "ok": (
        "已找到报告，未发现错误（可能有警告）。",
        "A report was found with no error (there may be warnings).",
    ),
    "late": ("报告在截止日期之后发布。", "The report was published after its deadline."),
    "inconsistent": (
        "报告内部或与上年报告的数据相互矛盾。",
        "The report contradicts itself or last year's report.",
    ),
    "missing": (
        "已完整读取该单位的栏目，截止日期已过，仍未找到报告。",
        "The agency's whole column was read, the deadline has passed and no report was found.",
    ),
    "pending": ("截止日期尚未到。", "The deadline has not passed yet."),
    "unverified": (
        "栏目未能完整读取，或栏目中的报告属于其他单位：不能认定缺失。",
        "The column could not be read to its end, or its report was another agency's: "
        "never called missing.",
    ),
}

RULES: dict[str, Rule] = {r.name: r for r in _RULES}
GROUPS = ("report", "check", "source", "crawl")


def rules_of(group: str) -> tuple[str, ...]:
    """The names of a group's rules."""
    return tuple(r.name for r in _RULES if r.group == group)


def rule(name: str) -> Rule | None:
    return RULES.get(name)


def title(name: str, lang: str = "zh") -> str:
    """A rule's short name in ``lang``; the rule's own name when it has none."""
    return TITLES.get(name, (name, name))[0 if lang == "zh" else 1]


def label(labels: dict[str, tuple[str, str]], key: str, lang: str = "zh") -> str:
    return labels.get(key, (key, key))[0 if lang == "zh" else 1]
