"""Build requests on the build queue (SQS FIFO): the landlord is the message group, so the
knowledge-build function gets one landlord's requests one at a time and in order, and the build
id is the deduplication id, so a request sent twice (a retried admin call) is built once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pierre_rag.publishing.models import BuildMessage

if TYPE_CHECKING:
    from types_boto3_sqs.client import SQSClient


class SqsBuildRequests:
    """:class:`~pierre_rag.publishing.ports.BuildRequests` over the FIFO build queue."""

    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    def request(self, landlord: str, build_id: str, actor: str) -> None:
        message = BuildMessage(landlord=landlord, build_id=build_id, actor=actor)
        self._client.send_message(
            QueueUrl=self._queue_url,
            MessageBody=message.model_dump_json(),
            MessageGroupId=landlord,
            MessageDeduplicationId=build_id,
        )


__all__ = ["SqsBuildRequests"]
