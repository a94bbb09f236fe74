"""nianbao.toml is strict: a typo or a wrong value is an error naming where it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import ConfigError, load_config


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[check]\ngrace_days = 'x'\n", "[check] grace_days must be a number, not 'x'"),
        ("[check]\ngrace_days = -3\n", "[check] grace_days must be at least 0"),
        ("[check]\ngrace_day = 3\n", "[check]: unknown key 'grace_day'; did you mean grace_days?"),
        ("[check]\nduplicate_similarity = 2\n", "duplicate_similarity is a share, 0 to 1"),
        ("[crawl]\ntime_limit = 'soon'\n", "[crawl] time_limit must be a number"),
        ("[crawl]\ntime_limit = 0\n", "[crawl] time_limit must be at least 1"),
        ("[crawl]\ncontakt = 'x'\n", "[crawl]: unknown key 'contakt'; did you mean contact?"),
        ("[crawl]\nrevisit_days = -1\n", "[crawl] revisit_days must be at least 0"),
        ("[crawl]\nocr = 'yes'\n", '[crawl] ocr is "auto" or "off", not \'yes\''),
        ("[mial]\nhost = 'x'\n", "unknown key 'mial'; did you mean mail?"),
        (
            "[[subscription]]\nemail = 'a@b.c'\nagency = ['x']\n",
            "subscription #1: unknown key 'agency'; did you mean agencies?",
        ),
        ("[schedule]\ncrawll = '0 3 * * 1'\n", "[schedule] crawll"),
    ],
)
def test_bad_config_says_what_and_where(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "nianbao.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_good_config_reads(tmp_path: Path) -> None:
    config = load_config(Path("/nonexistent/nianbao.toml"), environ={})
    assert config.subscriptions == [] and config.mail is None
    path = tmp_path / "nianbao.toml"
    path.write_text("[crawl]\nrevisit_days = 7\nocr = 'off'\n", encoding="utf-8")
    assert load_config(path, environ={}).crawl_settings == {
        "NIANBAO_REVISIT_DAYS": "7.0",
        "NIANBAO_OCR": "off",
    }


@pytest.mark.parametrize(
    "text",
    [
        '[mail]\nhost = "h"\nsender = "a@example.org\\r\\nBcc: everyone@example.org"\n',
        '[[subscription]]\nemail = "w@example.org\\nX-Injected: 1"\n',
        '[[subscription]]\nemail = "w@example.org"\nagencies = ["a\\u0000"]\n',
    ],
)
def test_a_control_character_in_a_value_is_refused_in_one_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "nianbao.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="control character") as caught:
        load_config(path)
    assert "\n" not in str(caught.value).replace("\\n", "")


def test_a_cron_expression_that_never_fires_is_refused(tmp_path: Path) -> None:
    from tests.support import invoke

    (tmp_path / "nianbao.toml").write_text('[schedule]\ncheck = "0 0 31 2 *"\n', encoding="utf-8")
    done = invoke("schedule", cwd=tmp_path)
    assert done.exit_code == 2 and "never fires" in done.stderr
