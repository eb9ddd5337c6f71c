"""Benchmark: the admin's CSV import of 200 staff accounts, before and after one-time passwords
stopped being hashed with argon2id.

    .venv/bin/python infra/bench_user_import.py [--rows 200] [--runs 3]

Runs the real admin app in process (FastAPI TestClient, moto DynamoDB, tables from
template.yaml) and confirms an import of ``rows`` accounts, once with the one-time passwords
hashed as the route does now (salted HMAC-SHA-256) and once with argon2id as before. Prints the
seconds of each run and the median, and the hashing alone; no assertion (figures depend on the
machine). What remains after the change is moto's DynamoDB: each account is one transaction,
and moto deep-copies the table for each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [
    str(REPO),
    str(REPO / "infra"),
    str(REPO / "layers" / "pierre_rag"),
    str(REPO / "functions" / "admin"),
]

for name, value in (
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_DEFAULT_REGION", "eu-west-3"),
):
    os.environ[name] = value
os.environ.pop("AWS_ENDPOINT_URL", None)

import boto3  # noqa: E402
from admin_app.routes import users as users_routes  # noqa: E402
from moto import mock_aws  # noqa: E402

from pierre_local.resources import LocalResources, create_tables  # noqa: E402
from pierre_local.template import REGION, read_stack  # noqa: E402
from pierre_rag.auth.access import StaffRole  # noqa: E402
from pierre_rag.auth.passwords import (  # noqa: E402
    generate_password,
    hash_one_time_password,
    hash_password,
)
from pierre_rag.knowledge.build import build_datastore  # noqa: E402
from tests.unit.admin.harness import LANDLORD, make_admin  # noqa: E402
from tests.unit.knowledge.fakes import FIXTURE_KNOWLEDGE, HashEmbedder  # noqa: E402


def one_import(rows: int, datastore: Path) -> float:
    """Seconds for one confirmed import of ``rows`` new accounts (fresh tables each time)."""
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_tables(LocalResources(read_stack(REPO / "template.yaml")), dynamodb)
        admin = make_admin(dynamodb, datastore)
        with admin.client:
            csrf = admin.sign_in_as(f"me@{LANDLORD}", StaffRole.ADMINISTRATOR)
            text = "".join(f"user{i}@{LANDLORD},collaborator\n" for i in range(rows))
            began = time.perf_counter()
            response = admin.client.post(
                "/admin/users/import", data={"csrf": csrf, "csv_text": text, "action": "confirm"}
            )
            seconds = time.perf_counter() - began
        if response.status_code != 200 or len(admin.users.list(LANDLORD)) != rows + 1:
            raise SystemExit(f"import failed: HTTP {response.status_code}")
        return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        datastore = Path(tmp) / "datastore.sqlite"
        build_datastore([FIXTURE_KNOWLEDGE], datastore, HashEmbedder())
        variants = {
            "one-time HMAC-SHA-256 (now)": hash_one_time_password,
            "argon2id (before)": hash_password,
        }
        for label, hasher in variants.items():
            began = time.perf_counter()
            for _ in range(args.rows):
                hasher(generate_password())
            print(
                f"{args.rows} hashes alone, {label}: {time.perf_counter() - began:.3f} s",
                flush=True,
            )
        for label, hasher in variants.items():
            users_routes.hash_one_time_password = hasher  # type: ignore[attr-defined]
            runs = [one_import(args.rows, datastore) for _ in range(args.runs)]
            shown = ", ".join(f"{seconds:.2f}" for seconds in runs)
            print(
                f"import of {args.rows} accounts, {label}: median {statistics.median(runs):.2f} s "
                f"({shown})",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
