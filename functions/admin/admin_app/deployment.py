"""Knowledge publishing is optional in a deployment: without its bucket and table the
assistant answers from the layer's knowledge only. Routes that need publishing take
``AuthoringDep``; in such a deployment they all answer the same 503 page."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from admin_app.render import render
from admin_app.security import Principal, ServicesDep, signed_in
from pierre_rag.publishing.authoring import Authoring


class KnowledgeNotDeployedError(Exception):
    """This deployment has no knowledge publishing (503)."""

    def __init__(self, principal: Principal) -> None:
        super().__init__("knowledge publishing is not deployed")
        self.principal = principal


def deployed_authoring(
    principal: Annotated[Principal, Depends(signed_in)], svc: ServicesDep
) -> Authoring:
    authoring = svc.authoring()
    if authoring is None:
        raise KnowledgeNotDeployedError(principal)
    return authoring


AuthoringDep = Annotated[Authoring, Depends(deployed_authoring)]
"""The landlord knowledge's authoring service; a route that takes it after its principal
is checked for its capability first."""


def not_deployed(request: Request, error: Exception) -> Response:
    """The exception handler of ``KnowledgeNotDeployedError``."""
    principal = error.principal if isinstance(error, KnowledgeNotDeployedError) else None
    return render(
        request,
        "error.html",
        principal,
        title="Publication non déployée",
        message="Les connaissances de ce déploiement ne se modifient pas depuis l'administration.",
        status_code=503,
    )
