"""Run AWS's DynamoDB Local (installed by ``make dynamodb-local``) for the local stack and tests.

moto's server crashes under concurrent DynamoDB transactions and hides limits DynamoDB
enforces (item size, transaction conflicts); DynamoDB Local is AWS's own engine. One JVM
serves a whole test run or ``make dev`` session, in memory (``-inMemory -sharedDb``).

DynamoDB Local cannot bind port 0, so a free port is chosen and the JVM is asked to bind it;
the process is ready only when *its own* log says its connector started on that port (a
probe could be answered by another process that took the port first). A bind failure is
retried on another port. Note: DynamoDB Local always listens on every interface.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
HOME_VARIABLE = "PIERRE_DYNAMODB_LOCAL_HOME"
DEFAULT_HOME = REPO_ROOT / ".dynamodb-local"

# Small heap and the client JIT: it starts in under a second and leaves the second core free.
JVM_FLAGS = ("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")

# Jetty's "Started ServerConnector@…{HTTP/1.1, (http/1.1)}{0.0.0.0:8123}" at INFO is how the
# process tells which port it bound; the bundled log4j2.xml logs WARN only.
_LOG_CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="%m%n"/></Console>
  </Appenders>
  <Loggers>
    <Logger name="org.eclipse.jetty.server.AbstractConnector" level="info"/>
    <Root level="warn"><AppenderRef ref="out"/></Root>
  </Loggers>
</Configuration>
"""
_STARTED = re.compile(r"Started \S*ServerConnector@.*:(\d+)\}")
_BIND_FAILED = ("Failed to bind", "Address already in use")


class DynamoDBLocalError(RuntimeError):
    pass


def dynamodb_local_home() -> Path:
    return Path(os.environ.get(HOME_VARIABLE) or DEFAULT_HOME)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class DynamoDBLocal:
    """One DynamoDB Local process; ``start()`` returns its endpoint URL."""

    home: Path = field(default_factory=dynamodb_local_home)
    java: str = "java"
    attempts: int = 5
    start_timeout_s: float = 60.0
    choose_port: Any = _free_port  # injectable: tests make the first choice collide
    process: subprocess.Popen[str] | None = None
    endpoint: str = ""
    _output: deque[str] = field(default_factory=lambda: deque(maxlen=200))

    def start(self) -> str:
        jar = self.home / "DynamoDBLocal.jar"
        if not jar.is_file():
            raise DynamoDBLocalError(
                f"DynamoDB Local is not installed in {self.home}: run `make dynamodb-local`"
            )
        if shutil.which(self.java) is None:
            raise DynamoDBLocalError(
                "Java 17+ is required to run DynamoDB Local: "
                "sudo apt-get install openjdk-17-jre-headless"
            )
        log_config = self.home / "pierre-log4j2.xml"
        if not log_config.exists() or log_config.read_text(encoding="utf-8") != _LOG_CONFIG:
            log_config.write_text(_LOG_CONFIG, encoding="utf-8")
        for _ in range(self.attempts):
            port = int(self.choose_port())
            if self._launch(jar, log_config, port):
                self.endpoint = f"http://127.0.0.1:{port}"
                return self.endpoint
        raise DynamoDBLocalError(
            f"DynamoDB Local could not bind a free port in {self.attempts} attempts:\n"
            + "\n".join(self._output)
        )

    def _launch(self, jar: Path, log_config: Path, port: int) -> bool:
        """True once the process reports it listens on ``port``; False if the port was taken."""
        command = [
            self.java,
            *JVM_FLAGS,
            f"-Dlog4j.configurationFile={log_config}",
            f"-Djava.library.path={self.home / 'DynamoDBLocal_lib'}",
            "-jar",
            str(jar),
            "-inMemory",
            "-sharedDb",
            "-disableTelemetry",
            "-port",
            str(port),
        ]
        process = subprocess.Popen(
            command,
            cwd=self.home,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines: deque[str | None] = deque()
        arrived = threading.Condition()

        def pump() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                with arrived:
                    lines.append(line.rstrip())
                    arrived.notify()
            with arrived:
                lines.append(None)  # end of output: the process exited
                arrived.notify()

        threading.Thread(target=pump, name="dynamodb-local-log", daemon=True).start()
        deadline = time.monotonic() + self.start_timeout_s
        while True:
            with arrived:
                while not lines:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or not arrived.wait(remaining):
                        process.kill()
                        process.wait()
                        raise DynamoDBLocalError(
                            f"DynamoDB Local did not start in {self.start_timeout_s:.0f} s:\n"
                            + "\n".join(self._output)
                        )
                line = lines.popleft()
            if line is None:
                process.wait()
                if any(marker in text for text in self._output for marker in _BIND_FAILED):
                    self._output.clear()
                    return False
                raise DynamoDBLocalError(
                    f"DynamoDB Local exited with code {process.returncode}:\n"
                    + "\n".join(self._output)
                )
            self._output.append(line)
            started = _STARTED.search(line)
            if started and int(started.group(1)) == port:
                self.process = process
                return True

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> DynamoDBLocal:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def delete_tables(dynamodb: Any, prefix: str) -> None:
    """Delete every table whose name starts with ``prefix`` (fast in DynamoDB Local)."""
    paginator = dynamodb.get_paginator("list_tables")
    for page in paginator.paginate():
        for name in page.get("TableNames", []):
            if name.startswith(prefix):
                dynamodb.delete_table(TableName=name)
