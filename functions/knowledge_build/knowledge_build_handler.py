"""Knowledge-build function: builds, checks and publishes a landlord's datastore for each
build request of the FIFO build queue (one message group per landlord).

A request whose body is not a build message is logged and dropped: retrying it would never
succeed. A build whose landlord is locked by another build (:class:`BuildBusyError`), or that
failed unexpectedly, is reported as a batch item failure: SQS delivers it again after the
visibility timeout, and moves it to the dead-letter queue after
``KnowledgeBuildMaxReceiveCount`` deliveries. A build that fails because of a source is no
error here: its build record says why. The work is in :mod:`pierre_rag.publishing.build`,
wired in ``knowledge_build_wiring``.

The same function answers the ``CommunityKnowledgeUpdate`` custom resource at each deploy
(``community_update``): it asks for a build of the landlords left over an older community copy.
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
from pydantic import ValidationError

import community_update
from knowledge_build_wiring import builder, operations, refresh_community_from_environment
from pierre_rag.knowledge.models import looks_like_landlord
from pierre_rag.metrics import OperationsMetrics, report_safely
from pierre_rag.observability import function_logger
from pierre_rag.publishing.build import BuildBusyError
from pierre_rag.publishing.models import BuildMessage
from pierre_rag.settings import Settings

logger = function_logger()
# One record per batch (template: BatchSize 1), so a FIFO group's order needs no more; its
# failure is reported as the batch's item failure rather than raised as a failed invocation.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
settings = Settings.from_env()


def parse_message(body: str) -> BuildMessage | None:
    """The build request, or None when ``body`` is not one (its landlord must be an id)."""
    try:
        message = BuildMessage.model_validate_json(body)
    except ValidationError:
        return None
    return message if looks_like_landlord(message.landlord) else None


def record_handler(record: SQSRecord) -> None:
    message = parse_message(record.body)
    context = {"sqs_message_id": record.message_id}
    if message is None:
        logger.error("not a knowledge build request: dropped", extra=context)
        return
    context |= {"landlord": message.landlord, "build_id": message.build_id}
    try:
        build = builder().run(message)
    except BuildBusyError:
        logger.info("another build of this landlord is running: retried later", extra=context)
        raise
    except Exception as error:
        receives = int(record.attributes.approximate_receive_count or 1)
        if receives >= settings.knowledge_build_max_receive_count:  # its last delivery
            report_safely(operations, lambda metrics: _count_dead_letter(metrics, message))
        logger.exception(
            "knowledge build failed; SQS will retry it, then move it to the dead-letter queue",
            extra={**context, "receive_count": receives, "reason": type(error).__name__},
        )
        raise
    report_safely(
        operations, lambda metrics: metrics.knowledge_build(message.landlord, build.status.value)
    )
    logger.info(
        "knowledge build done",
        extra={**context, "status": build.status.value, "version": build.version},
    )


def _count_dead_letter(metrics: OperationsMetrics, message: BuildMessage) -> None:
    metrics.knowledge_build(message.landlord, "failed")
    metrics.dead_letter_move(message.landlord, "knowledge_build")


@logger.inject_lambda_context
def handler(
    event: dict[str, Any], context: LambdaContext
) -> PartialItemFailureResponse | dict[str, Any]:
    if community_update.is_custom_resource_request(event):
        return community_update.respond(event, refresh_community_from_environment)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
