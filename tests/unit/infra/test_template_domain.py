"""The optional custom domain in template.yaml: without its two parameters the distribution is
unchanged (no alias, CloudFront's own certificate); with both it serves the domain."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pierre_local.template import load_template
from tests.helpers import REPO_ROOT
from tests.unit.infra import intrinsics

TEMPLATE = load_template(REPO_ROOT / "template.yaml")
PARAMETERS: dict[str, Any] = TEMPLATE["Parameters"]
DISTRIBUTION = TEMPLATE["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
NO_VALUE = {"Ref": "AWS::NoValue"}


def evaluate(node: Any, values: dict[str, str]) -> Any:
    return intrinsics.evaluate(node, values, TEMPLATE["Conditions"])


def domain_properties(domain: str, certificate: str) -> tuple[Any, Any]:
    values = {"DomainName": domain, "CertificateArn": certificate}
    return (
        evaluate(DISTRIBUTION["Aliases"], values),
        evaluate(DISTRIBUTION["ViewerCertificate"], values),
    )


def test_without_a_domain_the_distribution_keeps_cloudfronts_name_and_certificate():
    assert PARAMETERS["DomainName"]["Default"] == PARAMETERS["CertificateArn"]["Default"] == ""
    assert domain_properties("", "") == (NO_VALUE, NO_VALUE)
    assert domain_properties("assistant.acme-habitat.fr", "") == (NO_VALUE, NO_VALUE)


def test_with_a_domain_and_its_certificate_the_distribution_serves_the_domain():
    aliases, certificate = domain_properties("assistant.acme-habitat.fr", CERTIFICATE)

    assert aliases == ["assistant.acme-habitat.fr"]
    assert certificate["AcmCertificateArn"] == CERTIFICATE
    assert certificate["SslSupportMethod"] == "sni-only"


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        (CERTIFICATE, True),
        ("", True),
        (CERTIFICATE.replace("us-east-1", "eu-west-3"), False),  # CloudFront reads us-east-1 only
    ],
)
def test_the_certificate_must_come_from_us_east_1(value, accepted):
    pattern = PARAMETERS["CertificateArn"]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, value)) is accepted


def test_the_custom_domain_url_is_an_output_only_with_a_domain():
    output = TEMPLATE["Outputs"]["CustomDomainUrl"]
    assert output["Condition"] == "HasCustomDomain"
    assert output["Value"] == {"Fn::Sub": "https://${DomainName}"}
