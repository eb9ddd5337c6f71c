"""Pure pieces: password policy, lock-out delays, CSV import parsing and export cells, charts,
statistics aggregation, user store invariants."""

from __future__ import annotations

import pytest
from admin_app.charts import column_chart, row_chart
from admin_app.csv_export import safe_cell

from pierre_local.resources import LocalResources
from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.landlord_domains import landlord_of_address
from pierre_rag.auth.lockout import LockoutPolicy
from pierre_rag.auth.passwords import (
    generate_password,
    hash_password,
    password_problem,
    verify_password,
)
from pierre_rag.auth.user_import import MAX_ROWS, ImportTooLargeError, parse_users_csv
from pierre_rag.auth.users import DuplicateUserError, UserStore
from pierre_rag.conversations import ConversationMeta
from pierre_rag.stats import build_report, day_range


def test_argon2id_hashes_verify_only_the_right_password():
    digest = hash_password("une phrase de passe")

    assert digest.startswith("$argon2id$")
    assert verify_password(digest, "une phrase de passe")
    assert not verify_password(digest, "une autre")
    assert not verify_password(None, "une phrase de passe")
    assert not verify_password("not a hash", "x")


def test_password_policy():
    email = "camille.martin@bailleur.fr"  # long enough to pass the length rule on its own
    assert "au moins" in (password_problem("court", email=email) or "")
    # each rule is reached by a password that passes the ones before it
    assert "adresse e-mail" in (password_problem(email.upper(), email=f"{email} ") or "")
    assert "pas autorisé" in (
        password_problem("the bootstrap secret", email=email, forbidden=("the bootstrap secret",))
        or ""
    )
    assert password_problem("une phrase de passe", email=email) is None
    assert password_problem(generate_password(), email=email) is None


@pytest.mark.parametrize(
    ("failures", "delay"), [(0, 0), (4, 0), (5, 30), (6, 60), (7, 120), (20, 900)]
)
def test_lockout_delay_doubles_from_the_threshold_up_to_a_cap(failures, delay):
    assert LockoutPolicy().delay_s(failures, threshold=5) == delay


def test_the_import_parser_reads_semicolons_headers_and_french_roles():
    rows = parse_users_csv(
        "Email;Rôle;Nom\nA@x.fr;Contributrice;Anne\n\n", set(), landlord="x.fr", landlords=["x.fr"]
    )

    assert [(r.line, r.email, r.role, r.name, r.error) for r in rows] == [
        (2, "a@x.fr", StaffRole.CONTRIBUTOR, "Anne", None)
    ]


def test_the_import_parser_reports_too_many_columns_and_missing_role():
    rows = parse_users_csv(
        "a@x.fr\nb@x.fr,collaborator,B,extra\n", set(), landlord="x.fr", landlords=["x.fr"]
    )

    assert [r.error for r in rows] == [
        "rôle manquant",
        "trop de colonnes (attendu : email, rôle, nom)",
    ]


def test_the_import_parser_refuses_addresses_of_another_landlords_domain():
    rows = parse_users_csv(
        "a@x.fr,collaborator\nadmin@y.fr,administrator\nb@outside.example,contributor\n",
        set(),
        landlord="x.fr",
        landlords=["x.fr", "y.fr"],
    )

    assert [r.error for r in rows] == [
        None,
        "cette adresse appartient au domaine d'un autre bailleur (y.fr)",
        None,
    ]


@pytest.mark.parametrize(
    ("email", "owner"),
    [
        ("admin@y.fr", "y.fr"),
        ("admin@Y.FR", "y.fr"),
        ("agent@agence.y.fr", "y.fr"),
        ("agent@sud.y.fr", "sud.y.fr"),  # the most specific landlord owns it
        ("agent@evil-y.fr", None),  # a suffix of the name is not the domain
        ("agent@y.fr.example", None),
        ("a@outside.example", None),
    ],
)
def test_an_address_belongs_to_the_landlord_of_its_domain(email, owner):
    assert landlord_of_address(email, ["x.fr", "y.fr", "sud.y.fr"]) == owner


def test_the_import_parser_refuses_huge_files():
    with pytest.raises(ImportTooLargeError):
        parse_users_csv(
            "".join(f"u{i}@x.fr,collaborator\n" for i in range(MAX_ROWS + 1)),
            set(),
            landlord="x.fr",
            landlords=["x.fr"],
        )


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6", "'+33 6"),
        ("-2", "'-2"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("texte", "texte"),
        (None, ""),
        (3, "3"),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_evaluate_are_prefixed(value, cell):
    assert safe_cell(value) == cell


def test_charts_scale_bars_to_the_largest_value():
    rows = row_chart("t", [("a", 10), ("b", 5), ("c", 0)])
    columns = column_chart("t", [("01", 4), ("02", 2)])

    assert [bar.width for bar in rows.bars] == [380.0, 190.0, 0.0]
    assert [bar.height for bar in columns.bars] == [160.0, 80.0]
    assert row_chart("t", [("a", 0)]).empty


def test_day_range_is_inclusive_ordered_and_capped():
    from datetime import date

    assert day_range(date(2026, 11, 25), date(2026, 11, 23)) == [
        "2026-11-23",
        "2026-11-24",
        "2026-11-25",
    ]
    assert len(day_range(date(2020, 1, 1), date(2026, 1, 1))) == 92


def _meta(cid: str, **kwargs) -> ConversationMeta:
    base = {
        "landlord": "t.fr",
        "context": "default",
        "channel": "web",
        "created_ms": 1,
        "last_ms": 1,
    }
    return ConversationMeta(conversation_id=cid, **{**base, **kwargs})


def test_the_report_counts_channels_outcomes_scores_sources_and_latency():
    by_day = {
        "2026-11-24": [
            _meta(
                "a",
                outcomes={"answered": 2},
                organisation_score=3,
                tokens=100,
                cost_usd=0.5,
                customer_score=1,
                source_uses={"x.md": 1, "y.md": 1},
                latencies_ms=[100.0],
            )
        ],
        "2026-11-25": [
            _meta(
                "b",
                channel="sms",
                outcomes={"nothing_found": 1},
                tokens=50,
                customer_score=-1,
                source_uses={"x.md": 1},
                latencies_ms=[300.0],
            )
        ],
    }

    report = build_report(by_day)

    assert report.per_day == {"2026-11-24": 1, "2026-11-25": 1}
    assert report.per_channel == {"web": 1, "sms": 1}
    assert report.outcomes == {"answered": 2, "nothing_found": 1}
    assert report.answer_rate == pytest.approx(2 / 3)
    assert report.organisation_scores == {"3": 1, "none": 1}
    assert report.customer_thumbs == {"up": 1, "down": 1}
    assert (report.tokens, report.cost_usd) == (150, 0.5)
    assert report.top_sources == [("x.md", 2), ("y.md", 1)]
    assert report.latency_median_ms == 200.0


def test_an_address_has_one_account_across_landlords(dynamodb):
    store = UserStore(dynamodb, LocalResources.physical_name("UsersTable"))
    store.create("a.fr", "Same@x.fr", StaffRole.COLLABORATOR, "h")

    with pytest.raises(DuplicateUserError):
        store.create("b.fr", "same@x.fr", StaffRole.ADMINISTRATOR, "h")
    assert store.landlord_of("SAME@x.fr") == "a.fr"
    assert store.list("b.fr") == []
    assert store.has_users("a.fr") and not store.has_users("b.fr")
