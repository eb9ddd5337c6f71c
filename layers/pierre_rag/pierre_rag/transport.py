"""Whether a request came over HTTPS, for what only makes sense there: HSTS, Secure cookies.

In AWS every request does (API Gateway and CloudFront serve HTTPS only, and API Gateway sets
``X-Forwarded-Proto``). The one exception is the local stack (``make dev``): plain HTTP on the
local machine, where a Secure cookie would never come back.
"""

from __future__ import annotations

from collections.abc import Mapping

LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")

# One year; no includeSubDomains: a landlord may serve the assistant from one sub-domain of a
# wider site whose other hosts are not ours to pin.
HSTS = "max-age=31536000"


def is_local_plain_http(headers: Mapping[str, str]) -> bool:
    """Plain HTTP to this machine (the local stack); anything else is treated as HTTPS."""
    host = headers.get("host", "").lower()
    hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
    proto = headers.get("x-forwarded-proto", "http").split(",")[0].strip().lower()
    return proto == "http" and hostname in LOCAL_HOSTS
