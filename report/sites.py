"""Where a URL is served: the one helper for every "same site?" question — the crawler's
offsite checks, a county column's attribution tie-break, the discovery of a column."""

from __future__ import annotations

from urllib.parse import urlsplit


def site_of(url: str) -> str:
    """Host and port, lower-case, the scheme's default port left out: the same host on
    another port is another site. Empty for a URL without a host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        return host
    if port is None or (parts.scheme, port) in (("http", 80), ("https", 443)):
        return host
    return f"{host}:{port}"
