#!/usr/bin/env bash
# Installs nianbao and its test tools into .venv, with the Debian packages it needs.
# Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the venv module (python3-venv on a bare Debian), catdoc for WPS
# documents that are not Word binary files, and Chromium for the report's browser tests.
apt_needed=()
python3 -c 'import ensurepip, venv' 2>/dev/null || apt_needed+=(python3-venv)
command -v catdoc >/dev/null || apt_needed+=(catdoc)
# Chromium: the crawler reads in it what a static read cannot prove (scrapy-playwright
# drives it; nothing is downloaded), and the compliance report is tested in it.
command -v chromium >/dev/null || apt_needed+=(chromium)
command -v chromedriver >/dev/null || apt_needed+=(chromium-driver)
if ((${#apt_needed[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing Debian packages: ${apt_needed[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${apt_needed[@]}" >/dev/null
fi

# A CJK font, so that headless screenshots of the report and any rendered page show
# Chinese, not boxes. Not needed to run: a machine that cannot install it goes on.
if command -v fc-list >/dev/null && ! fc-list :lang=zh | grep -q .; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing Debian package: fonts-noto-cjk" >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1 \
        || echo "setup: fonts-noto-cjk not installed: Chinese in screenshots shows as boxes" >&2
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
echo "setup: installing nianbao into .venv" >&2
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test,ocr]"
