"""Assemble the local stack: DynamoDB Local, moto (S3, SQS, SSM), resources from the template,
functions, poller, HTTP."""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pierre_local.dynamodb_local import DynamoDBLocal, delete_tables
from pierre_local.http_front import LocalGateway, make_server
from pierre_local.lambda_runtime import LocalFunction
from pierre_local.resources import (
    STACK_NAME,
    LocalResources,
    create_buckets,
    create_queues,
    create_tables,
    load_local_secrets,
    put_secrets,
)
from pierre_local.sqs_poller import SqsPoller
from pierre_local.template import REGION, TemplateError, read_stack
from pierre_local.web_adapter import LocalWebAdapter

logger = logging.getLogger("pierre_local")

REPO_ROOT = Path(__file__).resolve().parents[2]


class PortBusyError(RuntimeError):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def ensure_port_free(host: str, port: int) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise PortBusyError(
                f"port {port} on {host} is already in use ({error.strerror}). Stop the program "
                f"using it (e.g. `lsof -i :{port}`) or choose another port: make dev PORT=3001"
            ) from error


@dataclass
class StackOptions:
    host: str = "127.0.0.1"
    port: int = 3000
    moto_port: int = 0  # 0: pick a free one
    # "": start our own DynamoDB Local; else use this one (tests share one JVM per run),
    # where this stack's tables (``<table_prefix>-<logical id>``) are replaced by fresh ones.
    dynamodb_endpoint: str = ""
    table_prefix: str = STACK_NAME
    template: Path = REPO_ROOT / "template.yaml"
    static_dir: Path = REPO_ROOT / "web"
    state_dir: Path = REPO_ROOT / ".local"
    visibility_timeout_s: int = 10
    # copy knowledge/<landlord>/ into the empty knowledge bucket and request a build: what
    # `make dev` does; a test's stack starts without it unless the test asks
    seed_knowledge: bool = False
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    # False: the streamed paths go through the HTTP API (buffered), to compare the two
    streaming: bool = True


class LocalStack:
    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self.moto: Any = None
        self.dynamodb_local: DynamoDBLocal | None = None
        self.server: ThreadingHTTPServer | None = None
        self.functions: dict[str, LocalFunction] = {}
        self.adapters: dict[str, LocalWebAdapter] = {}  # functions under the Web Adapter
        self.pollers: list[SqsPoller] = []
        self.resources: LocalResources | None = None
        self.secrets: dict[str, str] = {}
        self.landlords: list[str] = []
        self.environment: dict[str, str] = {}
        self.fake_cm: Any = None  # SMS: pierre_local.fake_cm.FakeCm when started

    @property
    def url(self) -> str:
        return f"http://{self.options.host}:{self.options.port}"

    def start(self) -> None:
        options = self.options
        ensure_port_free(options.host, options.port)
        stack = read_stack(options.template)
        unknown = set(options.parameter_overrides) - set(stack.parameters)
        if unknown:
            raise TemplateError(f"unknown template parameter(s): {', '.join(sorted(unknown))}")
        stack.parameters.update(options.parameter_overrides)
        self._start_fake_cm(stack.parameters)
        self._start_moto()
        self._start_dynamodb()
        self.resources = LocalResources(stack, table_prefix=options.table_prefix)
        import boto3

        session = boto3.session.Session(region_name=REGION)
        dynamodb, sqs = session.client("dynamodb"), session.client("sqs")
        delete_tables(dynamodb, f"{options.table_prefix}-")
        tables = create_tables(self.resources, dynamodb)
        create_queues(self.resources, sqs, options.visibility_timeout_s)
        create_buckets(self.resources, session.client("s3"))
        self.environment = self._function_environment()
        os.environ.update(self.environment)
        self.landlords = self._landlords()
        self.secrets = load_local_secrets(options.state_dir / "secrets.json", self.landlords)
        prefix = stack.parameters.get("SecretsPrefix", "/pierre")
        put_secrets(session.client("ssm"), prefix, self.secrets)
        logger.info("created tables %s", ", ".join(tables))
        if options.seed_knowledge:
            from pierre_local.knowledge_seed import seed_knowledge
            from pierre_rag.settings import Settings

            seed_knowledge(session, self.landlords, Settings.from_env())
        self.functions = {
            name: LocalFunction(spec)
            for name, spec in stack.functions.items()
            if not spec.web_adapter
        }
        self.adapters = {
            name: LocalWebAdapter(spec)
            for name, spec in stack.functions.items()
            if spec.web_adapter
        }
        for spec in stack.functions.values():
            for queue in spec.sqs_queues:
                poller = SqsPoller(
                    sqs,
                    self.resources.queue_urls[queue],
                    self.resources.queue_arns[queue],
                    self.functions[spec.logical_id],
                    batch_size=spec.sqs_batch_sizes.get(queue, 10),
                )
                poller.start()
                self.pollers.append(poller)
        gateway = LocalGateway(
            stack.routes(),
            self.functions,
            options.static_dir,
            stack.streamed_paths if options.streaming else [],
            self.adapters,
        )
        self.server = make_server(options.host, options.port, gateway)
        threading.Thread(target=self.server.serve_forever, name="http", daemon=True).start()

    # --- SMS: a fake CM.com unless CmApiUrl is overridden (tests point it at their own fake)
    def _start_fake_cm(self, parameters: dict[str, str]) -> None:
        if "CmApiUrl" not in parameters or "CmApiUrl" in self.options.parameter_overrides:
            return
        import json

        from pierre_local.fake_cm import FakeCm, print_sent

        self.fake_cm = FakeCm(token=None, echo=print_sent).start()
        parameters["CmApiUrl"] = self.fake_cm.url
        self.options.state_dir.mkdir(parents=True, exist_ok=True)
        (self.options.state_dir / "fake-cm.json").write_text(
            json.dumps({"url": self.fake_cm.url}), encoding="utf-8"
        )

    # --- end SMS

    def _start_moto(self) -> None:
        from moto.server import ThreadedMotoServer

        port = self.options.moto_port or free_port()
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.moto.start()
        endpoint = f"http://127.0.0.1:{port}"
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": endpoint,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
            }
        )
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request lines
        logger.info("moto (S3, SQS, SSM) on %s", endpoint)

    def _start_dynamodb(self) -> None:
        endpoint = self.options.dynamodb_endpoint
        if not endpoint:
            self.dynamodb_local = DynamoDBLocal()
            endpoint = self.dynamodb_local.start()
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
        logger.info("DynamoDB Local on %s", endpoint)

    @staticmethod
    def _landlords() -> list[str]:
        """The landlords the functions will serve (each needs its bootstrap secret)."""
        from pierre_rag.landlords import LandlordRegistry
        from pierre_rag.settings import Settings

        return LandlordRegistry.from_directory(Settings.from_env().landlords_dir).ids

    def _function_environment(self) -> dict[str, str]:
        """All functions run in this one process, so their variables must agree."""
        assert self.resources is not None
        merged: dict[str, str] = {}
        for spec in self.resources.stack.functions.values():
            for name, value in spec.environment.items():
                resolved = self.resources.resolve(value)
                if merged.get(name, resolved) != resolved:
                    raise TemplateError(
                        f"{spec.logical_id} sets {name}={resolved!r} but another function sets "
                        f"{merged[name]!r}; the local stack runs them in one process"
                    )
                merged[name] = resolved
        merged["PIERRE_STAGE"] = "local"
        return merged

    def stop(self) -> None:
        for poller in self.pollers:
            poller.stop()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        for poller in self.pollers:
            poller.join(timeout=5)
        for function in self.functions.values():
            function.close()
        for adapter in self.adapters.values():
            adapter.close()
        if self.moto is not None:
            self.moto.stop()
        if self.dynamodb_local is not None:
            self.dynamodb_local.stop()
        if self.fake_cm is not None:
            self.fake_cm.stop()

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
