"""docs/rules.md from the rule registry: every rule, its severity, what it means and what
the agency should do, in Chinese and English, and what the statuses of the compliance
report mean. Run ``python -m report.glossary > docs/rules.md`` after changing
report/registry.py; a test keeps the file in step."""

from __future__ import annotations

from report.registry import (
    GROUPS,
    RULES,
    SEVERITY_LABELS,
    STATUS_LABELS,
    STATUS_MEANINGS,
    title,
)

_GROUP_NAMES = {
    "report": ("Inside one report", "checked when a report is archived"),
    "check": ("Across years and against a date", "recomputed by `nianbao check`"),
    "source": ("An agency's source", "what a crawl met of its portal column"),
    "crawl": ("A listing or a version", "what a crawl learned of one report"),
}


def markdown() -> str:
    lines = [
        "# Rules and statuses",
        "",
        "Generated from `report/registry.py` by `python -m report.glossary`; do not edit by",
        "hand. Digests and the compliance report quote these words.",
        "",
        "## Statuses of the compliance report",
        "",
        "| status | 状态 | meaning | 含义 |",
        "|---|---|---|---|",
    ]
    for status, (zh, _) in STATUS_LABELS.items():
        meaning_zh, meaning_en = STATUS_MEANINGS[status]
        lines.append(f"| `{status}` | {zh} | {meaning_en} | {meaning_zh} |")
    lines += [
        "",
        "A year is `missing` only when every list of the agency was read to its end in a",
        "finished crawl; a rule marked *unverifies* below leaves years `unverified` instead.",
    ]
    for group in GROUPS:
        heading, what = _GROUP_NAMES[group]
        lines += ["", f"## {heading}", "", f"Rules of the `{group}` group: {what}.", ""]
        for rule in (r for r in RULES.values() if r.group == group):
            severity = f"{rule.severity} / {SEVERITY_LABELS[rule.severity][0]}"
            unverifies = (
                f" · *unverifies the {'agency' if rule.unverifies == 'agency' else 'year'}*"
                if rule.unverifies
                else ""
            )
            lines += [
                f"### `{rule.name}` — {title(rule.name, 'en')} · {title(rule.name, 'zh')}",
                "",
                f"Severity: {severity}{unverifies}",
                "",
                f"- **Means:** {rule.meaning_en}",
                f"- **What to do:** {rule.advice_en}",
                f"- **含义：**{rule.meaning_zh}",
                f"- **建议：**{rule.advice_zh}",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
