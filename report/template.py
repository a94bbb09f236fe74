"""The national report template as data: rows, their labels, their columns and cell keys.

Everything the table extractor and the checks know about the template lives here, so a
template revision is an edit to these tables, not to code. Names follow
``docs/report-record.md`` exactly: users query them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SECTIONS: tuple[str, ...] = (
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "政府信息公开行政复议、行政诉讼情况",
    "存在的主要问题及改进情况",
    "其他需要报告的事项",
)

# The template's tables by the name the parser gives them: (Chinese, English).
TABLE_LABELS = {
    "proactive": ("第二部分“主动公开政府信息情况”表", "the proactive disclosure table (section 2)"),
    "applications": (
        "第三部分“收到和处理政府信息公开申请情况”表",
        "the applications table (section 3)",
    ),
    "appeals": (
        "第四部分“行政复议、行政诉讼情况”表",
        "the reviews and litigation table (section 4)",
    ),
}

APPLICANT_COLUMNS: tuple[str, ...] = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
    "total",
)

APPEAL_GROUPS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")
APPEAL_COLUMNS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")


@dataclass(frozen=True)
class Row:
    """One template row: where its cells go and how its label is recognised.

    ``cores`` are the distinctive words of the label (spaces and numbering removed);
    a text token matches when it holds most of a core's character pairs. ``exact`` rows
    have labels too short for fuzzy matching: the token, stripped of numbering, must be
    one of the cores. ``after`` names a row that must already have been seen, which keeps
    a column header such as 总计 or 其他 from being taken for a row.
    """

    key: str
    columns: tuple[str, ...]
    cores: tuple[str, ...]
    exact: bool = False
    after: str | None = None
    money: frozenset[str] = field(default_factory=frozenset)

    def cell_keys(self) -> tuple[str, ...]:
        """``<row key>.<column>`` of each column, spelt once per row (kept beside the
        fields: the row is frozen, its keys are read for every report)."""
        keys = self.__dict__.get("_cell_keys")
        if keys is None:
            keys = self.__dict__["_cell_keys"] = tuple(f"{self.key}.{c}" for c in self.columns)
        return keys


def _apps(row: str, *cores: str, exact: bool = False, after: str | None = None) -> Row:
    return Row(
        f"applications.{row}",
        APPLICANT_COLUMNS,
        cores,
        exact=exact,
        after=after and f"applications.{after}",
    )


APPLICATION_ROWS: tuple[Row, ...] = (
    _apps("new_received", "本年新收"),
    _apps("carried_over", "上年结转"),
    _apps("granted", "予以公开"),
    _apps("partially_granted", "部分公开"),
    _apps("denied.state_secret", "属于国家秘密"),
    _apps("denied.law_prohibited", "其他法律行政法规禁止公开"),
    _apps("denied.safety_stability", "危及三安全一稳定"),
    _apps("denied.third_party", "保护第三方合法权益"),
    _apps("denied.internal_affairs", "属于三类内部事务信息"),
    _apps("denied.process_info", "属于四类过程性信息"),
    _apps("denied.enforcement_file", "属于行政执法案卷"),
    _apps("denied.inquiry", "属于行政查询事项"),
    _apps("unavailable.not_held", "本机关不掌握相关政府信息"),
    _apps("unavailable.needs_creation", "没有现成信息需要另行制作"),
    _apps("unavailable.unclear", "补正后申请内容仍不明确"),
    _apps("not_processed.petition", "信访举报投诉类申请"),
    _apps("not_processed.duplicate", "重复申请"),
    _apps("not_processed.publication", "要求提供公开出版物"),
    _apps("not_processed.excessive", "无正当理由大量反复申请"),
    _apps("not_processed.confirmation", "要求行政机关确认或重新出具已获取信息"),
    # 2019 has one 其他处理 row; 2021 makes it the header of three rows. When the header
    # carries no numbers of its own it yields no cells (see tables.py).
    _apps("other", "其他处理"),
    _apps("other.no_correction", "申请人无正当理由逾期不补正"),
    _apps("other.unpaid_fee", "申请人逾期未按收费通知要求缴纳费用"),
    _apps("other.other", "其他", exact=True, after="other.no_correction"),
    _apps("total", "总计", exact=True, after="granted"),
    _apps("carried_forward", "结转下年度继续办理"),
)

OUTCOME_ROWS: tuple[str, ...] = tuple(
    r.key.removeprefix("applications.")
    for r in APPLICATION_ROWS
    if r.key
    not in (
        "applications.new_received",
        "applications.carried_over",
        "applications.total",
        "applications.carried_forward",
    )
)

_MADE_2019 = ("made", "published", "total")
_ITEMS_2019 = ("prev_count", "change", "decisions")

PROACTIVE_ROWS: dict[str, tuple[Row, ...]] = {
    "2019": (
        Row("proactive.rules", _MADE_2019, ("规章",), exact=True),
        Row("proactive.normative_docs", _MADE_2019, ("规范性文件",)),
        Row("proactive.licensing", _ITEMS_2019, ("行政许可",)),
        Row("proactive.other_services", _ITEMS_2019, ("其他对外管理服务事项",)),
        Row("proactive.penalty", _ITEMS_2019, ("行政处罚",)),
        Row("proactive.coercion", _ITEMS_2019, ("行政强制",)),
        Row("proactive.fees", ("prev_count", "change"), ("行政事业性收费",)),
        Row(
            "proactive.procurement",
            ("projects", "amount_wan"),
            ("政府集中采购",),
            money=frozenset({"amount_wan"}),
        ),
    ),
    "2021": (
        Row("proactive.rules", ("issued", "repealed", "in_force"), ("规章",), exact=True),
        Row("proactive.normative_docs", ("issued", "repealed", "in_force"), ("规范性文件",)),
        Row("proactive.licensing", ("decisions",), ("行政许可",)),
        Row("proactive.penalty", ("decisions",), ("行政处罚",)),
        Row("proactive.coercion", ("decisions",), ("行政强制",)),
        Row(
            "proactive.fees", ("amount_wan",), ("行政事业性收费",), money=frozenset({"amount_wan"})
        ),
    ),
}

# Column headers and row labels that exist in one template only (spaces removed, NFKC).
TEMPLATE_MARKERS: dict[str, tuple[str, ...]] = {
    "2019": (
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "本年增/减",
        "采购项目数量",
        "政府集中采购",
    ),
    "2021": (
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年处理决定数量",
        "本年收费金额",
        "逾期不补正",
        "未按收费通知",
    ),
}

TEMPLATE_ARTICLE = "二十"  # 第二十条 is the article every proactive table header cites


# The template's printed labels, for what people read (sentences in digests and reports,
# the demo's tables): a row's own label and the group it is printed under, per language.
GROUP_LABELS: dict[str, tuple[str, str]] = {
    "applications.outcome": ("三、本年度办理结果", "3. Outcomes this year"),
    "applications.denied": ("（三）不予公开", "(3) Not disclosed"),
    "applications.unavailable": ("（四）无法提供", "(4) Cannot be provided"),
    "applications.not_processed": ("（五）不予处理", "(5) Not processed"),
    "applications.other": ("（六）其他处理", "(6) Otherwise handled"),
    "appeals.review": ("行政复议", "Administrative review"),
    "appeals.litigation_direct": (
        "行政诉讼·未经复议直接起诉",
        "Litigation without prior review",
    ),
    "appeals.litigation_after_review": ("行政诉讼·复议后起诉", "Litigation after review"),
}
ROW_LABELS: dict[str, tuple[str, str]] = {
    "applications.new_received": (
        "一、本年新收政府信息公开申请数量",
        "1. New requests received this year",
    ),
    "applications.carried_over": (
        "二、上年结转政府信息公开申请数量",
        "2. Requests carried over from last year",
    ),
    "applications.granted": ("（一）予以公开", "(1) Disclosed"),
    "applications.partially_granted": (
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "(2) Partly disclosed",
    ),
    "applications.denied.state_secret": ("1.属于国家秘密", "1. State secret"),
    "applications.denied.law_prohibited": (
        "2.其他法律行政法规禁止公开",
        "2. Forbidden by other laws",
    ),
    "applications.denied.safety_stability": (
        "3.危及“三安全一稳定”",
        "3. Endangers security or stability",
    ),
    "applications.denied.third_party": ("4.保护第三方合法权益", "4. Third-party rights"),
    "applications.denied.internal_affairs": (
        "5.属于三类内部事务信息",
        "5. Internal affairs",
    ),
    "applications.denied.process_info": ("6.属于四类过程性信息", "6. Process information"),
    "applications.denied.enforcement_file": (
        "7.属于行政执法案卷",
        "7. Enforcement case files",
    ),
    "applications.denied.inquiry": ("8.属于行政查询事项", "8. Administrative inquiry"),
    "applications.unavailable.not_held": (
        "1.本机关不掌握相关政府信息",
        "1. Not held by this agency",
    ),
    "applications.unavailable.needs_creation": (
        "2.没有现成信息需要另行制作",
        "2. Would have to be created",
    ),
    "applications.unavailable.unclear": (
        "3.补正后申请内容仍不明确",
        "3. Still unclear after correction",
    ),
    "applications.not_processed.petition": (
        "1.信访举报投诉类申请",
        "1. Petitions and complaints",
    ),
    "applications.not_processed.duplicate": ("2.重复申请", "2. Repeated requests"),
    "applications.not_processed.publication": (
        "3.要求提供公开出版物",
        "3. Requests for publications",
    ),
    "applications.not_processed.excessive": (
        "4.无正当理由大量反复申请",
        "4. Excessive repeated requests",
    ),
    "applications.not_processed.confirmation": (
        "5.要求行政机关确认或重新出具已获取信息",
        "5. Confirmation of information already obtained",
    ),
    "applications.other": ("（六）其他处理", "(6) Otherwise handled"),
    "applications.other.no_correction": (
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "1. Applicant did not complete the request in time",
    ),
    "applications.other.unpaid_fee": (
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "2. Applicant did not pay the fee in time",
    ),
    "applications.other.other": ("3.其他", "3. Other"),
    "applications.total": ("（七）总计", "(7) Total"),
    "applications.carried_forward": (
        "四、结转下年度继续办理",
        "4. Carried forward to next year",
    ),
    "proactive.rules": ("规章", "Rules"),
    "proactive.normative_docs": ("规范性文件", "Normative documents"),
    "proactive.licensing": ("行政许可", "Licensing"),
    "proactive.other_services": ("其他对外管理服务事项", "Other public services"),
    "proactive.penalty": ("行政处罚", "Penalties"),
    "proactive.coercion": ("行政强制", "Coercive measures"),
    "proactive.fees": ("行政事业性收费", "Administrative fees"),
    "proactive.procurement": ("政府集中采购", "Central government procurement"),
}
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "natural_person": ("自然人", "natural persons"),
    "commercial": ("商业企业", "businesses"),
    "research": ("科研机构", "research institutions"),
    "social_welfare": ("社会公益组织", "public-welfare organisations"),
    "legal_service": ("法律服务机构", "legal service providers"),
    "other_org": ("其他", "other organisations"),
    "total": ("总计", "total"),
    "upheld": ("结果维持", "upheld"),
    "corrected": ("结果纠正", "corrected"),
    "other": ("其他结果", "other result"),
    "pending": ("尚未审结", "pending"),
    "issued": ("本年制发件数", "issued this year"),
    "repealed": ("本年废止件数", "repealed this year"),
    "in_force": ("现行有效件数", "in force"),
    "decisions": ("本年处理决定数量", "decisions this year"),
    "amount_wan": ("金额（万元）", "amount (10,000 yuan)"),
    "made": ("本年新制作数量", "made this year"),
    "published": ("本年新公开数量", "published this year"),
    "prev_count": ("上一年项目数量", "items last year"),
    "change": ("本年增/减", "change this year"),
    "projects": ("采购项目数量", "procurement projects"),
}
_GROUP_OF = (
    ("applications.denied.", "applications.denied"),
    ("applications.unavailable.", "applications.unavailable"),
    ("applications.not_processed.", "applications.not_processed"),
    ("applications.other.", "applications.other"),
)


def row_label(row: str, lang: str = "zh") -> str:
    """A row as the template prints it, under its group when it has one:
    applications.denied.third_party → （三）不予公开 4.保护第三方合法权益."""
    i = 0 if lang == "zh" else 1
    if row.startswith("appeals."):
        return GROUP_LABELS.get(row, (row, row))[i]
    own = ROW_LABELS.get(row, (row, row))[i]
    group = next((g for prefix, g in _GROUP_OF if row.startswith(prefix)), None)
    return f"{GROUP_LABELS[group][i]} {own}" if group else own


def cell_label(key: str, lang: str = "zh") -> str:
    """A cell key as a reader finds it in the printed table: row label · column label."""
    row, _, column = key.rpartition(".")
    if not row or column not in COLUMN_LABELS:
        return key
    i = 0 if lang == "zh" else 1
    return f"{row_label(row, lang)} · {COLUMN_LABELS[column][i]}"
