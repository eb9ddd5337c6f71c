"""SMS worker function: answers queued inbound SMS and sends the reply through CM.com.

SQS batch with partial failures: a record that fails (CM down, answer in progress, refused
by CM) stays in the queue, comes back after the visibility timeout, and after
``SmsMaxReceiveCount`` deliveries SQS moves it to the dead-letter queue; the reason is logged
and kept on its delivery record. The work is in :mod:`pierre_rag.sms.worker`, wired in
``sms_wiring``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from pierre_rag.metrics import OTHER_LANDLORD, report_safely
from pierre_rag.observability import function_logger
from pierre_rag.settings import Settings
from pierre_rag.sms.inbound import QueuedSms, parse_queued
from sms_wiring import operations, worker

logger = function_logger()
processor = BatchProcessor(event_type=EventType.SQS)
settings = Settings.from_env()


def record_handler(record: SQSRecord) -> None:
    receives = int(record.attributes.approximate_receive_count or 1)
    queued: QueuedSms | None = None
    # Every log line of this SMS's turn carries its message id (never the number or text)
    logger.set_correlation_id(record.message_id)
    try:
        queued = parse_queued(record.body)
        logger.set_correlation_id(queued.message_id)
        outcome = worker().process(queued)
    except Exception as error:
        if receives >= settings.sms_max_receive_count:
            landlord = queued.landlord if queued is not None else OTHER_LANDLORD
            report_safely(operations, lambda metrics: metrics.dead_letter_move(landlord, "sms"))
        logger.warning(
            "SMS not answered yet; SQS will retry it, then move it to the dead-letter queue",
            extra={
                "sqs_message_id": record.message_id,
                "receive_count": receives,
                "reason": f"{type(error).__name__}: {error}"[:500],
            },
        )
        raise
    logger.info(
        "SMS processed", extra={"sqs_message_id": record.message_id, "status": outcome.status}
    )


@logger.inject_lambda_context(clear_state=True)  # no correlation id left from the last batch
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
