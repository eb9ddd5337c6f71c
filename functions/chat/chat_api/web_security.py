"""Origins, client address and security headers."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request

JSON_CSP = "default-src 'none'; frame-ancestors 'none'"


def client_ip(request: Request) -> str:
    """The viewer's address: CloudFront's viewer header when present, else the API's source."""
    viewer = request.headers.get("cloudfront-viewer-address")
    if viewer:
        return viewer.rsplit(":", 1)[0].strip("[]")
    event = request.scope.get("aws.event") or {}
    source = event.get("requestContext", {}).get("http", {}).get("sourceIp")
    if source:
        return str(source)
    return request.client.host if request.client else "unknown"


def same_origin(request: Request, origin: str) -> bool:
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def page_csp(frame_ancestors: Iterable[str]) -> str:
    ancestors = " ".join(["'self'", *sorted(frame_ancestors)])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
        f"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
    )
