"""HTTP through nginx, as the browser's own requests (the page shell, the pictures): raw GETs, sent as they
are, odd or not, and the route cookie nginx hands out."""

from __future__ import annotations

import asyncio
from collections import defaultdict


async def http_get(base_url: str, target: str, cookie: str | None = None,
                   timeout: float = 30.0) -> tuple[int, dict[str, list[str]], bytes]:
    """GET target (sent as is, odd or not) from base_url: status, headers by lower-case name, raw body."""
    host_port = base_url.split("://", 1)[1].rstrip("/")
    host, port = host_port.rsplit(":", 1)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout)
    try:
        lines = [f"GET {target} HTTP/1.1", f"Host: {host_port}", "Connection: close"]
        lines += [f"Cookie: {cookie}"] if cookie else []
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, list[str]] = defaultdict(list)
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()].append(value.strip())
    return int(status_line.split()[1]), headers, body


async def route_cookie(base_url: str, page: str) -> str | None:
    """The route cookie nginx gives a browser on its first request (None straight to a replica)."""
    _, headers, _ = await http_get(base_url, f"/{page}")
    for value in headers.get("set-cookie", []):
        if value.startswith("lw_route="):
            return value.split(";", 1)[0]
    return None
