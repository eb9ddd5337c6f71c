"""The CloudFront edge in template.yaml: origin protection and security headers (issue #13)."""

from __future__ import annotations

from typing import Any

import pytest

from pierre_local.template import load_template
from pierre_rag.client_ip import ORIGIN_SECRET_HEADER, ORIGIN_SECRET_NAME
from tests.helpers import REPO_ROOT

TEMPLATE = load_template(REPO_ROOT / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
DISTRIBUTION = RESOURCES["Distribution"]["Properties"]["DistributionConfig"]
BEHAVIOURS = {b["PathPattern"]: b for b in DISTRIBUTION["CacheBehaviors"]}


def _policy(behaviour: dict[str, Any]) -> dict[str, Any]:
    reference = behaviour["ResponseHeadersPolicyId"]["Ref"]
    resource = RESOURCES[reference]
    assert resource["Type"] == "AWS::CloudFront::ResponseHeadersPolicy"
    headers: dict[str, Any] = resource["Properties"]["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]
    return headers


def test_cloudfront_proves_itself_to_the_api_with_the_origin_secret_from_ssm():
    (api,) = [origin for origin in DISTRIBUTION["Origins"] if origin["Id"] == "api"]
    (header,) = api["OriginCustomHeaders"]

    assert header["HeaderName"].lower() == ORIGIN_SECRET_HEADER
    assert header["HeaderValue"] == {
        "Fn::Sub": f"{{{{resolve:ssm:${{SecretsPrefix}}/{ORIGIN_SECRET_NAME}}}}}"
    }


@pytest.mark.parametrize("path", ["default", "/api/*", "/admin*", "/sms/*"])
def test_every_behaviour_has_hsts_and_nosniff(path):
    behaviour = DISTRIBUTION["DefaultCacheBehavior"] if path == "default" else BEHAVIOURS[path]

    headers = _policy(behaviour)

    hsts = headers["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 31_536_000 and hsts["Override"] is True
    assert headers["ContentTypeOptions"]["Override"] is True
    assert headers["ReferrerPolicy"]["ReferrerPolicy"]


def test_the_admin_is_never_framed_and_the_embeddable_chat_page_is_not_blocked():
    admin = _policy(BEHAVIOURS["/admin*"])
    api = _policy(BEHAVIOURS["/api/*"])

    assert admin["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    # the chat page is framed by the landlords' sites: its own CSP names them
    assert "FrameOptions" not in api
    assert api["ContentSecurityPolicy"]["Override"] is False
