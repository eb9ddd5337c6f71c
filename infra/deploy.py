"""The steps of ``make deploy`` around ``sam build`` and ``sam deploy``, with boto3 only.

``secrets`` (before ``sam deploy``: CloudFront reads ``origin-secret`` at deploy time) creates
the secrets the stack generates itself in SSM when they are missing — never overwriting one —
and the first-administrator secret of each landlord shipped, and says which secrets only the
operator can give (the CM.com token, an LLM key).

``publish`` (after it) reads the stack's outputs, syncs ``web/`` to the static bucket (uploads
what changed, deletes what ``web/`` no longer has), invalidates CloudFront, and prints the site
URL, the SMS webhook URL to give CM.com and the first-administrator steps. It also seeds each
deployed landlord's knowledge from ``knowledge/<landlord>/{public,staff}`` into the knowledge
bucket and requests its build, as ``make dev`` does (``pierre_rag.publishing.seed``): only a
landlord with no source and no history yet, so nothing staff did is ever overwritten.

Both take ``--dry-run``: they read, print what they would do and change nothing::

    .venv/bin/python infra/deploy.py secrets --region eu-west-3
    .venv/bin/python infra/deploy.py publish --stack pierre --region eu-west-3 --dry-run
"""

from __future__ import annotations

import argparse
import hashlib
import mimetypes
import secrets as secret_tokens
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from pierre_rag import wiring
from pierre_rag.auth.bootstrap import bootstrap_address, bootstrap_secret_name
from pierre_rag.example_landlord import production_landlords
from pierre_rag.paths import landlord_files
from pierre_rag.publishing.ports import BuildRequests, PublishingRepository, SourceStore
from pierre_rag.publishing.seed import seed_files, seed_landlord
from pierre_rag.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
# Generated here; SecureString but origin-secret, which CloudFront resolves at deploy time
# ({{resolve:ssm:...}} cannot read a SecureString in an origin header).
GENERATED_SECRETS = {
    "session-secret": "SecureString",
    "sms-webhook-secret": "SecureString",
    "phone-hash-key": "SecureString",
    "origin-secret": "String",
}
# Only the operator has them: a missing one disables SMS sending or the LLM, not the stack.
OPERATOR_SECRETS = {
    "cm-product-token": "CM.com product token (SMS): without it no SMS answer is sent",
    "llm-api-key": "LLM API key: without it answers are extractive (docs/deploy.md)",
}
# The local stack's home page and widget demo embed the example landlord: a production site
# without it leaves them out (its chat pages are /api/embed/<landlord>/<context>).
EXAMPLE_PAGES = frozenset({"index.html", "home.css", "demo.html", "demo.css"})
REQUIRED_OUTPUTS = ("SiteUrl", "SmsWebhookUrlPattern", "StaticBucketName", "DistributionId")
WEBHOOK_SECRET = "sms-webhook-secret"  # noqa: S105 (a parameter name)


class DeployError(Exception):
    """A step cannot go on; the message says what to do."""


# --------------------------------------------------------------------------- secrets


def parameter_name(prefix: str, name: str) -> str:
    return f"{prefix.rstrip('/')}/{name}"


def existing_parameters(ssm: Any, prefix: str) -> set[str]:
    """The names (relative to ``prefix``) of every parameter under it."""
    root = prefix.rstrip("/") + "/"
    names: set[str] = set()
    for page in ssm.get_paginator("get_parameters_by_path").paginate(
        Path=root, Recursive=True, WithDecryption=False
    ):
        names.update(parameter["Name"].removeprefix(root) for parameter in page["Parameters"])
    return names


@dataclass(frozen=True)
class SecretsReport:
    created: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    operator_missing: list[str] = field(default_factory=list)


def ensure_secrets(
    ssm: Any, prefix: str, landlords: Iterable[str], *, dry_run: bool = False
) -> SecretsReport:
    """Create each generated secret and landlord bootstrap secret missing under ``prefix``
    (random, 32 bytes); list the operator's secrets that are missing. Nothing is overwritten."""
    wanted = dict(GENERATED_SECRETS)
    wanted.update({bootstrap_secret_name(landlord): "SecureString" for landlord in landlords})
    existing = existing_parameters(ssm, prefix)
    report = SecretsReport(
        operator_missing=[name for name in OPERATOR_SECRETS if name not in existing]
    )
    for name, kind in wanted.items():
        if name in existing:
            report.present.append(name)
            continue
        if not dry_run:
            ssm.put_parameter(
                Name=parameter_name(prefix, name),
                Value=secret_tokens.token_urlsafe(32),
                Type=kind,
                Overwrite=False,
            )
        report.created.append(name)
    return report


# --------------------------------------------------------------------------- stack outputs


def stack_outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    """The stack's outputs by key; a missing stack or output says to deploy first."""
    try:
        described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    except ClientError as error:
        raise DeployError(f"stack {stack!r} not found ({error}); run `make deploy` first") from None
    outputs = {item["OutputKey"]: item["OutputValue"] for item in described.get("Outputs", [])}
    missing = [key for key in REQUIRED_OUTPUTS if key not in outputs]
    if missing:
        raise DeployError(f"stack {stack!r} has no output {', '.join(missing)}: is it PIERRE's?")
    return outputs


# --------------------------------------------------------------------------- static assets


@dataclass(frozen=True)
class SyncPlan:
    upload: list[str]
    delete: list[str]
    unchanged: list[str]


def local_assets(web: Path, *, include_example: bool = True) -> dict[str, bytes]:
    """Every file under ``web`` by its key (path relative to ``web``, with ``/``), the example
    landlord's pages only with ``include_example``."""
    files = {file.relative_to(web).as_posix(): file for file in sorted(web.rglob("*"))}
    return {
        key: file.read_bytes()
        for key, file in files.items()
        if file.is_file() and (include_example or key not in EXAMPLE_PAGES)
    }


def site_index(landlords: Sequence[str]) -> bytes:
    """The site root of a production stack (the local home page embeds the example): each
    landlord's chat page and the admin, so the distribution's address answers a page."""
    links = "\n".join(
        f'      <li><a href="/api/embed/{escape(landlord)}/default">{escape(landlord)}</a></li>'
        for landlord in landlords
    )
    return f"""<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>PIERRE — assistant des bailleurs</title>
</head>
<body>
  <main>
    <h1>PIERRE — assistant des bailleurs</h1>
    <p>L'assistant de chaque bailleur :</p>
    <ul>
{links}
    </ul>
    <p><a href="/admin">Administration (équipes des bailleurs)</a></p>
  </main>
</body>
</html>
""".encode()


def remote_etags(s3: Any, bucket: str) -> dict[str, str]:
    etags: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            etags[item["Key"]] = str(item["ETag"]).strip('"')
    return etags


def plan_sync(assets: dict[str, bytes], etags: dict[str, str]) -> SyncPlan:
    """What to upload (new or changed: an MD5 unlike the object's ETag, single-part uploads
    being all this script writes) and what to delete (no longer in ``web/``)."""
    upload: list[str] = []
    unchanged: list[str] = []
    for key, body in assets.items():
        same = etags.get(key) == hashlib.md5(body, usedforsecurity=False).hexdigest()
        (unchanged if same else upload).append(key)
    return SyncPlan(upload, sorted(set(etags) - set(assets)), unchanged)


def content_type(key: str) -> str:
    guessed, _ = mimetypes.guess_type(key)
    if guessed is None:
        return "application/octet-stream"
    return (
        f"{guessed}; charset=utf-8"
        if guessed.startswith("text/") or key.endswith(".js")
        else guessed
    )


def sync_static(
    s3: Any,
    bucket: str,
    web: Path,
    *,
    include_example: bool = True,
    landlords: Sequence[str] = (),
    dry_run: bool = False,
) -> SyncPlan:
    """Make ``bucket`` hold exactly ``web/``'s files (see :func:`local_assets`), with
    :func:`site_index` of ``landlords`` as the root page when the example is left out; the
    plan carried out."""
    assets = local_assets(web, include_example=include_example)
    if not include_example:
        assets["index.html"] = site_index(landlords)
    plan = plan_sync(assets, remote_etags(s3, bucket))
    if dry_run:
        return plan
    for key in plan.upload:
        s3.put_object(Bucket=bucket, Key=key, Body=assets[key], ContentType=content_type(key))
    for key in plan.delete:
        s3.delete_object(Bucket=bucket, Key=key)
    return plan


def invalidate(
    cloudfront: Any, distribution: str, reference: str, *, dry_run: bool = False
) -> str | None:
    """Invalidate every cached path of ``distribution``; the invalidation id (None: dry run).
    ``reference`` makes a retried call the same invalidation."""
    if dry_run:
        return None
    answer = cloudfront.create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": reference},
    )
    return str(answer["Invalidation"]["Id"])


# --------------------------------------------------------------------------- knowledge seed

PUBLISHING_RESOURCES = {
    "KnowledgeBucket": "KNOWLEDGE_BUCKET",
    "KnowledgeTable": "KNOWLEDGE_TABLE",
    "KnowledgeBuildQueue": "KNOWLEDGE_BUILD_QUEUE_URL",  # an SQS queue's physical id is its URL
}


def publishing_settings(cloudformation: Any, stack: str) -> Settings | None:
    """The functions' publishing settings, from the stack's resources (None: not deployed)."""
    physical: dict[str, str] = {}
    for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack):
        for resource in page["StackResourceSummaries"]:
            physical[resource["LogicalResourceId"]] = resource.get("PhysicalResourceId", "")
    env = {name: physical.get(logical, "") for logical, name in PUBLISHING_RESOURCES.items()}
    settings = Settings.from_env(env)
    return settings if settings.publishing_deployed else None


def seed_knowledge(
    stores: tuple[SourceStore, PublishingRepository, BuildRequests],
    knowledge: Path,
    landlords: Iterable[str],
    clock: Callable[[], float],
    *,
    dry_run: bool = False,
) -> dict[str, int]:
    """Files seeded per landlord (0: it has sources or history, or its folder has none); in a
    dry run, the files that would be."""
    sources, repository, requests = stores
    seeded: dict[str, int] = {}
    for landlord in landlords:
        folder = knowledge / landlord
        if not dry_run:
            seeded[landlord] = seed_landlord(sources, repository, requests, landlord, folder, clock)
        elif sources.list(landlord) or repository.changes(landlord, limit=1):
            seeded[landlord] = 0
        else:
            seeded[landlord] = len(list(seed_files(folder)))
    return seeded


# --------------------------------------------------------------------------- what to tell


def webhook_url(pattern: str, ssm: Any, prefix: str) -> str | None:
    """The SMS webhook URL with its secret (None when the secret is not in SSM yet)."""
    try:
        answer = ssm.get_parameter(Name=parameter_name(prefix, WEBHOOK_SECRET), WithDecryption=True)
    except ClientError:
        return None
    return pattern.replace("{secret}", str(answer["Parameter"]["Value"]))


def shipped_landlords(knowledge: Path, *, include_example: bool) -> list[str]:
    """The landlords a layer built from ``knowledge`` serves (infra/build_layer.py's choice)."""
    ids = [
        landlord for landlord, config in landlord_files(knowledge) if config.parent.name == landlord
    ]
    return production_landlords(sorted(set(ids)), include_example=include_example)


def admin_steps(site_url: str, landlords: Sequence[str], prefix: str, region: str) -> list[str]:
    """The first-administrator steps of each landlord, as lines to print."""
    if not landlords:
        return [
            "No landlord is served: add knowledge/<your domain>/landlord.yaml (docs/onboarding.md)."
        ]
    lines = [f"First administrator — open {site_url}/admin and, for each landlord:"]
    for landlord in landlords:
        name = parameter_name(prefix, bootstrap_secret_name(landlord))
        lines.append(
            f"  {landlord}: sign in as {bootstrap_address(landlord)} with the SecureString "
            f"{name} (SSM console, region {region}: Parameter Store, Show decrypted value), "
            "then choose your own password"
        )
    lines.append("  then create the other accounts at /admin/users; the bootstrap secret opens "
                 "nothing once the landlord has an account.")  # fmt: skip
    return lines


# --------------------------------------------------------------------------- commands


def run_secrets(session: Any, args: argparse.Namespace) -> int:
    landlords = shipped_landlords(args.knowledge, include_example=args.include_example)
    report = ensure_secrets(
        session.client("ssm"), args.secrets_prefix, landlords, dry_run=args.dry_run
    )
    verb = "would create" if args.dry_run else "created"
    for name in report.created:
        print(f"secrets: {verb} {parameter_name(args.secrets_prefix, name)}")
    print(f"secrets: {len(report.present)} already there (never overwritten)")
    for name in report.operator_missing:
        missing = parameter_name(args.secrets_prefix, name)
        print(f"secrets: missing {missing} — {OPERATOR_SECRETS[name]}")
    return 0


def run_seed(session: Any, args: argparse.Namespace, landlords: Sequence[str]) -> None:
    settings = publishing_settings(session.client("cloudformation"), args.stack)
    if settings is None:
        print("knowledge: publishing is not deployed in this stack, nothing seeded")
        return
    stores = (
        wiring.source_store(settings, session.client("s3")),
        wiring.publishing_repository(settings, session.client("dynamodb")),
        wiring.build_requests(settings, session.client("sqs")),
    )
    seeded = seed_knowledge(stores, args.knowledge, landlords, time.time, dry_run=args.dry_run)
    verb = "would seed" if args.dry_run else "seeded"
    for landlord, count in seeded.items():
        done = f"{verb} {count} file(s), one build requested" if count else "left as it is"
        print(f"knowledge: {landlord}: {done}")


def run_publish(session: Any, args: argparse.Namespace) -> int:
    outputs = stack_outputs(session.client("cloudformation"), args.stack)
    landlords = shipped_landlords(args.knowledge, include_example=args.include_example)
    plan = sync_static(
        session.client("s3"),
        outputs["StaticBucketName"],
        args.web,
        include_example=args.include_example,
        landlords=landlords,
        dry_run=args.dry_run,
    )
    prefix = "would " if args.dry_run else ""
    print(f"static: {prefix}upload {len(plan.upload)}, {prefix}delete {len(plan.delete)}, "
          f"{len(plan.unchanged)} unchanged → s3://{outputs['StaticBucketName']}/")  # fmt: skip
    reference = args.invalidation_reference or f"pierre-deploy-{uuid.uuid4()}"
    invalidation = invalidate(
        session.client("cloudfront"), outputs["DistributionId"], reference, dry_run=args.dry_run
    )
    done = invalidation or "(dry run: none)"
    print(f"CloudFront: invalidation {done} of /* on {outputs['DistributionId']}")
    run_seed(session, args, landlords)
    site = outputs.get("CustomDomainUrl") or outputs["SiteUrl"]
    print(f"\nSite: {site}  (widget: {site}/widget.js, admin: {site}/admin)")
    for landlord in landlords:
        print(f"  {landlord}'s chat page: {site}/api/embed/{landlord}/default")
    webhook = webhook_url(
        outputs["SmsWebhookUrlPattern"], session.client("ssm"), args.secrets_prefix
    )
    if webhook is None:
        missing = parameter_name(args.secrets_prefix, WEBHOOK_SECRET)
        webhook = f"{outputs['SmsWebhookUrlPattern']}  ({missing} missing: run `make deploy`)"
    print(f"SMS webhook URL to give CM.com (keep it secret): {webhook}")
    print("\n".join(["", *admin_steps(site, landlords, args.secrets_prefix, args.region)]))
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("command", choices=["secrets", "publish"])
    parser.add_argument("--stack", default="pierre", help="CloudFormation stack name")
    parser.add_argument("--region", default="eu-west-3")
    parser.add_argument(
        "--profile", default=None, help="AWS named profile (default: the environment's)"
    )
    parser.add_argument("--secrets-prefix", default="/pierre", help="the template's SecretsPrefix")
    parser.add_argument("--web", type=Path, default=REPO_ROOT / "web")
    parser.add_argument("--knowledge", type=Path, default=REPO_ROOT / "knowledge")
    parser.add_argument(
        "--include-example", action="store_true", help="the example landlord is deployed too"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="read and print only; change nothing"
    )
    parser.add_argument("--invalidation-reference", default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    session = boto3.session.Session(profile_name=args.profile, region_name=args.region)
    command = run_secrets if args.command == "secrets" else run_publish
    try:
        return command(session, args)
    except DeployError as error:
        print(f"deploy: {error}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as error:
        print(f"deploy: AWS refused or could not be reached: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
