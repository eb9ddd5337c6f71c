"""Run the real handlers in-process, one single-threaded 'container' per function."""

from __future__ import annotations

import asyncio
import importlib
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pierre_local.template import ACCOUNT_ID, REGION, FunctionSpec

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """The attributes of the Lambda context object that Powertools and Mangum read."""

    function_name: str
    memory_limit_in_mb: int
    timeout_s: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self.started
        return max(0, int((self.timeout_s - elapsed) * 1000))


def _new_event_loop() -> None:
    # Mangum drives the ASGI app with asyncio.get_event_loop(); worker threads have none.
    asyncio.set_event_loop(asyncio.new_event_loop())


class LocalFunction:
    """One function: imported on first invocation (its 'cold start'), invoked serially."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.spec = spec
        self._handler: Handler | None = None
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=spec.logical_id, initializer=_new_event_loop
        )

    def _load(self) -> Handler:
        if self._handler is None:
            code_dir = str(self.spec.code_dir.resolve())
            if code_dir not in sys.path:
                sys.path.insert(0, code_dir)
            module = importlib.import_module(self.spec.module)
            self._handler = getattr(module, self.spec.attribute)
        return self._handler

    def _run(self, event: dict[str, Any]) -> Any:
        handler = self._load()
        context = LambdaContext(
            function_name=self.spec.logical_id,
            memory_limit_in_mb=self.spec.memory_mb,
            timeout_s=self.spec.timeout_s,
        )
        return handler(event, context)

    def invoke(self, event: dict[str, Any]) -> Any:
        """Invoke synchronously; exceptions propagate like a Lambda function error."""
        return self._executor.submit(self._run, event).result()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
