"""Start ``pierre-local`` (what ``make dev`` runs) as a subprocess, for functional and e2e tests."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import boto3
import yaml

from pierre_local.stack import free_port
from tests.helpers import REPO_ROOT


def stack_env(datastore: Path) -> dict[str, str]:
    """What a browser test's stack runs with: no LLM (extractive answers), the e2e datastore and the
    repository's landlords."""
    return {
        "PIERRE_LLM": "off",
        "PIERRE_DATASTORE": str(datastore),
        "PIERRE_LANDLORDS_DIR": str(REPO_ROOT / "knowledge"),
    }


@dataclass
class RunningStack:
    url: str
    moto_url: str
    state_dir: Path
    process: subprocess.Popen[str]
    dynamodb_url: str = ""
    table_prefix: str = "pierre-local"
    output: deque[str] = field(default_factory=lambda: deque(maxlen=500))

    def client(self, service: Literal["dynamodb", "sqs", "s3", "ssm"]) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.dynamodb_url if service == "dynamodb" else self.moto_url,
            region_name="eu-west-3",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def table(self, logical_id: str) -> str:
        return f"{self.table_prefix}-{logical_id}"

    @property
    def secrets(self) -> dict[str, str]:
        data: dict[str, str] = json.loads((self.state_dir / "secrets.json").read_text())
        return data


def signed_json_headers(body: bytes) -> dict[str, str]:
    """The headers the chat page sends with a JSON POST: its type, and the SHA-256 of the body
    that a Function URL behind CloudFront's origin access control requires (the streamed chat
    turn; the local stack refuses the turn without it, as the URL would)."""
    return {
        "content-type": "application/json",
        "x-amz-content-sha256": hashlib.sha256(body).hexdigest(),
    }


def landlords_answering_with(source: Path, landlord: str, base_url: str, folder: Path) -> Path:
    """A copy of the landlord folders of ``source`` in ``folder``, ``landlord`` answering with
    the OpenAI-compatible server at ``base_url`` (a fake): the stack's PIERRE_LANDLORDS_DIR."""
    shutil.copytree(source, folder)
    landlord_file = folder / landlord / "landlord.yaml"
    config = yaml.safe_load(landlord_file.read_text(encoding="utf-8"))
    config["llm"] = {"provider": "openai", "model": "fake", "base_url": base_url}
    landlord_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return folder


def launch(
    port: int, moto_port: int, state_dir: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pierre_local",
            "--port",
            str(port),
            "--moto-port",
            str(moto_port),
            "--state-dir",
            str(state_dir),
            *extra,
        ],
        cwd=REPO_ROOT,
        env={**base, "PYTHONPATH": str(REPO_ROOT / "infra"), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _drain(stream: Any, lines: deque[str]) -> None:
    for line in stream:
        lines.append(line.rstrip("\n"))


@contextmanager
def running_stack(
    state_dir: Path,
    *extra: str,
    dynamodb: str,
    env: dict[str, str] | None = None,
    seed_knowledge: bool = False,
) -> Iterator[RunningStack]:
    """``dynamodb``: the test run's DynamoDB Local, where this stack gets tables of its own;
    ``seed_knowledge``: start with the landlords' sources in the knowledge bucket, as
    ``make dev`` does."""
    port, moto_port = free_port(), free_port()
    prefix = f"pierre-{secrets.token_hex(4)}"
    tables = ("--dynamodb-endpoint", dynamodb, "--table-prefix", prefix)
    seeding = "--seed-knowledge" if seed_knowledge else "--no-seed-knowledge"
    process = launch(port, moto_port, state_dir, *tables, seeding, *extra, env=env)
    assert process.stdout is not None
    banner = process.stdout.readline()
    if "local stack on" not in banner:
        process.kill()
        errors = process.stderr.read() if process.stderr else ""
        raise RuntimeError(f"the local stack did not start: {banner}{errors}")
    running = RunningStack(
        f"http://127.0.0.1:{port}",
        f"http://127.0.0.1:{moto_port}",
        state_dir,
        process,
        dynamodb_url=dynamodb,
        table_prefix=prefix,
    )
    # Read the stack's output as it comes: a full pipe would block the stack mid-request.
    for stream in (process.stdout, process.stderr):
        threading.Thread(target=_drain, args=(stream, running.output), daemon=True).start()
    try:
        yield running
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
