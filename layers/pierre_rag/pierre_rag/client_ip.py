"""The client IP that rate limits and login lock-outs count by: one rule for every function.

Anyone can call the API's public execute-api endpoint with any header, so ``X-Forwarded-For``
or ``CloudFront-Viewer-Address`` prove nothing by themselves (rotating them gave a fresh
counter per request). What the platform sets is API Gateway's ``requestContext.http.sourceIp``,
the TCP peer: the caller itself, or a CloudFront edge when the request came through the
distribution. Mangum copies it into the ASGI scope's ``client`` (mangum 0.22,
``handlers/api_gateway.py``), and so does uvicorn for a real socket.

Behind CloudFront the viewer is in ``CloudFront-Viewer-Address``. It is believed only when the
request carries the origin secret that the distribution adds to every origin request
(``template.yaml``: the ``api`` origin's custom header, value from the SSM parameter
``<prefix>/origin-secret``), compared in constant time: a caller who does not know the
secret cannot make the API believe a viewer address.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

logger = logging.getLogger(__name__)

ORIGIN_SECRET_HEADER = "x-pierre-origin-secret"  # noqa: S105 - a header name
VIEWER_ADDRESS_HEADER = "cloudfront-viewer-address"
ORIGIN_SECRET_NAME = "origin-secret"  # noqa: S105 - the SSM parameter's name
MIN_SECRET_LENGTH = 16
UNKNOWN = "unknown"


def viewer_ip(value: str) -> str | None:
    """The address in a ``CloudFront-Viewer-Address`` value (``ip:port``, IPv6 unbracketed:
    ``2001:db8::1:46532``), or None when it does not hold one."""
    host = value.strip().rsplit(":", 1)[0].strip("[]")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


class _Peer(Protocol):
    @property
    def host(self) -> str: ...


class HttpRequest(Protocol):
    """What the rule reads of a Starlette/FastAPI request: its ASGI peer and its headers."""

    @property
    def client(self) -> _Peer | None: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


@dataclass(frozen=True)
class ClientIpRule:
    """``origin_secret`` empty: no request is taken as coming through CloudFront (local stack)."""

    origin_secret: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if self.origin_secret and len(self.origin_secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"the {ORIGIN_SECRET_NAME} secret must have at least {MIN_SECRET_LENGTH} characters"
            )

    def came_through_cloudfront(self, headers: Mapping[str, str]) -> bool:
        sent = headers.get(ORIGIN_SECRET_HEADER)
        if not self.origin_secret or sent is None:
            return False
        return hmac.compare_digest(sent.encode(), self.origin_secret.encode())

    def of_request(self, request: HttpRequest) -> str:
        """:meth:`client_ip` of a request: its ASGI peer is the source IP (under Mangum, the
        event's ``requestContext.http.sourceIp``)."""
        peer = request.client
        return self.client_ip(peer.host if peer else None, request.headers)

    def client_ip(self, source_ip: str | None, headers: Mapping[str, str]) -> str:
        """The viewer behind CloudFront (proven by the origin secret), else the source IP;
        an IPv6 address as its /64 (see :func:`counting_key`)."""
        if self.came_through_cloudfront(headers):
            viewer = viewer_ip(headers.get(VIEWER_ADDRESS_HEADER, ""))
            if viewer:
                return counting_key(viewer)
            logger.warning("a request through CloudFront had no usable %s", VIEWER_ADDRESS_HEADER)
        return counting_key((source_ip or UNKNOWN)[:64])


def counting_key(ip: str) -> str:
    """What a per-IP counter counts: an IPv4 address, or the /64 network of an IPv6 one (one
    subscriber's allocation: a caller picks any of its 2**64 addresses for free)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip  # not an address (a test client's name): counted as it is
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def load_client_ip_rule(read_secret: Callable[[str], str]) -> ClientIpRule:
    """The rule with the deployed origin secret; without the parameter (local stack, tests),
    a rule that trusts no CloudFront header. A deployed stack always has it: the distribution
    reads the same parameter, so the deployment fails without it."""
    from botocore.exceptions import ClientError

    try:
        secret = read_secret(ORIGIN_SECRET_NAME)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ParameterNotFound":
            raise
        logger.warning("no %s: CloudFront's viewer address is ignored", ORIGIN_SECRET_NAME)
        return ClientIpRule()
    return ClientIpRule(secret)
