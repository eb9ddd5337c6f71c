"""Knowledge publishing in template.yaml (#17): the bucket, table and build queue, the functions'
environment, and what each existing function may do with them."""

from __future__ import annotations

from typing import Any

import pytest

from pierre_local.template import load_template
from pierre_rag.settings import Settings
from tests.helpers import REPO_ROOT

TEMPLATE = load_template(REPO_ROOT / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
BUCKET = RESOURCES["KnowledgeBucket"]
BUILD_FUNCTION_TIMEOUT_S = 300  # the knowledge-build function's Timeout
KNOWLEDGE_SETTINGS = ("knowledge_bucket", "knowledge_table", "knowledge_build_queue_url")


def _statements(function: str) -> list[dict[str, Any]]:
    """The inline statements of a function's policies."""
    policies = RESOURCES[function]["Properties"]["Policies"]
    return [s for policy in policies if "Statement" in policy for s in policy["Statement"]]


def _allowed(function: str, resource: Any) -> set[str]:
    """The actions an inline statement of ``function`` allows on ``resource``."""
    return {
        action
        for statement in _statements(function)
        if statement["Effect"] == "Allow" and statement["Resource"] == resource
        for action in statement["Action"]
    }


def _datastores() -> dict[str, str]:
    return {"Fn::Sub": "${KnowledgeBucket.Arn}/datastores/*"}


def test_the_knowledge_bucket_is_private_versioned_encrypted_and_kept():
    props = BUCKET["Properties"]

    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert set(props["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(props["PublicAccessBlockConfiguration"]) == 4
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (encryption,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert (BUCKET["DeletionPolicy"], BUCKET["UpdateReplacePolicy"]) == ("Retain", "Retain")


def test_old_versions_expire_after_a_year_and_unfinished_uploads_are_aborted():
    rules = BUCKET["Properties"]["LifecycleConfiguration"]["Rules"]
    (everything,) = [rule for rule in rules if "Prefix" not in rule]

    assert everything["Status"] == "Enabled"
    assert everything["NoncurrentVersionExpiration"] == {"NoncurrentDays": 365}
    assert everything["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] >= 1


def test_the_knowledge_bucket_refuses_plain_http():
    policy = RESOURCES["KnowledgeBucketPolicy"]["Properties"]
    (deny,) = policy["PolicyDocument"]["Statement"]

    assert policy["Bucket"] == {"Ref": "KnowledgeBucket"}
    assert (deny["Effect"], deny["Action"], deny["Principal"]) == ("Deny", "s3:*", "*")
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert {"Fn::GetAtt": ["KnowledgeBucket", "Arn"]} in deny["Resource"]


def test_the_knowledge_table_has_pk_sk_recovery_and_encryption():
    table = RESOURCES["KnowledgeTable"]
    props = table["Properties"]

    assert [k["AttributeName"] for k in props["KeySchema"]] == ["pk", "sk"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True}
    assert table["DeletionPolicy"] == "Retain"


def test_the_build_queue_is_fifo_with_a_fifo_dead_letter_queue():
    queue = RESOURCES["KnowledgeBuildQueue"]["Properties"]
    dead_letters = RESOURCES["KnowledgeBuildDeadLetterQueue"]["Properties"]

    assert queue["FifoQueue"] is True and dead_letters["FifoQueue"] is True
    assert queue["ContentBasedDeduplication"] is False  # the build id deduplicates
    assert queue["VisibilityTimeout"] >= 6 * BUILD_FUNCTION_TIMEOUT_S
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["KnowledgeBuildDeadLetterQueue", "Arn"]},
        "maxReceiveCount": {"Ref": "KnowledgeBuildMaxReceiveCount"},
    }
    assert TEMPLATE["Parameters"]["KnowledgeBuildMaxReceiveCount"]["MinValue"] == 1


def test_every_function_is_told_where_publishing_lives():
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    read = {Settings.model_fields[name].validation_alias for name in KNOWLEDGE_SETTINGS}

    assert variables["KNOWLEDGE_BUCKET"] == {"Ref": "KnowledgeBucket"}
    assert variables["KNOWLEDGE_TABLE"] == {"Ref": "KnowledgeTable"}
    assert variables["KNOWLEDGE_BUILD_QUEUE_URL"] == {"Ref": "KnowledgeBuildQueue"}
    assert read == {"KNOWLEDGE_BUCKET", "KNOWLEDGE_TABLE", "KNOWLEDGE_BUILD_QUEUE_URL"}


@pytest.mark.parametrize("function", ["ChatFunction", "SmsWorkerFunction"])
def test_answering_functions_only_read_the_pointer_and_the_datastores(function):
    policies = RESOURCES[function]["Properties"]["Policies"]

    assert _allowed(function, {"Fn::GetAtt": ["KnowledgeTable", "Arn"]}) == {"dynamodb:GetItem"}
    assert _allowed(function, _datastores()) == {"s3:GetObject"}
    assert {"DynamoDBCrudPolicy": {"TableName": {"Ref": "KnowledgeTable"}}} not in policies
    named = [s["Resource"] for s in _statements(function)]
    assert not any("sources" in str(resource) for resource in named)


def test_the_admin_edits_sources_and_the_table_and_requests_builds():
    policies = RESOURCES["AdminFunction"]["Properties"]["Policies"]
    sources = {"Fn::Sub": "${KnowledgeBucket.Arn}/sources/*"}
    listing = [
        s
        for s in _statements("AdminFunction")
        if s["Resource"] == {"Fn::GetAtt": ["KnowledgeBucket", "Arn"]}
    ]

    assert {"DynamoDBCrudPolicy": {"TableName": {"Ref": "KnowledgeTable"}}} in policies
    assert {
        "SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["KnowledgeBuildQueue", "QueueName"]}}
    } in policies
    assert _allowed("AdminFunction", sources) == {
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:PutObject",
        "s3:DeleteObject",
    }
    # a confirm or rollback (the builder's) checks the kept object and prunes old versions
    assert _allowed("AdminFunction", _datastores()) == {"s3:GetObject", "s3:DeleteObject"}
    (listed,) = listing
    assert set(listed["Action"]) == {"s3:ListBucket", "s3:ListBucketVersions"}
    assert listed["Condition"] == {"StringLike": {"s3:prefix": ["sources/*", "datastores/*"]}}


def test_each_new_layer_asks_the_build_function_to_rebuild_stale_landlords():
    # a new layer version is a new CommunityLayer value: CloudFormation sends an Update
    update = RESOURCES["CommunityKnowledgeUpdate"]
    build_function = RESOURCES["KnowledgeBuildFunction"]["Properties"]

    assert update["Type"] == "Custom::CommunityKnowledgeUpdate"
    assert update["Properties"]["ServiceToken"] == {"Fn::GetAtt": ["KnowledgeBuildFunction", "Arn"]}
    assert update["Properties"]["CommunityLayer"] == {"Ref": "PierreRagLayer"}
    sends = [
        p["SQSSendMessagePolicy"] for p in build_function["Policies"] if "SQSSendMessagePolicy" in p
    ]
    assert sends == [{"QueueName": {"Fn::GetAtt": ["KnowledgeBuildQueue", "QueueName"]}}]
