"""Create the template's tables (DynamoDB Local), queues, buckets, secrets (moto); resolve refs."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pierre_local.template import ACCOUNT_ID, REGION, StackSpec, TemplateError
from pierre_rag.auth.bootstrap import bootstrap_secret_name

STACK_NAME = "pierre-local"

# Secrets the functions read from SSM (``<prefix>/<name>``). Locally they are generated once
# and kept in .local/secrets.json so sessions and webhook URLs survive a restart. Each
# landlord also gets its own bootstrap secret, ``admin-bootstrap/<landlord id>``.
LOCAL_SECRET_NAMES = (
    "session-secret",
    "sms-webhook-secret",
    "cm-product-token",
    "phone-hash-key",
    # The local front never sends it, so requests count by their real peer, as direct calls do.
    "origin-secret",
)


@dataclass
class LocalResources:
    """Physical names of what was created, used to resolve ``!Ref`` / ``!GetAtt``."""

    stack: StackSpec
    # Tables live in one shared DynamoDB Local: a stack started by a test gets its own prefix.
    table_prefix: str = STACK_NAME
    queue_urls: dict[str, str] = field(default_factory=dict)
    queue_arns: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def physical_name(logical_id: str) -> str:
        return f"{STACK_NAME}-{logical_id}"

    def table_name(self, logical_id: str) -> str:
        return f"{self.table_prefix}-{logical_id}"

    def queue_name(self, logical_id: str) -> str:
        """The queue's name; a FIFO queue's ends with ``.fifo``, as SQS requires (and as
        CloudFormation names one it generates)."""
        fifo = self.stack.queues[logical_id].fifo
        return self.physical_name(logical_id) + (".fifo" if fifo else "")

    def bucket_name(self, logical_id: str) -> str:
        return self.physical_name(logical_id).lower()

    def resolve(self, value: Any) -> str:
        """Resolve a template value (scalar, Ref, GetAtt, Sub) to the string Lambda would see."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        if isinstance(value, dict) and "Ref" in value:
            return self._ref(str(value["Ref"]))
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            logical_id, attribute = value["Fn::GetAtt"]
            return self._get_att(str(logical_id), str(attribute))
        if isinstance(value, dict) and "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
            return self._sub(value["Fn::Sub"])
        raise TemplateError(f"the local stack cannot resolve {value!r}")

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": STACK_NAME,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.stack.parameters:
            return self.stack.parameters[name]
        if name in self.stack.tables:
            return self.table_name(name)
        if name in self.queue_urls:
            return self.queue_urls[name]
        if name in self.stack.buckets:
            return self.bucket_name(name)
        raise TemplateError(f"!Ref {name}: not a parameter, table, queue or bucket")

    def _get_att(self, name: str, attribute: str) -> str:
        if name in self.queue_arns and attribute == "Arn":
            return self.queue_arns[name]
        if name in self.queue_urls and attribute == "QueueName":
            return self.queue_name(name)
        if name in self.stack.buckets and attribute == "Arn":
            return f"arn:aws:s3:::{self.bucket_name(name)}"
        raise TemplateError(f"!GetAtt {name}.{attribute} is not supported locally")

    def _sub(self, text: str) -> str:
        def replace(match: Any) -> str:
            expression = str(match.group(1))
            if "." in expression and not expression.startswith("AWS::"):
                logical_id, attribute = expression.split(".", 1)
                return self._get_att(logical_id, attribute)
            return self._ref(expression)

        return re.sub(r"\$\{([^}!]+)\}", replace, text)


def create_tables(resources: LocalResources, dynamodb: Any) -> list[str]:
    created = []
    for logical_id, table in resources.stack.tables.items():
        props = table.properties
        name = resources.table_name(logical_id)
        kwargs: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        dynamodb.create_table(**kwargs)
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
        created.append(name)
    return created


def create_queues(resources: LocalResources, sqs: Any, visibility_timeout_s: int) -> None:
    """Create queues, dead-letter targets first; the visibility timeout is shortened locally
    so that a failed SMS is retried within seconds instead of minutes."""
    pending = dict(resources.stack.queues)
    while pending:
        progressed = False
        for logical_id, queue in list(pending.items()):
            redrive = queue.properties.get("RedrivePolicy")
            attributes: dict[str, str] = {"VisibilityTimeout": str(visibility_timeout_s)}
            if queue.fifo:
                attributes["FifoQueue"] = "true"
                deduplication = queue.properties.get("ContentBasedDeduplication") is True
                attributes["ContentBasedDeduplication"] = str(deduplication).lower()
            if redrive:
                target = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
                if target not in resources.queue_arns:
                    continue
                attributes["RedrivePolicy"] = json.dumps(
                    {
                        "deadLetterTargetArn": resources.queue_arns[target],
                        "maxReceiveCount": resources.resolve(redrive["maxReceiveCount"]),
                    }
                )
            url = sqs.create_queue(
                QueueName=resources.queue_name(logical_id), Attributes=attributes
            )["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
            resources.queue_urls[logical_id] = url
            resources.queue_arns[logical_id] = arn["Attributes"]["QueueArn"]
            del pending[logical_id]
            progressed = True
        if not progressed:
            raise TemplateError(f"queues with unresolvable dead-letter targets: {list(pending)}")


def create_buckets(resources: LocalResources, s3: Any) -> None:
    """Create the buckets, with versioning where the template enables it."""
    for logical_id, bucket in resources.stack.buckets.items():
        name = resources.bucket_name(logical_id)
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        if bucket.versioned:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})


def load_local_secrets(path: Path, landlords: Collection[str] = ()) -> dict[str, str]:
    """Generate the local secrets once; keep them in ``path`` (git-ignored) across restarts.
    A landlord added later gets its bootstrap secret at the next start."""
    values: dict[str, str] = {}
    if path.exists():
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise TemplateError(f"{path} is not valid JSON; delete it to regenerate") from error
        if isinstance(stored, dict):
            values = {str(k): str(v) for k, v in stored.items()}
    names = (*LOCAL_SECRET_NAMES, *(bootstrap_secret_name(landlord) for landlord in landlords))
    missing = [name for name in names if name not in values]
    for name in missing:
        values[name] = secrets.token_urlsafe(24)
    if missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2), encoding="utf-8")
        path.chmod(0o600)
    return values


def fixed_secrets(tag: str) -> dict[str, str]:
    """Every secret a deployed stack has, each with a fixed value (a benchmark keeps no file)."""
    return {name: f"{tag}-{name}-0123456789" for name in LOCAL_SECRET_NAMES}


def put_secrets(ssm: Any, prefix: str, values: dict[str, str]) -> None:
    for name, value in values.items():
        ssm.put_parameter(
            Name=f"{prefix.rstrip('/')}/{name}", Value=value, Type="SecureString", Overwrite=True
        )
