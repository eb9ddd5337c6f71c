"""The local stack's secrets: generated once, kept across restarts, one bootstrap secret per
landlord (so `make dev` lets a developer bootstrap each landlord as the README says)."""

from __future__ import annotations

import json

from pierre_local.resources import load_local_secrets
from pierre_rag.auth.bootstrap import bootstrap_secret_name


def test_each_landlord_gets_its_own_bootstrap_secret(tmp_path):
    path = tmp_path / "secrets.json"

    values = load_local_secrets(path, ["a-hlm.fr", "b-hlm.fr"])

    first, second = values["admin-bootstrap/a-hlm.fr"], values["admin-bootstrap/b-hlm.fr"]
    assert first and second and first != second
    assert "admin-bootstrap-password" not in values
    assert json.loads(path.read_text()) == values


def test_a_restart_keeps_the_secrets_and_a_new_landlord_gets_one(tmp_path):
    path = tmp_path / "secrets.json"
    before = load_local_secrets(path, ["a-hlm.fr"])

    after = load_local_secrets(path, ["a-hlm.fr", "c-hlm.fr"])

    assert {k: after[k] for k in before} == before
    assert after[bootstrap_secret_name("c-hlm.fr")]
