"""Uploading a landlord source in the admin: convert, preview the chunks, publish; refusals
store nothing; a landlord only ever reaches its own sources."""

from __future__ import annotations

import re

import pytest

from pierre_rag.auth.access import StaffRole
from pierre_rag.knowledge.chunking import chunk_markdown
from pierre_rag.knowledge.sources import split_front_matter
from pierre_rag.knowledge.uploads import convert
from pierre_rag.publishing.models import BuildStatus, ChangeAction
from tests.unit.admin.harness import LANDLORD, OTHER
from tests.unit.admin.knowledge_forms import hidden_fields, publish_preview, upload
from tests.unit.knowledge.ooxml import docx, paragraph, sheet_xml, xlsx
from tests.unit.knowledge.pdfs import Bookmark, pdf

CONTRIBUTOR = f"contrib@{LANDLORD}"
SECTION = "L'agence vous reçoit sur rendez-vous pour toute question sur votre logement. " * 8
PAGE = f"# Horaires d'été\n\n## Agence Nord\n\n{SECTION}\n\n## Agence Sud\n\n{SECTION}\n"


def _chunk_count(markdown: str) -> int:
    return len(chunk_markdown(split_front_matter(markdown, "x")[1]))


def _shown_count(page: str) -> int:
    match = re.search(r"<strong>(\d+) section\(s\)</strong>", page)
    assert match, page
    return int(match.group(1))


def _nothing_stored(admin) -> None:
    assert admin.services.sources.list(LANDLORD) == []
    assert admin.services.publishing.builds(LANDLORD) == []
    assert admin.services.publishing.changes(LANDLORD) == []
    assert admin.services.build_requests.requests == []


def test_a_contributor_previews_a_markdown_upload_with_the_chunks_it_will_make(admin):
    # given
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)
    # when
    response = upload(admin, csrf, "Horaires d'été.md", PAGE.encode())
    # then: the path is the slug of the name, the chunks are the build's, nothing is stored yet
    assert response.status_code == 200
    fields = hidden_fields(response.text, "/admin/knowledge/publish")
    assert fields["path"] == "public/horaires-d-ete.md"
    assert _shown_count(response.text) == _chunk_count(fields["markdown"]) >= 2
    assert "Agence Nord" in response.text and "Agence Sud" in response.text
    _nothing_stored(admin)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "gardiens.docx",
            docx(
                paragraph("Gardiens", "Heading1")
                + paragraph("Résidence Les Pins", "Heading2")
                + paragraph(SECTION)
                + paragraph("Résidence Les Chênes", "Heading2")
                + paragraph(SECTION)
            ),
        ),
        (
            "guide-gardiens.pdf",
            pdf(
                [["Résidence Les Pins", SECTION], ["Résidence Les Chênes", SECTION]],
                bookmarks=[Bookmark("Résidence Les Pins", 0), Bookmark("Résidence Les Chênes", 1)],
            ),
        ),
        (
            "agences.xlsx",
            xlsx(
                {"Horaires": sheet_xml([["Agence", "Jour"], ["Nord", "lundi"], ["Sud", "mardi"]])}
            ),
        ),
    ],
)
def test_word_excel_and_pdf_uploads_are_previewed_as_their_converted_markdown(admin, name, data):
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)

    response = upload(admin, csrf, name, data, access="staff")

    assert response.status_code == 200
    fields = hidden_fields(response.text, "/admin/knowledge/publish")
    expected = convert(name, data).markdown
    assert fields["path"] == f"staff/{name.split('.')[0]}.md"
    assert fields["markdown"] == expected
    assert _shown_count(response.text) == _chunk_count(expected)


def test_publishing_a_preview_stores_the_source_records_the_change_and_requests_a_build(admin):
    # given
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)
    preview = upload(admin, csrf, "horaires.md", PAGE.encode())
    # when
    response = publish_preview(admin, preview)
    # then
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/knowledge?done=published"
    [source] = admin.services.sources.list(LANDLORD)
    assert (source.path, source.modified_by) == ("public/horaires.md", CONTRIBUTOR)
    stored = admin.services.sources.read(LANDLORD, source.path).decode()
    assert stored == hidden_fields(preview.text, "/admin/knowledge/publish")["markdown"]
    [change] = admin.services.publishing.changes(LANDLORD)
    assert (change.action, change.path, change.actor) == (
        ChangeAction.UPLOAD,
        source.path,
        CONTRIBUTOR,
    )
    assert (change.version_id, change.previous_version_id) == (source.version_id, "")
    [build] = admin.services.publishing.builds(LANDLORD)
    assert (build.status, build.requested_by) == (BuildStatus.QUEUED, CONTRIBUTOR)
    assert admin.services.build_requests.requests == [(LANDLORD, build.id, CONTRIBUTOR)]
    page = admin.client.get(response.headers["location"])
    assert "la reconstruction est demandée" in page.text
    assert "public/horaires.md" in page.text and "en attente" in page.text


def test_replacing_a_file_records_its_previous_version(admin):
    # given a published file
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)
    publish_preview(admin, upload(admin, csrf, "horaires.md", PAGE.encode()))
    [first] = admin.services.sources.list(LANDLORD)
    admin.clock.now += 60
    # when another file is sent as its replacement
    new_text = PAGE.replace("Agence Sud", "Agence Ouest").encode()
    preview = upload(admin, csrf, "autre-nom.md", new_text, target=first.path)
    response = publish_preview(admin, preview)
    # then
    assert response.status_code == 303
    [current] = admin.services.sources.list(LANDLORD)
    assert current.path == first.path and current.version_id != first.version_id
    latest = admin.services.publishing.changes(LANDLORD)[0]
    assert (latest.action, latest.previous_version_id, latest.version_id) == (
        ChangeAction.REPLACE,
        first.version_id,
        current.version_id,
    )
    assert "Agence Ouest" in admin.services.sources.read(LANDLORD, first.path).decode()


def test_a_new_file_may_not_take_an_existing_files_name(admin):
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)
    publish_preview(admin, upload(admin, csrf, "horaires.md", PAGE.encode()))

    response = upload(admin, csrf, "Horaires.md", b"# Autre\n\nUn autre texte.\n")

    assert response.status_code == 409
    assert "existe déjà" in response.text
    assert len(admin.services.sources.history(LANDLORD, "public/horaires.md")) == 1


def _bomb() -> bytes:
    return docx(paragraph("Bonjour"), extra={"word/media/bomb.bin": b"\0" * (20 * 1024 * 1024)})


@pytest.mark.parametrize(
    ("name", "data", "status", "reason"),
    [
        ("horaires.docm", docx(paragraph("Bonjour")), 400, "macros"),
        ("horaires.md", b"# Titre\n\n" + b"a" * (5 * 1024 * 1024), 413, "trop volumineux"),
        ("horaires.docx", _bomb(), 400, "bombe"),
        ("horaires.md", b"# Titre seul\n", 400, "fichier vide"),
        ("horaires.pdf", b"%PDF-1.7", 400, "illisible"),
        ("horaires.pdf", pdf([["Texte"]], password="secret"), 400, "mot de passe"),
        ("horaires.odt", b"PK\x03\x04", 400, "non pris en charge"),
        ("!!!.md", b"# Titre\n\nDu texte.\n", 400, "nom de fichier"),
    ],
    ids=[
        "macro",
        "oversized",
        "zip-bomb",
        "empty",
        "broken-pdf",
        "encrypted-pdf",
        "odt",
        "nameless",
    ],
)
def test_a_refused_upload_shows_the_reason_and_stores_nothing(admin, name, data, status, reason):
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)

    response = upload(admin, csrf, name, data)

    assert response.status_code == status
    assert "Fichier refusé" in response.text and reason in response.text
    _nothing_stored(admin)


def test_publishing_rechecks_the_markdown_the_form_carries(admin):
    # given a form whose Markdown was emptied after the preview
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)
    # when
    response = admin.client.post(
        "/admin/knowledge/publish",
        data={
            "csrf": csrf,
            "path": "public/vide.md",
            "markdown": "---\ntitle: Vide\n---\n# Vide\n",
        },
    )
    # then
    assert response.status_code == 400
    assert "fichier vide" in response.text
    _nothing_stored(admin)


def test_publishing_needs_the_sessions_csrf_token(admin):
    admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)

    response = admin.client.post(
        "/admin/knowledge/publish",
        data={"csrf": "not-the-token", "path": "public/horaires.md", "markdown": PAGE},
    )

    assert response.status_code == 403
    _nothing_stored(admin)


@pytest.mark.parametrize(
    "path",
    [
        "../autre-bailleur.fr/public/horaires.md",
        f"{OTHER}/public/horaires.md",
        "public/../../autre-bailleur.fr/public/horaires.md",
        "community/horaires.md",
        "public/horaires.txt",
    ],
)
def test_a_path_outside_the_landlords_folders_is_refused(admin, path):
    # given another landlord's file
    admin.services.sources.write(OTHER, "public/horaires.md", b"# Autre\n\nTexte.\n", "seed")
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)
    # when a form names a path outside our own public/ and staff/ folders
    publish = admin.client.post(
        "/admin/knowledge/publish",
        data={"csrf": csrf, "path": path, "markdown": PAGE, "replace": "true"},
    )
    replace = upload(admin, csrf, "horaires.md", PAGE.encode(), target=path)
    edit = admin.client.get("/admin/knowledge/edit", params={"path": path})
    # then
    assert publish.status_code == 400
    assert replace.status_code == 400
    assert edit.status_code == 404
    _nothing_stored(admin)
    assert [f.modified_by for f in admin.services.sources.list(OTHER)] == ["seed"]


def test_a_landlord_never_sees_another_landlords_sources(admin):
    admin.services.sources.write(OTHER, "public/secret.md", b"# Secret\n\nTexte.\n", "seed")
    admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)

    page = admin.client.get("/admin/knowledge")
    versions = admin.client.get("/admin/knowledge/versions", params={"path": "public/secret.md"})

    assert page.status_code == 200 and "secret.md" not in page.text
    assert versions.status_code == 404


def test_a_collaborator_may_not_upload(admin):
    csrf = admin.sign_in_as(f"collab@{LANDLORD}", StaffRole.COLLABORATOR)

    response = upload(admin, csrf, "horaires.md", PAGE.encode())

    assert response.status_code == 403
    _nothing_stored(admin)


def test_the_file_picker_offers_every_format_the_converter_takes(admin):
    admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)

    page = admin.client.get("/admin/knowledge/upload").text

    assert 'accept=".md,.docx,.xlsx,.pdf"' in page
    assert ".md, .docx, .xlsx, .pdf" in page
