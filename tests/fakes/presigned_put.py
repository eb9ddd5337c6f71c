"""A fake S3 pre-signed URL, as CloudFormation hands a custom resource (``ResponseURL``):
it takes one ``PUT`` of a JSON answer and refuses a content type, as S3 does for a URL signed
without one (``SignatureDoesNotMatch``)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from pierre_local.fake_http import BackgroundServer, QuietJsonHandler


@dataclass
class FakePresignedPut(BackgroundServer):
    answers: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._server = None

    @property
    def url(self) -> str:
        query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=0f1e2d"
        return f"http://127.0.0.1:{self.bound_port}/arn%3Aaws%3Acloudformation/response?{query}"

    def start(self) -> FakePresignedPut:
        fake = self

        class Handler(QuietJsonHandler):
            def do_PUT(self) -> None:
                body = self.read_body()
                if self.headers.get("content-type"):
                    self.send_json(403, {"Code": "SignatureDoesNotMatch"})
                    return
                with fake._lock:
                    fake.answers.append(json.loads(body))
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

        self._serve("127.0.0.1", 0, Handler, "fake-presigned-put")
        return self
