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

    def cell_keys(self) -> list[str]:
        return [f"{self.key}.{c}" for c in self.columns]


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
