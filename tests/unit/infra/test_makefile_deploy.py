"""`make deploy`, `make layer` and `make sms` pass their variables through (read with `make -n`,
which prints the commands without running any)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="no make")


def dry_run(*arguments: str) -> list[str]:
    """The commands `make` would run, one per line (continuation lines joined)."""
    printed = subprocess.run(
        ["make", "-n", "--no-print-directory", "-C", str(REPO_ROOT), *arguments],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return printed.replace("\\\n", " ").splitlines()


def line_with(lines: list[str], needle: str) -> str:
    (line,) = [line for line in lines if needle in line]
    return line


def test_deploy_takes_the_stack_region_profile_and_domain():
    # When make deploy is read with every variable set
    lines = dry_run(
        "deploy",
        "STACK=pierre-test",
        "REGION=eu-central-1",
        "PROFILE=landlord",
        "DOMAIN=assistant.acme-habitat.fr",
        "CERTIFICATE_ARN=arn:aws:acm:us-east-1:123456789012:certificate/abc",
        "ALARM_EMAIL=astreinte@acme-habitat.fr",
        "BEDROCK_ARNS=arn:aws:bedrock:eu-west-3:1:a,arn:aws:bedrock:eu-west-1::b",
    )

    # Then the secrets step, sam deploy and the publish step all use them, in that order
    secrets = line_with(lines, "infra/deploy.py secrets")
    deploy = line_with(lines, "sam deploy")
    publish = line_with(lines, "infra/deploy.py publish")
    assert lines.index(secrets) < lines.index(deploy) < lines.index(publish)
    for line in (secrets, publish):
        assert "--stack pierre-test --region eu-central-1 --profile landlord" in line
    assert "--stack-name pierre-test --region eu-central-1 --profile landlord" in deploy
    assert "DomainName=assistant.acme-habitat.fr" in deploy
    assert "CertificateArn=arn:aws:acm:us-east-1:123456789012:certificate/abc" in deploy
    assert "AlarmEmail=astreinte@acme-habitat.fr" in deploy
    assert (
        'BedrockResourceArns="arn:aws:bedrock:eu-west-3:1:a,arn:aws:bedrock:eu-west-1::b"' in deploy
    )


def test_deploy_defaults_need_no_variable_and_add_no_domain():
    lines = dry_run("deploy")

    deploy = line_with(lines, "sam deploy")
    assert "--stack-name pierre --region eu-west-3 " in deploy
    assert "--profile" not in deploy
    assert "DomainName" not in deploy and "AlarmEmail" not in deploy
    assert "BedrockResourceArns" not in deploy
    assert "PIERRE_INCLUDE_EXAMPLE= " in line_with(lines, "sam build")


def test_the_example_landlord_is_built_in_only_when_asked():
    assert "--no-include-example" in line_with(dry_run("layer"), "build_layer.py")
    asked = line_with(dry_run("layer", "INCLUDE_EXAMPLE=1"), "build_layer.py")
    assert " --include-example" in asked and "--no-include-example" not in asked
    lines = dry_run("deploy", "INCLUDE_EXAMPLE=1")
    assert "PIERRE_INCLUDE_EXAMPLE=1 " in line_with(lines, "sam build")
    assert "--include-example" in line_with(lines, "infra/deploy.py publish")


def test_make_sms_picks_the_sender():
    assert '--from "+33611223344"' in line_with(dry_run("sms", "FROM=+33611223344"), "simulate_sms")
