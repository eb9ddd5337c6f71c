"""CM.com Business Messaging send API (``POST /v1.0/message``), with retries.

Wire format: header ``X-CM-PRODUCTTOKEN`` and body
``{"messages": {"authentication": {"producttoken": …}, "msg": [{"from", "to": [{"number"}],
"body": {"type": "auto", "content"}, "reference", "minimumNumberOfMessageParts",
"maximumNumberOfMessageParts", "allowedChannels"}]}}``. Numbers go as ``00<country><number>``,
the format CM recommends. Each SMS part is one ``msg`` of one request, so CM accepts or
refuses the whole answer at once.

Retries: timeouts, connection errors, 429 and 5xx are retried with exponential backoff;
other 4xx and refusals (``status`` not ``Accepted``) are permanent and never retried.
"""

from __future__ import annotations

import json
import logging
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)


class CmError(Exception):
    """Base class; messages never contain phone numbers."""


class CmUnavailableError(CmError):
    """Timeouts, connection errors or 5xx after every attempt: worth retrying later."""


class CmRejectedError(CmError):
    """CM refused the request (4xx or a refused message): retrying cannot help."""


@dataclass(frozen=True)
class CmSendResult:
    references: tuple[str, ...]
    parts_billed: int
    attempts: int


def _scrub(text: str) -> str:
    """CM error details may quote a number: never let one reach a log."""
    return re.sub(r"\+?\d[\d ]{5,}\d", "<number>", text)


def cm_number(e164: str) -> str:
    """``+33612345678`` → ``0033612345678``."""
    return "00" + e164.removeprefix("+")


def build_request(
    product_token: str, sender: str, recipient: str, parts: Sequence[str], reference: str
) -> dict[str, Any]:
    return {
        "messages": {
            "authentication": {"producttoken": product_token},
            "msg": [
                {
                    "from": cm_number(sender),
                    "to": [{"number": cm_number(recipient)}],
                    "body": {"type": "auto", "content": part},
                    "reference": f"{reference}-{index}",
                    "minimumNumberOfMessageParts": 1,
                    "maximumNumberOfMessageParts": 1,
                    "allowedChannels": ["SMS"],
                }
                for index, part in enumerate(parts, start=1)
            ],
        }
    }


class CmClient:
    def __init__(
        self,
        url: str,
        product_token: str,
        *,
        timeout_s: float = 10.0,
        attempts: int = 3,
        backoff_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url
        self.product_token = product_token
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.sleep = sleep

    def send(
        self, *, sender: str, recipient: str, parts: Sequence[str], reference: str
    ) -> CmSendResult:
        """Send ``parts`` as separate SMS; ``reference`` (≤ 28 characters) tags them."""
        if not parts:
            raise ValueError("nothing to send")
        payload = json.dumps(
            build_request(self.product_token, sender, recipient, parts, reference)
        ).encode()
        last: CmError | None = None
        for attempt in range(1, self.attempts + 1):
            if attempt > 1:
                self.sleep(self.backoff_s * 2 ** (attempt - 2))
            try:
                status, body = self._post(payload)
            except (TimeoutError, urllib.error.URLError, ConnectionError) as error:
                reason = getattr(error, "reason", error)
                last = CmUnavailableError(f"CM unreachable: {type(reason).__name__}")
                logger.warning("CM send attempt %d failed: %s", attempt, last)
                continue
            if status == 429 or status >= 500:
                last = CmUnavailableError(f"CM answered HTTP {status}")
                logger.warning("CM send attempt %d failed: %s", attempt, last)
                continue
            return self._accepted(status, body, attempt, len(parts))
        assert last is not None
        raise last

    def _post(self, payload: bytes) -> tuple[int, bytes]:
        request = urllib.request.Request(  # noqa: S310 - the URL comes from our configuration
            self.url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-CM-PRODUCTTOKEN": self.product_token,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as error:
            return int(error.code), bytes(error.read() or b"")

    @staticmethod
    def _accepted(status: int, body: bytes, attempt: int, count: int) -> CmSendResult:
        try:
            data = json.loads(body) if body else {}
        except json.JSONDecodeError:
            data = {}
        data = data if isinstance(data, dict) else {}
        messages = [m for m in data.get("messages") or [] if isinstance(m, dict)]
        if status >= 400:
            raise CmRejectedError(
                f"CM refused the request: HTTP {status}, errorCode {data.get('errorCode')}, "
                f"{_scrub(str(data.get('details', '')))[:200]}"
            )
        refused = [m for m in messages if str(m.get("status", "")).lower() != "accepted"]
        if refused:
            codes = sorted({str(m.get("messageErrorCode")) for m in refused})
            raise CmRejectedError(
                f"CM refused {len(refused)} of {count} part(s), messageErrorCode {', '.join(codes)}"
            )
        return CmSendResult(
            references=tuple(str(m.get("reference", "")) for m in messages),
            parts_billed=sum(int(m.get("parts") or 1) for m in messages) or count,
            attempts=attempt,
        )
