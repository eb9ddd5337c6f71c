"""template.yaml is the one source of truth: check what the code relies on is declared."""

from __future__ import annotations

import pytest

from pierre_local.resources import LocalResources
from pierre_local.template import TemplateError, read_stack
from tests.helpers import REPO_ROOT

STACK = read_stack(REPO_ROOT / "template.yaml")


@pytest.mark.parametrize("spec", STACK.functions.values(), ids=lambda spec: spec.logical_id)
def test_every_handler_module_exists_and_defines_the_handler(spec):
    source = (spec.code_dir / f"{spec.module}.py").read_text(encoding="utf-8")

    assert f"def {spec.attribute}(" in source or f"{spec.attribute} = " in source


def test_every_table_has_its_key_attributes_defined_and_ttl_where_data_expires():
    for name, table in STACK.tables.items():
        defined = {a["AttributeName"] for a in table.properties["AttributeDefinitions"]}
        keys = {k["AttributeName"] for k in table.properties["KeySchema"]}
        for index in table.properties.get("GlobalSecondaryIndexes", []):
            keys |= {k["AttributeName"] for k in index["KeySchema"]}
        assert keys == defined, name
    expiring = {"ConversationsTable", "IdempotencyTable", "RateLimitsTable"}
    for name in expiring:
        assert STACK.tables[name].properties["TimeToLiveSpecification"]["Enabled"] is True


def test_conversations_can_be_listed_by_landlord_and_day_without_a_scan():
    indexes = STACK.tables["ConversationsTable"].properties["GlobalSecondaryIndexes"]

    assert {index["IndexName"] for index in indexes} >= {"by-tenant-day"}


def test_an_sms_numbers_conversations_at_one_landlord_are_one_query_of_an_index():
    # given the conversations table's indexes
    indexes = STACK.tables["ConversationsTable"].properties["GlobalSecondaryIndexes"]
    # when the data-request index is looked up
    by_sender = {index["IndexName"]: index for index in indexes}["by-sms-sender"]
    # then it is keyed by the attributes SMS conversations' META already carries
    assert by_sender["KeySchema"] == [
        {"AttributeName": "sms_from", "KeyType": "HASH"},
        {"AttributeName": "tenant", "KeyType": "RANGE"},
    ]
    # and holds keys only, so the META updates of each turn never write it
    assert by_sender["Projection"] == {"ProjectionType": "KEYS_ONLY"}


def test_the_sms_queue_has_a_dead_letter_queue_and_triggers_the_worker():
    redrive = STACK.queues["SmsQueue"].properties["RedrivePolicy"]

    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["SmsDeadLetterQueue", "Arn"]}
    assert STACK.functions["SmsWorkerFunction"].sqs_queues == ("SmsQueue",)


def test_every_function_environment_resolves_locally():
    resources = LocalResources(STACK)
    for queue in STACK.queues:
        resources.queue_urls[queue] = f"http://localhost/{queue}"
        resources.queue_arns[queue] = f"arn:aws:sqs:eu-west-3:123456789012:{queue}"

    for spec in STACK.functions.values():
        environment = {k: resources.resolve(v) for k, v in spec.environment.items()}
        assert environment["CONVERSATIONS_TABLE"] == "pierre-local-ConversationsTable"
        assert environment["OPENBLAS_NUM_THREADS"] == "1"


def test_no_secret_has_a_plaintext_default():
    parameters = (REPO_ROOT / "template.yaml").read_text(encoding="utf-8").lower()
    # a custom resource's ServiceToken is the ARN of the function that answers it
    parameters = parameters.replace("servicetoken: !getatt", "")

    for word in ("password:", "token:", "apikey:", "secret:"):
        assert word not in parameters


def test_unknown_refs_are_a_clear_error():
    with pytest.raises(TemplateError, match="NoSuchThing"):
        LocalResources(STACK).resolve({"Ref": "NoSuchThing"})
