"""The local stack creates the template's FIFO queues and versioned buckets as AWS would, and
its SQS poller hands a FIFO message's group, deduplication id and sequence number to the
function in the event's ``attributes``, as Lambda's event source mapping does."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from pierre_local.resources import LocalResources, create_buckets, create_queues
from pierre_local.sqs_poller import SqsPoller
from pierre_local.template import REGION, FunctionSpec, read_stack
from tests.helpers import REPO_ROOT

STACK = read_stack(REPO_ROOT / "template.yaml")


def _created(aws: None) -> tuple[LocalResources, Any]:
    resources = LocalResources(STACK)
    sqs = boto3.client("sqs", region_name=REGION)
    create_queues(resources, sqs, visibility_timeout_s=10)
    return resources, sqs


def test_fifo_queues_are_created_fifo_with_their_dead_letter_queue(aws):
    # Given the template's queues created locally
    resources, sqs = _created(aws)

    # when the build queue is read back
    url = resources.queue_urls["KnowledgeBuildQueue"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]

    # then it is FIFO, deduplicated by id only, with its FIFO dead-letter queue
    assert url.endswith("/pierre-local-KnowledgeBuildQueue.fifo")
    assert (attributes["FifoQueue"], attributes["ContentBasedDeduplication"]) == ("true", "false")
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == resources.queue_arns["KnowledgeBuildDeadLetterQueue"]
    assert redrive["deadLetterTargetArn"].endswith(".fifo")
    assert int(redrive["maxReceiveCount"]) == int(STACK.parameters["KnowledgeBuildMaxReceiveCount"])
    # and a standard queue keeps its plain name
    assert resources.queue_urls["SmsQueue"].endswith("/pierre-local-SmsQueue")
    assert resources.resolve({"Fn::GetAtt": ["KnowledgeBuildQueue", "QueueName"]}) == (
        "pierre-local-KnowledgeBuildQueue.fifo"
    )


def test_buckets_are_versioned_as_the_template_says(aws):
    # Given the template's buckets created locally
    resources = LocalResources(STACK)
    s3 = boto3.client("s3", region_name=REGION)
    create_buckets(resources, s3)

    # then each has the versioning its template entry asks for
    for logical_id, bucket in STACK.buckets.items():
        status = s3.get_bucket_versioning(Bucket=resources.bucket_name(logical_id)).get("Status")
        assert (status == "Enabled") == bucket.versioned, logical_id
    assert STACK.buckets["KnowledgeBucket"].versioned


def test_the_knowledge_variables_resolve_to_the_local_resources(aws):
    # Given the local resources
    resources, _ = _created(aws)

    # then the functions' knowledge variables name them
    variables = STACK.functions["ChatFunction"].environment
    resolved = {
        name: resources.resolve(variables[name]) for name in variables if "KNOWLEDGE" in name
    }
    assert resolved == {
        "KNOWLEDGE_BUCKET": "pierre-local-knowledgebucket",
        "KNOWLEDGE_TABLE": "pierre-local-KnowledgeTable",
        "KNOWLEDGE_BUILD_QUEUE_URL": resources.queue_urls["KnowledgeBuildQueue"],
    }


@dataclass
class RecordingFunction:
    """What the poller needs of a local function: its spec and ``invoke``."""

    spec: FunctionSpec = field(
        default_factory=lambda: FunctionSpec("Probe", Path("."), "probe", "handler", {})
    )
    events: list[dict[str, Any]] = field(default_factory=list)

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append(event)
        return {"batchItemFailures": []}


def test_the_poller_gives_a_fifo_message_its_group_and_sequence(aws):
    # Given a build request on the FIFO build queue
    resources, sqs = _created(aws)
    url = resources.queue_urls["KnowledgeBuildQueue"]
    sqs.send_message(
        QueueUrl=url,
        MessageBody='{"landlord": "exemple-hlm.fr"}',
        MessageGroupId="exemple-hlm.fr",
        MessageDeduplicationId="1796000000000abcd1234",
    )
    function = RecordingFunction()
    poller = SqsPoller(sqs, url, resources.queue_arns["KnowledgeBuildQueue"], function, wait_s=0)  # type: ignore[arg-type]

    # when the poller delivers it
    assert poller.poll_once() == 1

    # then the record carries the FIFO attributes Lambda gives, and the message is done
    ((record,),) = [event["Records"] for event in function.events]
    attributes = record["attributes"]
    assert attributes["MessageGroupId"] == "exemple-hlm.fr"
    assert attributes["MessageDeduplicationId"] == "1796000000000abcd1234"
    assert attributes["SequenceNumber"].isdigit()
    assert record["eventSourceARN"].endswith("KnowledgeBuildQueue.fifo")
    assert poller.poll_once() == 0


def test_the_poller_batch_size_is_the_event_sources(tmp_path):
    # Given a template whose function reads a queue in batches of 1, and the real template
    template = tmp_path / "template.yaml"
    template.write_text(
        """
Resources:
  Queue: {Type: AWS::SQS::Queue, Properties: {FifoQueue: true}}
  Builder:
    Type: AWS::Serverless::Function
    Properties:
      Handler: builder.handler
      CodeUri: functions/builder/
      Events:
        Requests: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn, BatchSize: 1}}
""",
        encoding="utf-8",
    )

    # then the local stack reads each batch size (SQS hands out 10 at most)
    assert read_stack(template).functions["Builder"].sqs_batch_sizes == {"Queue": 1}
    assert STACK.functions["SmsWorkerFunction"].sqs_batch_sizes == {"SmsQueue": 5}
