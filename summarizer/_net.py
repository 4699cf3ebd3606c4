"""Which proxy a request goes through, the same for the model client and the page fetcher."""

from __future__ import annotations

import urllib.parse
import urllib.request


def proxy_for(url: str) -> str | None:
    """HTTPS_PROXY / HTTP_PROXY / ALL_PROXY for `url` unless NO_PROXY exempts its host;
    never for loopback (the embedded model's server, a test's server)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if not host or host == "localhost" or host.startswith("127.") or host == "::1":
        return None
    if urllib.request.proxy_bypass(host):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(parts.scheme) or proxies.get("all")
