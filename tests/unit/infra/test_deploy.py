"""infra/deploy.py against moto: the secrets step, stack outputs, the static sync, the
CloudFront invalidation and what is printed, each also with --dry-run."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from pierre_local.template import REGION
from pierre_rag.example_landlord import EXAMPLE_LANDLORD
from pierre_rag.publishing.memory import MemoryBuildRequests, MemoryPublishing, MemorySources

REPO_ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO_ROOT / "infra"))

import deploy  # noqa: E402

LANDLORD = "acme-habitat.fr"
PREFIX = "/pierre"


def write(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture
def session(aws: None) -> Any:
    return boto3.session.Session(region_name=REGION)


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    for landlord in (LANDLORD, EXAMPLE_LANDLORD):
        write(
            root / landlord / "landlord.yaml",
            f"id: {landlord}\nname: X\ncontexts:\n  default: {{}}\n",
        )
    write(root / "commun" / "a.md", "# A\n")
    return root


def create_stack(session: Any, bucket: str, distribution: str) -> None:
    """A stack with PIERRE's outputs (moto cannot run the SAM template itself)."""
    template = {
        "Resources": {"Static": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}}},
        "Outputs": {
            "SiteUrl": {"Value": "https://d111.cloudfront.net"},
            "SmsWebhookUrlPattern": {"Value": "https://d111.cloudfront.net/sms/{secret}"},
            "StaticBucketName": {"Value": {"Ref": "Static"}},
            "DistributionId": {"Value": distribution},
        },
    }
    session.client("cloudformation").create_stack(
        StackName="pierre", TemplateBody=json.dumps(template)
    )


def create_distribution(session: Any) -> str:
    config = {
        "CallerReference": "test",
        "Comment": "",
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "s3",
                    "DomainName": "b.s3.amazonaws.com",
                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "s3",
            "ViewerProtocolPolicy": "allow-all",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
    }
    answer = session.client("cloudfront").create_distribution(DistributionConfig=config)
    return str(answer["Distribution"]["Id"])


def test_secrets_are_created_once_and_never_overwritten(session):
    # Given one secret an operator already set
    ssm = session.client("ssm")
    ssm.put_parameter(Name="/pierre/session-secret", Value="kept", Type="SecureString")

    # When the secrets step runs for one landlord, twice
    first = deploy.ensure_secrets(ssm, PREFIX, [LANDLORD])
    second = deploy.ensure_secrets(ssm, PREFIX, [LANDLORD])

    # Then the missing ones were created with the right types, the existing one kept
    assert sorted(first.created) == sorted(
        ["sms-webhook-secret", "phone-hash-key", "origin-secret", f"admin-bootstrap/{LANDLORD}"]
    )
    assert second.created == []
    assert (
        ssm.get_parameter(Name="/pierre/session-secret", WithDecryption=True)["Parameter"]["Value"]
        == "kept"
    )
    assert ssm.get_parameter(Name="/pierre/origin-secret")["Parameter"]["Type"] == "String"
    bootstrap = ssm.get_parameter(Name=f"/pierre/admin-bootstrap/{LANDLORD}")["Parameter"]
    assert bootstrap["Type"] == "SecureString"
    assert first.operator_missing == ["cm-product-token", "llm-api-key"]


def test_secrets_dry_run_creates_nothing(session):
    ssm = session.client("ssm")
    report = deploy.ensure_secrets(ssm, PREFIX, [LANDLORD], dry_run=True)
    assert "session-secret" in report.created
    assert deploy.existing_parameters(ssm, PREFIX) == set()


def test_only_production_landlords_get_a_bootstrap_secret(knowledge):
    assert deploy.shipped_landlords(knowledge, include_example=False) == [LANDLORD]
    assert deploy.shipped_landlords(knowledge, include_example=True) == [LANDLORD, EXAMPLE_LANDLORD]


def test_a_missing_stack_says_to_deploy_first(session):
    with pytest.raises(deploy.DeployError, match="make deploy"):
        deploy.stack_outputs(session.client("cloudformation"), "pierre")


def test_sync_uploads_changes_deletes_leftovers_and_skips_the_unchanged(session, tmp_path):
    # Given a bucket holding an old copy of web/ and a file web/ no longer has
    s3 = session.client("s3")
    s3.create_bucket(Bucket="static", CreateBucketConfiguration={"LocationConstraint": REGION})
    web = tmp_path / "web"
    write(web / "index.html", "<p>new</p>")
    write(web / "widget.js", "same")
    write(web / "img" / "logo.svg", "<svg/>")
    s3.put_object(Bucket="static", Key="index.html", Body=b"<p>old</p>")
    s3.put_object(Bucket="static", Key="widget.js", Body=b"same")
    s3.put_object(Bucket="static", Key="gone.css", Body=b"x")

    # When a dry run, then the sync, runs
    dry = deploy.sync_static(s3, "static", web, dry_run=True)
    after_dry = deploy.remote_etags(s3, "static")
    plan = deploy.sync_static(s3, "static", web)

    # Then the dry run planned the same and changed nothing; the bucket now mirrors web/
    assert dry == plan
    assert set(after_dry) == {"index.html", "widget.js", "gone.css"}
    assert plan.upload == ["img/logo.svg", "index.html"]
    assert plan.delete == ["gone.css"]
    assert plan.unchanged == ["widget.js"]
    assert set(deploy.remote_etags(s3, "static")) == {"index.html", "widget.js", "img/logo.svg"}
    index = s3.get_object(Bucket="static", Key="index.html")
    assert index["Body"].read() == b"<p>new</p>"
    assert index["ContentType"] == "text/html; charset=utf-8"


def test_a_production_site_leaves_out_the_example_landlords_pages(session, tmp_path):
    # Given web/ with the local stack's home page and widget demo (both embed the example)
    s3 = session.client("s3")
    s3.create_bucket(Bucket="static", CreateBucketConfiguration={"LocationConstraint": REGION})
    web = tmp_path / "web"
    for name in ("index.html", "home.css", "demo.html", "demo.css", "widget.js", "chat.js"):
        write(web / name, name)
    s3.put_object(Bucket="static", Key="demo.html", Body=b"left by an earlier deploy")

    # When it is synced for production, then for a demo stack
    production = deploy.sync_static(
        s3, "static", web, include_example=False, landlords=["acme-habitat.fr"]
    )
    demo = deploy.sync_static(s3, "static", web, include_example=True, dry_run=True)

    # Then production has the widget and chat but none of the example's pages, and its root
    # page leads to each landlord's chat page and the admin
    assert production.upload == ["chat.js", "widget.js", "index.html"]
    assert production.delete == ["demo.html"]
    assert set(deploy.remote_etags(s3, "static")) == {"chat.js", "index.html", "widget.js"}
    root = s3.get_object(Bucket="static", Key="index.html")
    page = root["Body"].read().decode()
    assert root["ContentType"] == "text/html; charset=utf-8"
    assert 'href="/api/embed/acme-habitat.fr/default"' in page and 'href="/admin"' in page
    assert "pierre-habitat.fr" not in page
    assert demo.upload == ["demo.css", "demo.html", "home.css", "index.html"]


def test_publish_syncs_invalidates_and_prints_the_urls_and_admin_steps(
    session, tmp_path, knowledge, capsys, monkeypatch
):
    # Given a deployed stack, its distribution and its webhook secret
    distribution = create_distribution(session)
    create_stack(session, "static", distribution)
    session.client("ssm").put_parameter(
        Name="/pierre/sms-webhook-secret", Value="s3cr3t", Type="SecureString"
    )
    write(tmp_path / "web" / "chat.html", "<p>chat</p>")
    monkeypatch.setattr(boto3.session, "Session", lambda **_: session)

    # When the publish step runs
    code = deploy.main(["publish", "--web", str(tmp_path / "web"), "--knowledge", str(knowledge),
                        "--invalidation-reference", "ref-1"])  # fmt: skip

    # Then web/ is in the bucket, the cache invalidated, and the operator told what to do next
    out = capsys.readouterr().out
    assert code == 0
    assert (
        session.client("s3").get_object(Bucket="static", Key="chat.html")["Body"].read()
        == b"<p>chat</p>"
    )
    invalidations = session.client("cloudfront").list_invalidations(DistributionId=distribution)
    assert invalidations["InvalidationList"]["Quantity"] == 1
    assert "Site: https://d111.cloudfront.net " in out
    assert f"chat page: https://d111.cloudfront.net/api/embed/{LANDLORD}/default" in out
    assert "https://d111.cloudfront.net/sms/s3cr3t" in out
    assert f"sign in as admin@{LANDLORD}" in out
    assert f"/pierre/admin-bootstrap/{LANDLORD}" in out
    assert EXAMPLE_LANDLORD not in out


def test_publish_dry_run_changes_nothing(session, tmp_path, knowledge, capsys, monkeypatch):
    distribution = create_distribution(session)
    create_stack(session, "static", distribution)
    write(tmp_path / "web" / "chat.html", "<p>chat</p>")
    monkeypatch.setattr(boto3.session, "Session", lambda **_: session)

    code = deploy.main(
        ["publish", "--dry-run", "--web", str(tmp_path / "web"), "--knowledge", str(knowledge)]
    )

    out = capsys.readouterr().out
    assert code == 0
    assert "would upload 2" in out  # chat.html and the generated root page
    assert deploy.remote_etags(session.client("s3"), "static") == {}
    invalidations = session.client("cloudfront").list_invalidations(DistributionId=distribution)
    assert invalidations["InvalidationList"]["Quantity"] == 0
    assert "sms-webhook-secret missing" in out


def test_a_stack_without_publishing_is_not_seeded(session):
    distribution = create_distribution(session)
    create_stack(session, "static", distribution)
    assert deploy.publishing_settings(session.client("cloudformation"), "pierre") is None


def test_the_publishing_settings_come_from_the_stacks_resources(session):
    # Given a stack with the knowledge bucket, table and build queue
    template = {
        "Resources": {
            "KnowledgeBucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {"BucketName": "knowledge-bucket"},
            },
            "KnowledgeTable": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "TableName": "knowledge",
                    "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                },
            },
            "KnowledgeBuildQueue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"QueueName": "builds.fifo", "FifoQueue": True},
            },
        }
    }
    session.client("cloudformation").create_stack(
        StackName="pierre", TemplateBody=json.dumps(template)
    )

    # When the deploy script reads them
    settings = deploy.publishing_settings(session.client("cloudformation"), "pierre")

    # Then the functions' own settings point at them
    assert settings is not None
    assert (settings.knowledge_bucket, settings.knowledge_table) == (
        "knowledge-bucket",
        "knowledge",
    )
    assert settings.knowledge_build_queue_url.endswith("/builds.fifo")


def seed_folder(knowledge: Path) -> None:
    write(knowledge / LANDLORD / "public" / "horaires.md", "# Horaires\n")
    write(knowledge / LANDLORD / "staff" / "astreinte.md", "# Astreinte\n")


def memory_stores() -> tuple[MemorySources, MemoryPublishing, MemoryBuildRequests]:
    return MemorySources(clock=lambda: 1.0), MemoryPublishing(), MemoryBuildRequests()


def test_seeding_copies_a_new_landlords_files_once_and_a_dry_run_only_counts(knowledge):
    # Given a landlord folder with a public and a staff article
    seed_folder(knowledge)
    stores = memory_stores()

    # When a dry run, then the seed, then a second seed run
    dry = deploy.seed_knowledge(stores, knowledge, [LANDLORD], lambda: 1.0, dry_run=True)
    listed_after_dry = stores[0].list(LANDLORD)
    first = deploy.seed_knowledge(stores, knowledge, [LANDLORD], lambda: 1.0)
    again = deploy.seed_knowledge(stores, knowledge, [LANDLORD], lambda: 2.0)

    # Then the dry run wrote nothing, the seed copied both files, and nothing is copied twice
    assert dry == {LANDLORD: 2}
    assert listed_after_dry == []
    assert first == {LANDLORD: 2}
    assert again == {LANDLORD: 0}
    assert deploy.seed_knowledge(stores, knowledge, [LANDLORD], lambda: 3.0, dry_run=True) == {
        LANDLORD: 0
    }


def test_publish_before_any_deploy_fails_with_a_hint(session, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(boto3.session, "Session", lambda **_: session)

    code = deploy.main(["publish", "--web", str(tmp_path)])

    assert code == 1
    assert "run `make deploy` first" in capsys.readouterr().err
