"""``pierre-local``: run the whole stack on http://localhost:3000 (``make dev``)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from pierre_local.dynamodb_local import DynamoDBLocalError
from pierre_local.stack import LocalStack, PortBusyError, StackOptions
from pierre_local.template import TemplateError
from pierre_rag.auth.bootstrap import bootstrap_address, bootstrap_secret_name


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="pierre-local", description="PIERRE serverless local stack (no AWS account needed)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    parser.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    parser.add_argument("--moto-port", type=int, default=0, help="moto port (default: any free)")
    parser.add_argument(
        "--dynamodb-endpoint",
        default="",
        help="use this DynamoDB Local instead of starting one (its tables are replaced)",
    )
    parser.add_argument(
        "--table-prefix",
        default=StackOptions.table_prefix,
        help="table names are PREFIX-<logical id> (default %(default)s)",
    )
    parser.add_argument("--template", type=Path, default=StackOptions.template)
    parser.add_argument("--web", type=Path, default=StackOptions.static_dir, help="static assets")
    parser.add_argument(
        "--parameter-overrides",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="template parameters, as for sam deploy (e.g. SmsMaxReceiveCount=2)",
    )
    parser.add_argument(
        "--visibility-timeout",
        type=int,
        default=StackOptions.visibility_timeout_s,
        help="SQS visibility timeout in seconds: how soon a failed SMS is retried locally",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=StackOptions.state_dir,
        help="where local secrets are kept (default .local/)",
    )
    parser.add_argument(
        "--seed-knowledge",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="copy knowledge/<landlord>/ into the empty knowledge bucket and request a build "
        "(default: yes)",
    )
    parser.add_argument(
        "--streaming",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="serve CloudFront's streamed paths (the chat turn) as its Function URL does; "
        "--no-streaming sends them through the HTTP API's buffered Lambda event, for "
        "comparison (infra/bench_streaming.py) (default: yes)",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log every request")
    return parser.parse_args(argv)


def startup_banner(
    url: str, landlords: Sequence[str], secrets_file: Path, *, fake_cm_url: str | None
) -> list[str]:
    """What ``make dev`` prints once the stack is up: the pages to open, and where each
    landlord's first-administrator password is."""
    lines = [
        f"PIERRE serverless local stack on {url}",
        f"  chat page    {url}/",
        f"  widget demo  {url}/demo.html  (a landlord's page embedding widget.js)",
        f"  admin        {url}/admin",
        f"  health       {url}/api/health · {url}/admin/health · {url}/sms/health",
    ]
    if fake_cm_url is not None:
        lines.append(
            f"  CM (fake)    {fake_cm_url}  — try: make sms TEXT='Bonjour' FROM=+33600000002"
        )
    lines.append(f"  DynamoDB     {os.environ.get('AWS_ENDPOINT_URL_DYNAMODB', '')} (Local)")
    lines.append(f"  AWS (moto)   {os.environ.get('AWS_ENDPOINT_URL', '')} (S3, SQS, SSM)")
    for landlord in landlords:
        lines.append(
            f"  first sign-in at {url}/admin as {bootstrap_address(landlord)}: the password is "
            f'the value of "{bootstrap_secret_name(landlord)}" in {secrets_file}'
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    if not 1 <= args.port <= 65535:
        print(f"pierre-local: invalid port {args.port}", file=sys.stderr)
        return 2
    overrides: dict[str, str] = {}
    for item in args.parameter_overrides:
        key, separator, value = item.partition("=")
        if not separator or not key:
            print(f"pierre-local: bad parameter override {item!r}, use KEY=VALUE", file=sys.stderr)
            return 2
        overrides[key] = value
    options = StackOptions(
        host=args.host,
        port=args.port,
        moto_port=args.moto_port,
        dynamodb_endpoint=args.dynamodb_endpoint,
        table_prefix=args.table_prefix,
        template=args.template,
        static_dir=args.web,
        visibility_timeout_s=args.visibility_timeout,
        state_dir=args.state_dir,
        parameter_overrides=overrides,
        seed_knowledge=args.seed_knowledge,
        streaming=args.streaming,
    )
    stack = LocalStack(options)
    try:
        stack.start()
    except (PortBusyError, TemplateError, DynamoDBLocalError) as error:
        print(f"pierre-local: {error}", file=sys.stderr)
        stack.stop()
        return 1
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    banner = startup_banner(
        stack.url,
        stack.landlords,
        options.state_dir / "secrets.json",
        fake_cm_url=stack.fake_cm.url if stack.fake_cm is not None else None,
    )
    print("\n".join(banner), flush=True)
    print("Ctrl-C to stop.", flush=True)
    stopped.wait()
    print("stopping…", flush=True)
    stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
