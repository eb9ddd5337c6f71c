"""The CloudFormation custom resource that rebuilds stale landlords after a deploy.

``template.yaml`` declares ``CommunityKnowledgeUpdate`` with the layer version as a property:
each deploy that publishes a new layer sends this function an ``Update`` request, and it asks
for a build of every landlord whose live datastore holds another community copy
(:mod:`pierre_rag.publishing.community`). CloudFormation waits for the answer, a ``PUT`` of a
JSON document to the request's pre-signed ``ResponseURL``, so one is always sent. It always
says ``SUCCESS``: a landlord that could not be queued must not roll the whole deploy back;
the answer's ``Data``, the log and that landlord's build record say what happened, and
"Reconstruire" in the admin is still there.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError

from pierre_rag.publishing.community import CommunityRefresh

logger = logging.getLogger(__name__)
PHYSICAL_ID = "community-knowledge-update"
SendResponse = Callable[[str, bytes], None]


class CustomResourceRequest(BaseModel):
    """The fields of CloudFormation's request that the answer needs."""

    model_config = ConfigDict(extra="ignore")

    RequestType: Literal["Create", "Update", "Delete"]
    ResponseURL: str
    StackId: str
    RequestId: str
    LogicalResourceId: str


def is_custom_resource_request(event: dict[str, Any]) -> bool:
    return "RequestType" in event and "ResponseURL" in event


def put_response(url: str, body: bytes) -> None:
    """PUT ``body`` to the pre-signed URL (S3 wants no content type: it is signed without)."""
    if urlsplit(url).scheme not in {"https", "http"}:
        raise ValueError(f"not an HTTP(S) response URL: {url!r}")
    request = urllib.request.Request(  # noqa: S310 — the scheme is checked above
        url, data=body, method="PUT", headers={"Content-Type": ""}
    )
    with urllib.request.urlopen(request, timeout=30) as answered:  # noqa: S310
        answered.read()


def respond(
    event: dict[str, Any],
    refresh: Callable[[], CommunityRefresh],
    send: SendResponse = put_response,
) -> dict[str, Any]:
    """Run ``refresh`` on Create and Update (not on Delete), then answer CloudFormation."""
    try:
        request = CustomResourceRequest.model_validate(event)
    except ValidationError as error:
        logger.error("not a CloudFormation custom resource request: %s", error)
        return {"Status": "FAILED", "Reason": "not a custom resource request"}
    data: dict[str, int] = {}
    reason = "nothing to do on delete"
    if request.RequestType != "Delete":
        try:
            data = refresh().summary()
            reason = "landlords over another community copy: rebuild requested"
        except Exception:  # the answer must still go, or the deploy hangs for an hour
            logger.exception("the community update could not look at the landlords")
            reason = "landlords not checked: see the knowledge-build function's log"
    answer = {
        "Status": "SUCCESS",
        "Reason": reason,
        "PhysicalResourceId": PHYSICAL_ID,
        "StackId": request.StackId,
        "RequestId": request.RequestId,
        "LogicalResourceId": request.LogicalResourceId,
        "Data": data,
    }
    send(request.ResponseURL, json.dumps(answer).encode())
    logger.info("community update answered", extra={"request": request.RequestType, **data})
    return answer
