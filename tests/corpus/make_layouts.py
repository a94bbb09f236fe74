"""Writes the layout cases of the corpus: one report's tables in every shape text takes.

Run from the repository root: ``python tests/corpus/make_layouts.py``. It writes only the
files named in LAYOUTS; the hand-made oddity cases beside them are not touched. The
numbers are chosen so that every identity holds unless a case breaks one on purpose.
"""

from __future__ import annotations

from pathlib import Path

from report.template import APPEAL_COLUMNS, APPEAL_GROUPS, APPLICATION_ROWS, PROACTIVE_ROWS

HERE = Path(__file__).parent

APPS_2021 = [
    ("一、本年新收政府信息公开申请数量", None, [12, 3, 0, 1, 2, 0, 18]),
    ("二、上年结转政府信息公开申请数量", None, [2, 0, 0, 0, 1, 0, 3]),
    ("(一)予以公开", "三、本年度办理结果", [6, 2, 0, 1, 1, 0, 10]),
    ("(二)部分公开（区分处理的，只计这一情形，不计其他情形）", None, [2, 0, 0, 0, 1, 0, 3]),
    ("1.属于国家秘密", "(三)不予公开", [0, 0, 0, 0, 0, 0, 0]),
    ("2.其他法律行政法规禁止公开", None, [0, 0, 0, 0, 0, 0, 0]),
    ("3.危及“三安全一稳定”", None, [0, 0, 0, 0, 0, 0, 0]),
    ("4.保护第三方合法权益", None, [1, 0, 0, 0, 0, 0, 1]),
    ("5.属于三类内部事务信息", None, [0, 0, 0, 0, 0, 0, 0]),
    ("6.属于四类过程性信息", None, [0, 0, 0, 0, 0, 0, 0]),
    ("7.属于行政执法案卷", None, [0, 0, 0, 0, 0, 0, 0]),
    ("8.属于行政查询事项", None, [0, 0, 0, 0, 0, 0, 0]),
    ("1.本机关不掌握相关政府信息", "(四)无法提供", [3, 0, 0, 0, 0, 0, 3]),
    ("2.没有现成信息需要另行制作", None, [0, 1, 0, 0, 0, 0, 1]),
    ("3.补正后申请内容仍不明确", None, [0, 0, 0, 0, 0, 0, 0]),
    ("1.信访举报投诉类申请", "(五)不予处理", [0, 0, 0, 0, 0, 0, 0]),
    ("2.重复申请", None, [1, 0, 0, 0, 0, 0, 1]),
    ("3.要求提供公开出版物", None, [0, 0, 0, 0, 0, 0, 0]),
    ("4.无正当理由大量反复申请", None, [0, 0, 0, 0, 0, 0, 0]),
    ("5.要求行政机关确认或重新出具已获取信息", None, [0, 0, 0, 0, 0, 0, 0]),
    (
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "(六)其他处理",
        [0, 0, 0, 0, 0, 0, 0],
    ),
    (
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        None,
        [0, 0, 0, 0, 0, 0, 0],
    ),
    ("3.其他", None, [0, 0, 0, 0, 0, 0, 0]),
    ("(七)总计", None, [13, 3, 0, 1, 2, 0, 19]),
    ("四、结转下年度继续办理", None, [1, 0, 0, 0, 1, 0, 2]),
]
# 2019 and the 2021 reports that kept it: one 其他处理 row instead of three.
APPS_2019 = [*APPS_2021[:20], ("(六)其他处理", None, [0, 0, 0, 0, 0, 0, 0]), *APPS_2021[23:]]

PROACTIVE_2021 = [
    (
        "第二十条第（一）项",
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        [("规章", [0, 0, 2]), ("行政规范性文件", [5, 1, 23])],
    ),
    ("第二十条第（五）项", ["信息内容", "本年处理决定数量"], [("行政许可", [341])]),
    (
        "第二十条第（六）项",
        ["信息内容", "本年处理决定数量"],
        [("行政处罚", [57]), ("行政强制", [3])],
    ),
    (
        "第二十条第（八）项",
        ["信息内容", "本年收费金额（单位：万元）"],
        [("行政事业性收费", [12.5])],
    ),
]
PROACTIVE_2019 = [
    (
        "第二十条第（一）项",
        ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
        [("规章", [0, 0, 0]), ("规范性文件", [4, 4, 31])],
    ),
    (
        "第二十条第（五）项",
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        [("行政许可", [12, -1, 230]), ("其他对外管理服务事项", [5, 0, 18])],
    ),
    (
        "第二十条第（六）项",
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        [("行政处罚", [3, 0, 45]), ("行政强制", [2, 0, 3])],
    ),
    (
        "第二十条第（八）项",
        ["信息内容", "上一年项目数量", "本年增/减"],
        [("行政事业性收费", [4, 0])],
    ),
    (
        "第二十条第（九）项",
        ["信息内容", "采购项目数量", "采购总金额"],
        [("政府集中采购", [6, 128.35])],
    ),
]
APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
APPEALS_HEAD = ["行政复议", "", "", "", "", "行政诉讼"]
APPEALS_COLS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
APPEALS = [1, 0, 1, 1, 3, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1]


def _fmt(v: float | int) -> str:
    return str(v)


def render(agency: str, year: int, template: str, layout: str) -> str:
    apps = APPS_2021 if template == "2021" else APPS_2019
    proactive = PROACTIVE_2021 if template == "2021" else PROACTIVE_2019
    received = apps[0][2][-1]
    out = [
        f"{agency}{year}年政府信息公开工作年度报告",
        "",
        f"本报告依据《中华人民共和国政府信息公开条例》编制。本报告中所列数据的统计期限自{year}年1月1日"
        f"至{year}年12月31日。",
        "一、总体情况",
        f"（一）主动公开情况。{year}年，我局主动公开政府信息共236条，其中规范性文件5件。",
        f"（二）依申请公开情况。{year}年共收到政府信息公开申请{received}件，均已按时答复。",
        "二、主动公开政府信息情况",
    ]
    table: list[list[str]] = []  # rows of cells; "" is an empty cell
    for head, columns, rows in proactive:
        table.append([head])
        table.append(columns)
        table.extend([label, *map(_fmt, values)] for label, values in rows)
    out += _layout(table, layout)
    out += ["三、收到和处理政府信息公开申请情况"]
    table = [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
        ["", "自然人", "法人或其他组织", "", "", "", "", "总计"],
        ["", "", *APPLICANTS[1:6]],
    ]
    for label, group, values in apps:
        table.append([*([group] if group else []), label, *map(_fmt, values)])
    out += _layout(table, layout)
    out += ["四、政府信息公开行政复议、行政诉讼情况"]
    table = [
        APPEALS_HEAD,
        [*APPEALS_COLS, "未经复议直接起诉", "复议后起诉"],
        ["", "", "", "", "", *APPEALS_COLS, *APPEALS_COLS],
        list(map(_fmt, APPEALS)),
    ]
    out += _layout(table, layout)
    out += [
        "五、存在的主要问题及改进情况",
        f"{year}年，政务公开工作还存在公开内容不够全面的问题。下一步，我局将进一步规范公开流程。",
        "六、其他需要报告的事项",
        "本年度未收取信息处理费。",
        "",
        agency,
        f"{year + 1}年1月20日",
    ]
    return "\n".join(out) + "\n"


def _layout(table: list[list[str]], layout: str) -> list[str]:
    if layout == "tabs":
        return ["\t".join(row) for row in table]
    if layout == "pipes":
        lines = ["| " + " | ".join(row) + " |" for row in table]
        return [lines[0], "|---|---|---|", *lines[1:]]
    if layout == "spaces":
        return [" ".join(c for c in row if c) for row in table]
    if layout == "cells-per-line":
        out = []
        for row in table:
            out += [c for c in row if c] + [""]
        return out
    if layout == "pdf":
        return _pdf(table)
    raise ValueError(layout)


def _pdf(table: list[list[str]]) -> list[str]:
    """Text as PDF extraction gives it: long labels wrap around their numbers, merged
    group labels come out one character per line, a page footer lands in the table."""
    out: list[str] = []
    for n, row in enumerate(table):
        cells = [c for c in row if c]
        numbers = [c for c in cells if c.lstrip("-").replace(".", "").isdigit()]
        words = [c for c in cells if c not in numbers]
        label = words[-1] if words else ""
        for group in words[:-1]:
            out.extend(group if group.startswith("三、") else [group])
        if numbers and len(label) > 14:
            out += [label[:14], " ".join(numbers), label[14:]]
        elif numbers:
            out.append(" ".join([label, *numbers]) if label else " ".join(numbers))
        elif label:
            out.extend(label if len(label) <= 6 and n > 0 and label in APPEALS_COLS else [label])
        if n == 12:
            out.append("- 2 -")
    return out


LAYOUTS = {
    "layout-2021-tab-rows.txt": ("某市生态环境局", 2022, "2021", "tabs"),
    "layout-2019-tab-rows.txt": ("某县人民政府", 2020, "2019", "tabs"),
    "layout-2021-pipe-rows.txt": ("某区教育局", 2023, "2021", "pipes"),
    "layout-2019-space-separated-rows.txt": ("某镇人民政府", 2019, "2019", "spaces"),
    "layout-2021-space-separated-rows.txt": ("某市人民政府", 2022, "2021", "spaces"),
    "layout-2021-one-cell-per-line.txt": ("某县民政局", 2021, "2021", "cells-per-line"),
    "layout-2021-pdf-wrapped-labels-and-footer.txt": ("某市人民政府", 2022, "2021", "pdf"),
}


if __name__ == "__main__":
    for name, (agency, year, template, layout) in LAYOUTS.items():
        (HERE / name).write_text(render(agency, year, template, layout), encoding="utf-8")
        print("wrote", HERE / name)


def uses_row(key: str, template: str) -> bool:
    """2019 has one 其他处理 row; 2021 has three in its place."""
    if key == "applications.other":
        return template == "2019"
    return template == "2021" or not key.startswith("applications.other.")


def known_cells(template: str) -> dict:
    cells: dict = {}
    proactive = PROACTIVE_2021 if template == "2021" else PROACTIVE_2019
    printed = [values for _, _, rows in proactive for _, values in rows]
    for row, values in zip(PROACTIVE_ROWS[template], printed, strict=True):
        cells.update(zip(row.cell_keys(), values, strict=True))
    apps = APPS_2021 if template == "2021" else APPS_2019
    rows = [r for r in APPLICATION_ROWS if uses_row(r.key, template)]
    for row, (_, _, values) in zip(rows, apps, strict=True):
        cells.update(zip(row.cell_keys(), values, strict=True))
    keys = [f"appeals.{g}.{c}" for g in APPEAL_GROUPS for c in APPEAL_COLUMNS]
    cells.update(zip(keys, APPEALS, strict=True))
    return cells
