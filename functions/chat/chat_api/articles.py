"""The article a source links to: a public page a tenant can open from an answer.

Only what an anonymous chat may read is served (the community's files and the landlord's
public ones, ``knowledge.articles.TENANT_ACCESS``); a staff file answers 404 as an unknown
one, so its existence is not revealed. The sections go to the page as JSON data and are
rendered by the chat's own safe Markdown renderer (``web/markdown.js``): no HTML from the
knowledge reaches the page.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import HTMLResponse

from chat_api.routes import HTML_ROUTE_ERRORS, PAGES, UNAVAILABLE_LANDLORD, ChatServicesDep
from chat_api.services import ChatServices
from chat_api.web_security import page_csp
from pierre_rag.knowledge.articles import (
    MAX_PATH_CHARS,
    TENANT_ACCESS,
    Article,
    article_of,
    is_article_path,
)
from pierre_rag.landlords import InvalidLandlordError, LandlordConfig, LandlordError
from pierre_rag.pipeline.text import without_relative_links

router = APIRouter(prefix="/api")
UNKNOWN_ARTICLE = "Article introuvable : il n'existe pas, ou n'est pas public, pour ce bailleur."


@router.get(
    "/landlords/{landlord}/articles/{file:path}",
    response_class=HTMLResponse,
    responses=HTML_ROUTE_ERRORS,
    summary="A knowledge article a tenant may read (what a source links to)",
)
def article_page(
    landlord: Annotated[str, Path(max_length=253)],
    file: Annotated[str, Path(max_length=MAX_PATH_CHARS, description="e.g. commun/dalo.md")],
    services: ChatServicesDep,
) -> HTMLResponse:
    config = _landlord(services, landlord)
    if not is_article_path(file):
        raise HTTPException(404, UNKNOWN_ARTICLE)
    entry = services.articles(config.id).file(config.id, TENANT_ACCESS, file)
    if entry is None:
        raise HTTPException(404, UNKNOWN_ARTICLE)
    article = article_of(entry)
    html = PAGES.get_template("article.html").render(
        landlord=config.id,
        name=config.name,
        color=config.branding.primary_color,
        title=article.title,
        article=_page_data(article),
    )
    return HTMLResponse(
        html,
        headers={"Content-Security-Policy": page_csp(()), "Cache-Control": "no-cache"},
    )


def _landlord(services: ChatServices, landlord: str) -> LandlordConfig:
    try:
        return services.registry.get(landlord)
    except InvalidLandlordError as error:
        raise HTTPException(503, UNAVAILABLE_LANDLORD) from error
    except LandlordError as error:
        raise HTTPException(404, "Bailleur inconnu.") from error


def _page_data(article: Article) -> dict[str, Any]:
    """What the page renders; links between knowledge files keep their label only, as in
    answers (their targets are files, not addresses)."""
    data = asdict(article)
    for section in data["sections"]:
        section["text"] = without_relative_links(section["text"])
    return data
