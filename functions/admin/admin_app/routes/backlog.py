"""The "À améliorer" backlog: the landlord's recent questions that got no answer, a refusal,
a thumbs-down or a low score, grouped by similar question (``pierre_rag.review``), each
group linked to the knowledge editor and marked handled in one action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from admin_app.forms import HandledForm
from admin_app.render import render
from admin_app.security import Principal, ServicesDep, require
from admin_app.services import Services
from pierre_rag.auth.access import Capability, may
from pierre_rag.knowledge.models import AccessLevel
from pierre_rag.pipeline import PipelineConfig
from pierre_rag.publishing.drafts import is_source_path
from pierre_rag.review.backlog import DAY_MS, WINDOW_DAYS, recent_items
from pierre_rag.review.grouping import BacklogGroup, group_questions
from pierre_rag.review.handled import HandledMark

router = APIRouter()
Reviewer = Annotated[Principal, Depends(require(Capability.REVIEW_CONVERSATIONS))]
MAX_GROUPS = 50  # groups shown (the most asked first); each is searched for its source
NOTICES = {
    "handled": "Groupe marqué comme traité.",
    "gone": "Ce groupe n'est plus dans la liste (déjà traité ?).",
}
UPLOAD = "/admin/knowledge/upload"
# A source matching less than this is one the chat would not quote either.
SOURCE_MIN_COSINE = PipelineConfig().nothing_found_min_cosine


@dataclass(frozen=True)
class GroupRow:
    group: BacklogGroup
    # the editor of the landlord's best matching source, else the upload page
    fix_href: str
    fix_label: str


def open_groups(svc: Services, landlord: str) -> list[BacklogGroup]:
    """The window's questions to improve on, those marked handled left out, grouped with the
    search's own embedder."""
    now_ms = int(svc.clock() * 1000)
    handled = svc.handled.handled(landlord)
    items = [
        item
        for item in recent_items(svc.conversations, landlord, now_ms)
        if item.key not in handled
    ]
    if not items:
        return []
    vectors = svc.knowledge(landlord).embedder.embed([item.question for item in items])
    return group_questions(items, vectors)


def _fix_link(svc: Services, landlord: str, question: str) -> tuple[str, str]:
    """Where to fix a group's answers: the landlord's own source the search finds first for
    its question, close enough to quote (in the editor), else the upload of a new file."""
    knowledge = svc.knowledge(landlord)
    found = knowledge.search(
        question, k=3, landlord=landlord, access=(AccessLevel.PUBLIC, AccessLevel.STAFF)
    )
    for result in found.results:
        path = result.file.removeprefix(f"{landlord}/")
        if (result.cosine or 0.0) < SOURCE_MIN_COSINE or result.landlord != landlord:
            continue
        if path != result.file and is_source_path(path):
            return f"/admin/knowledge/edit?path={path}", f"Modifier {path}"
    return UPLOAD, "Ajouter un fichier"


@router.get("/admin/backlog")
def backlog(
    request: Request,
    principal: Reviewer,
    svc: ServicesDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    groups = open_groups(svc, principal.landlord)
    editor = may(principal.role, Capability.EDIT_KNOWLEDGE)
    rows = []
    for group in groups[:MAX_GROUPS]:
        question = group.representative.question if group.representative else ""
        href, label = _fix_link(svc, principal.landlord, question) if editor else ("", "")
        rows.append(GroupRow(group, href, label))
    return render(
        request,
        "backlog.html",
        principal,
        rows=rows,
        total=len(groups),
        window_days=WINDOW_DAYS,
        notice=NOTICES.get(done, ""),
    )


@router.post("/admin/backlog/handled")
def mark_handled(
    form: Annotated[HandledForm, Form()], principal: Reviewer, svc: ServicesDep
) -> Response:
    """Mark every question of the group holding ``form.item`` handled (the group is found
    again from the landlord's own backlog: an item of another landlord is never marked)."""
    group = next((g for g in open_groups(svc, principal.landlord) if form.item in g.keys), None)
    if group is None:
        return RedirectResponse("/admin/backlog?done=gone", status_code=303)
    now_ms = int(svc.clock() * 1000)
    marks = [
        HandledMark(item.conversation_id, item.message_id, principal.email, now_ms)
        for item in group.items
    ]
    # A mark outlives its question's stay in the window, then expires (TTL).
    expires_at = (now_ms + (WINDOW_DAYS + 1) * DAY_MS) // 1000
    svc.handled.mark(principal.landlord, marks, expires_at=expires_at)
    return RedirectResponse("/admin/backlog?done=handled", status_code=303)
