"""The DynamoDB Local launcher that `make dev` and the tests share."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from pierre_local.dynamodb_local import DynamoDBLocal, DynamoDBLocalError, _free_port


def test_a_port_taken_between_choice_and_bind_is_retried_on_another_port() -> None:
    # Given: the first port chosen is taken by another program when the JVM binds it
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        choices: Iterator[int] = iter([taken, _free_port(), _free_port()])

        # When: DynamoDB Local starts
        with DynamoDBLocal(choose_port=lambda: next(choices)) as server:
            # Then: it runs on another port and it is DynamoDB that answers there
            assert not server.endpoint.endswith(f":{taken}")
            client = boto3.client(
                "dynamodb",
                endpoint_url=server.endpoint,
                region_name="eu-west-3",
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )
            assert client.list_tables()["TableNames"] == []


def test_a_missing_install_says_how_to_install_it(tmp_path: Path) -> None:
    # Given: no DynamoDB Local in the configured home
    # When / Then: starting it is a clear error naming the make target
    with pytest.raises(DynamoDBLocalError, match="make dynamodb-local"):
        DynamoDBLocal(home=tmp_path).start()
