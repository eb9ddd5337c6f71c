"""Origins, client address and security headers."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request

from pierre_rag.client_ip import ClientIpRule

JSON_CSP = "default-src 'none'; frame-ancestors 'none'"


def client_ip(request: Request, rule: ClientIpRule) -> str:
    """The caller's address by the layer's one rule (``pierre_rag.client_ip``)."""
    return rule.of_request(request)


def same_origin(request: Request, origin: str) -> bool:
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def widget_may_open(request: Request, origin: str | None, declared: Iterable[str]) -> bool:
    """Whether the chat page may be framed by a page of ``origin`` (its frame-ancestors): the
    chat's own origin or one the landlord declared. No Origin header: a same-origin request."""
    return not origin or same_origin(request, origin) or origin in set(declared)


def page_csp(frame_ancestors: Iterable[str]) -> str:
    ancestors = " ".join(["'self'", *sorted(frame_ancestors)])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
        f"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
    )
