"""Feed SQS-triggered functions the way an event source mapping with partial batch
responses does: failed records stay in the queue and come back after the visibility timeout."""

from __future__ import annotations

import logging
import threading
from typing import Any

from pierre_local.events import sqs_event
from pierre_local.lambda_runtime import LocalFunction

logger = logging.getLogger("pierre_local.sqs")


class SqsPoller(threading.Thread):
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        function: LocalFunction,
        batch_size: int = 5,
        wait_s: int = 1,
    ) -> None:
        super().__init__(name=f"sqs-{function.spec.logical_id}", daemon=True)
        self.sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.function = function
        self.batch_size = batch_size
        self.wait_s = wait_s
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self.poll_once()
            except Exception:
                logger.exception("polling %s failed", self.queue_url)
                self._stop_event.wait(1)

    def poll_once(self) -> int:
        """Receive one batch, invoke the function, delete what succeeded; returns batch size."""
        received = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=self.wait_s,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages: list[dict[str, Any]] = received.get("Messages", [])
        if not messages:
            return 0
        try:
            result = self.function.invoke(sqs_event(messages, self.queue_arn))
        except Exception:
            logger.exception("%s failed; the batch will be retried", self.function.spec.logical_id)
            return len(messages)
        failed = {
            str(item.get("itemIdentifier"))
            for item in (result or {}).get("batchItemFailures", [])
            if isinstance(item, dict)
        }
        done = [m for m in messages if m["MessageId"] not in failed]
        if failed:
            logger.warning("%d message(s) failed and will be retried", len(failed))
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        return len(messages)
