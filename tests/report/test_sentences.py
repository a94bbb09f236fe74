"""Every finding read as a person reads it: each rule has sentences of its own in Chinese
and English, and the Chinese of every finding the real and golden corpus raise holds no
English words and no internal keys."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from report.registry import RULES
from report.sentences import _SENTENCES, _WITH_YEAR, sentence

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
_ENGLISH = re.compile(r"(?<![\w/.:])[A-Za-z_]{4,}")


def _findings() -> list[dict]:
    out = []
    for path in sorted(CORPUS.rglob("*.expected.json")):
        out += json.loads(path.read_text(encoding="utf-8")).get("findings", [])
    return out


def test_every_rule_has_sentences_of_its_own() -> None:
    assert sorted(set(RULES) - set(_SENTENCES) - set(_WITH_YEAR)) == []


@pytest.mark.parametrize("found", _findings(), ids=lambda f: f["rule"])
def test_the_chinese_of_every_corpus_finding_is_chinese(found: dict) -> None:
    zh = sentence(found["rule"], found["evidence"], found["message"], "zh", 2023)
    assert found["message"] not in zh
    assert _ENGLISH.findall(re.sub(r"https?://\S+", "", zh)) == [], zh
    en = sentence(found["rule"], found["evidence"], found["message"], "en", 2023)
    assert en and en != zh  # English, quoting the template's Chinese labels


@pytest.mark.parametrize(
    ("rule", "evidence", "says"),
    [
        (
            "template.missing_row",
            {"table": "applications", "rows": ["applications.denied.state_secret"]},
            "第三部分“收到和处理政府信息公开申请情况”表缺少 1 行：（三）不予公开 1.属于国家秘密。",
        ),
        (
            "report.revised",
            {"changed_cells": {"applications.new_received.total": [18, 20]}},
            "报告发布后被修改，有 1 个单元格与原版本不同："
            "“一、本年新收政府信息公开申请数量 · 总计”。",
        ),
        (
            "report.document_unread",
            {"page": {"url": "http://x/a.html", "title": None}, "documents": {}},
            "页面 http://x/a.html 列为该年度报告，但页面上没有报告正文，也没有附件链接。",
        ),
        (
            "report.date_unverified",
            {"deadline": "2023-01-31", "first_seen": "2023-03-02"},
            "页面未标明发布日期；首次发现该报告是在 2023-03-02，已晚于截止日期 2023-01-31，"
            "无法确认是否按时发布。",
        ),
    ],
)
def test_findings_outside_the_corpus_read_in_chinese(rule: str, evidence: dict, says: str) -> None:
    assert sentence(rule, evidence, "an English message", "zh") == says
