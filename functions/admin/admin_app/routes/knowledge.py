"""Knowledge: the landlord's sources and builds, what the datastore holds, a search playground."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from admin_app.forms import SearchQuery
from admin_app.render import render
from admin_app.security import Principal, ServicesDep, require
from admin_app.services import NOT_DEPLOYED, Services
from pierre_rag.auth.access import Capability, may
from pierre_rag.knowledge.models import AccessLevel
from pierre_rag.landlords import UnknownContextError
from pierre_rag.publishing.models import BuildStatus

router = APIRouter()
KnowledgeReader = Annotated[Principal, Depends(require(Capability.BROWSE_KNOWLEDGE))]
# Whoever may browse the knowledge is the landlord's staff: they see its staff knowledge too.
STAFF_ACCESS = (AccessLevel.COMMUNITY, AccessLevel.PUBLIC, AccessLevel.STAFF)
ACCESS_LABELS = {
    AccessLevel.COMMUNITY: "commun",
    AccessLevel.PUBLIC: "public",
    AccessLevel.STAFF: "interne",
}
BUILD_STATUS_LABELS = {
    BuildStatus.QUEUED: "en attente",
    BuildStatus.BUILDING: "en cours",
    BuildStatus.PUBLISHED: "publiée",
    BuildStatus.HELD: "retenue : question de contrôle perdue",
    BuildStatus.UNCHANGED: "inchangée",
    BuildStatus.FAILED: "échec",
}
NOTICES = {
    "published": "Fichier enregistré : la reconstruction est demandée.",
    "deleted": "Fichier supprimé : la reconstruction est demandée.",
    "restored": "Version restaurée : la reconstruction est demandée.",
    "build": "Reconstruction demandée.",
    "confirmed": "Construction publiée.",
    "rolledback": "Retour à la version choisie effectué.",
    "notrequested": "Fichier enregistré, mais la reconstruction n'a pas pu être demandée : "
    "cliquez sur « Reconstruire ».",
}
BUILDS_SHOWN = 10


def knowledge_page(
    request: Request,
    principal: Principal,
    svc: Services,
    *,
    notice: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    """The landlord's sources, live version and last builds (when publishing is deployed),
    then what the assistant's datastore holds (community files included)."""
    authoring = svc.authoring()
    context: dict[str, Any] = {"deployed": authoring is not None, "not_deployed": NOT_DEPLOYED}
    if authoring is not None:
        context.update(
            sources=authoring.sources.list(principal.landlord),
            pointer=authoring.publishing.pointer(principal.landlord),
            builds=authoring.publishing.builds(principal.landlord, BUILDS_SHOWN),
        )
    return render(
        request,
        "knowledge.html",
        principal,
        files=svc.browser(principal.landlord).files(principal.landlord, STAFF_ACCESS),
        access_labels=ACCESS_LABELS,
        status_labels=BUILD_STATUS_LABELS,
        may_edit=may(principal.role, Capability.EDIT_KNOWLEDGE),
        may_publish=may(principal.role, Capability.PUBLISH_KNOWLEDGE),
        notice=notice,
        error=error,
        status_code=status_code,
        **context,
    )


@router.get("/admin/knowledge")
def browse(
    request: Request,
    principal: KnowledgeReader,
    svc: ServicesDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return knowledge_page(request, principal, svc, notice=NOTICES.get(done, ""))


@router.get("/admin/knowledge/file")
def show_file(
    request: Request,
    principal: KnowledgeReader,
    svc: ServicesDep,
    path: Annotated[str, Query(max_length=300)],
) -> Response:
    entry = svc.browser(principal.landlord).file(principal.landlord, STAFF_ACCESS, path)
    if entry is None:
        return render(
            request, "error.html", principal, title="Fichier introuvable", status_code=404
        )
    return render(
        request, "knowledge_file.html", principal, entry=entry, access_labels=ACCESS_LABELS
    )


@router.get("/admin/knowledge/search")
def search(
    request: Request,
    principal: KnowledgeReader,
    svc: ServicesDep,
    query: Annotated[SearchQuery, Query()],
) -> Response:
    """What retrieval returns for a question, as the chosen chat context would search."""
    landlord = svc.landlords.get(principal.landlord)
    try:
        access = landlord.context(query.context).access
    except UnknownContextError:
        return render(request, "error.html", principal, title="Contexte inconnu", status_code=404)
    response = None
    if query.q.strip():
        response = svc.knowledge(principal.landlord).search(
            query.q.strip(), k=query.k, landlord=principal.landlord, access=access
        )
    return render(
        request,
        "search.html",
        principal,
        query=query,
        contexts=sorted(landlord.contexts),
        access=[ACCESS_LABELS[level] for level in access],
        response=response,
        access_labels=ACCESS_LABELS,
    )
