"""SMS worker function: consumes the inbound SMS queue (SQS, partial batch failures)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


class NotAnsweredYetError(RuntimeError):
    """Raised until the answering step exists, so the message is retried, never dropped."""


def record_handler(record: SQSRecord) -> None:
    body = json.loads(record.body)
    if not isinstance(body, dict):
        raise ValueError("SMS queue message must be a JSON object")
    logger.info("inbound SMS received", extra={"message_id": record.message_id})
    raise NotAnsweredYetError("the SMS answering step is not implemented yet")


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
