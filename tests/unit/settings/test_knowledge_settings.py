"""The knowledge publishing settings: empty means not deployed."""

from __future__ import annotations

import pytest

from pierre_rag.settings import Settings

DEPLOYED = {
    "KNOWLEDGE_BUCKET": "pierre-knowledge",
    "KNOWLEDGE_TABLE": "pierre-knowledge-table",
    "KNOWLEDGE_BUILD_QUEUE_URL": "https://sqs.eu-west-3.amazonaws.com/1/build.fifo",
}


def test_publishing_is_deployed_when_the_bucket_table_and_queue_are_set() -> None:
    # Given the three variables the template sets
    settings = Settings.from_env(DEPLOYED)

    # then the settings carry them and say publishing is deployed
    assert (
        settings.knowledge_bucket,
        settings.knowledge_table,
        settings.knowledge_build_queue_url,
    ) == tuple(DEPLOYED.values())
    assert settings.publishing_deployed


@pytest.mark.parametrize("missing", [*DEPLOYED, "all"])
def test_publishing_is_not_deployed_when_one_is_unset_or_empty(missing: str) -> None:
    # Given an environment lacking one of them (or all: an older deployment, the tests)
    env = {} if missing == "all" else {**DEPLOYED, missing: ""}

    # then publishing is not deployed
    assert not Settings.from_env(env).publishing_deployed
