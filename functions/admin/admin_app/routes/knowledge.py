"""Knowledge: browse what the datastore holds for this landlord, and a search playground."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from admin_app.forms import SearchQuery
from admin_app.render import render
from admin_app.security import Principal, ServicesDep, require
from pierre_rag.auth.access import Capability
from pierre_rag.knowledge.models import AccessLevel
from pierre_rag.landlords import UnknownContextError

router = APIRouter()
KnowledgeReader = Annotated[Principal, Depends(require(Capability.BROWSE_KNOWLEDGE))]
# Whoever may browse the knowledge is the landlord's staff: they see its staff knowledge too.
STAFF_ACCESS = (AccessLevel.COMMUNITY, AccessLevel.PUBLIC, AccessLevel.STAFF)
ACCESS_LABELS = {
    AccessLevel.COMMUNITY: "commun",
    AccessLevel.PUBLIC: "public",
    AccessLevel.STAFF: "interne",
}


@router.get("/admin/knowledge")
def browse(request: Request, principal: KnowledgeReader, svc: ServicesDep) -> Response:
    files = svc.browser(principal.landlord).files(principal.landlord, STAFF_ACCESS)
    return render(request, "knowledge.html", principal, files=files, access_labels=ACCESS_LABELS)


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
