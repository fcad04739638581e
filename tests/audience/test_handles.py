"""Who is who, offline: the demo archive's handles, and the user's pairing files (CSV, fedifinder)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from quittex_tui.archive import open_archive
from quittex_tui.audience import load_handles_file, load_people, parse_account
from quittex_tui.demo import demo_archive_path
from quittex_tui.errors import InputError

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_demo_archive.py"


def _demo_facts() -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("make_demo_archive_audience", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.DEMO_FACTS


def test_demo_archive_handles_found_offline() -> None:
    facts = _demo_facts()
    with open_archive(demo_archive_path()) as archive:
        people = load_people(archive)
        ids = {*archive.following, *archive.followers, *archive.blocks, *archive.mutes}
    by_id = {p.x_id: p for p in people}
    assert set(by_id) == ids  # everyone the archive relates to, once
    known = facts["known_handles"]
    for x_id in facts["followed_with_known_handle"]:
        assert by_id[x_id].x_handle == known[x_id]
        assert "following" in by_id[x_id].relations
        assert by_id[x_id].handle_source == "archive"
    # no handle is invented: an id the archive never pairs stays unknown
    for person in people:
        if person.x_id not in known:
            assert person.x_handle is None
    # names seen in mentions come along (they feed the "display name" reason)
    assert any(p.names for p in people if p.x_id in known)


def test_user_csv_fills_unknown_handles_and_claims(tmp_path: Path) -> None:
    with open_archive(demo_archive_path()) as archive:
        unknown = next(p.x_id for p in load_people(archive) if p.x_handle is None)
        csv = tmp_path / "handles.csv"
        csv.write_text(f"\ufeffx_id;x_handle\n{unknown};@mystery_x\n", encoding="utf-8")
        claims = tmp_path / "claims.csv"
        claims.write_text(
            "mystery_x,https://bsky.app/profile/Mystery.bsky.social\nalice_martin,@alice@Piaille.fr\n",
            encoding="utf-8",
        )
        people = {p.x_id: p for p in load_people(archive, [csv, claims])}
    assert people[unknown].x_handle == "mystery_x"
    assert people[unknown].handle_source == "handles.csv"
    assert people[unknown].claimed == [("bluesky", "mystery.bsky.social")]
    alice = next(p for p in people.values() if p.x_handle == "alice_martin")
    assert alice.claimed == [("mastodon", "alice@piaille.fr")]


@pytest.mark.parametrize(
    ("text", "x_handles", "by_id", "by_handle"),
    [
        ("123,alice_x\n", {"123": "alice_x"}, {}, {}),
        (
            "123,@alice_x,alice.bsky.social\n",
            {"123": "alice_x"},
            {"123": [("bluesky", "alice.bsky.social")]},
            {},
        ),
        ("alice_x;alice@example.social\r\n", {}, {}, {"alice_x": [("mastodon", "alice@example.social")]}),
        (
            "x_handle\tbluesky\nhttps://x.com/Alice_X\tdid:plc:abc123\n",
            {},
            {},
            {"alice_x": [("bluesky", "did:plc:abc123")]},
        ),
        ("bluesky,twitter_id\nalice.test,42\n", {}, {"42": [("bluesky", "alice.test")]}, {}),
        ("# my list\n\n55,bob\n", {"55": "bob"}, {}, {}),
        ("77,https://mastodon.example/@carol\n", {}, {"77": [("mastodon", "carol@mastodon.example")]}, {}),
    ],
)
def test_csv_shapes(tmp_path: Path, text: str, x_handles: dict, by_id: dict, by_handle: dict) -> None:
    path = tmp_path / "h.csv"
    path.write_text(text, encoding="utf-8")
    parsed = load_handles_file(path)
    assert parsed.x_handles == x_handles
    assert parsed.claims_by_id == by_id
    assert parsed.claims_by_handle == by_handle


def test_csv_windows_1252_from_excel(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("x_id;x_handle\r\n12;élodie_x\r\n".encode("cp1252"))
    with pytest.raises(InputError) as err:  # "é" is not allowed in an X handle: named, with its line
        load_handles_file(path)
    assert "line 2" in err.value.message and "élodie_x" in err.value.message
    path.write_bytes(
        "# comptes d'Élodie\r\nx_id;x_handle;compte\r\n12;elodie_x;elodie.bsky.social\r\n".encode("cp1252")
    )
    parsed = load_handles_file(path)
    assert parsed.x_handles == {"12": "elodie_x"}
    assert parsed.claims_by_id == {"12": [("bluesky", "elodie.bsky.social")]}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("1,alice\n2,alice bob\n", 2, "alice bob"),
        ("1,alice\n\nfoo\n", 3, "expected 2 or 3 values"),
        ("alice,bob\n", 1, "'bob' is not a Bluesky handle"),
        ("1,a,b.test,c.test\n", 1, "expected 2 or 3 values"),
        ("x_id,x_handle\nabc,alice\n", 2, "not an X id"),
        ("a.test,b.test\n", 1, "not an X id or an X handle"),
    ],
)
def test_csv_bad_rows_name_the_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_handles_file(path)
    assert err.value.message.startswith(f"bad.csv line {line}:")
    assert words in err.value.message
    assert err.value.hint


def test_empty_missing_and_mastodon_csv_are_explained(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        load_handles_file(empty)
    with pytest.raises(InputError, match="Cannot read"):
        load_handles_file(tmp_path / "nope.csv")
    masto = tmp_path / "fedifinder_accounts.csv"
    masto.write_text("Account address,Show boosts\nalice@example.social,true\n", encoding="utf-8")
    with pytest.raises(InputError, match="Mastodon follows list") as err:
        load_handles_file(masto)
    assert "Import" in err.value.hint


def test_fedifinder_exports(tmp_path: Path) -> None:
    # accounts.json: {"<twitter username>": {"handles": ["@user@server"], …}} (fedifinder public/client.js)
    data = {
        "Alice_X": {"name": "Alice", "following": True, "handles": ["@alice@piaille.fr", "@nothing"]},
        "bob": {"name": "Bob", "handles": []},
    }
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    parsed = load_handles_file(path)
    assert parsed.claims_by_handle == {"alice_x": [("mastodon", "alice@piaille.fr")]}
    # accounts.csv: the same objects through json2csv (quoted header, arrays as JSON in a cell)
    csv_text = (
        '"username","name","following","follower","lists","handles","location"\n'
        '"Alice_X","Alice",true,,"[null]","[""@alice@piaille.fr""]","Lyon"\n'
        '"carol","Carol",true,,"[null]","[]",""\n'
    )
    path = tmp_path / "accounts.csv"
    path.write_text(csv_text, encoding="utf-8")
    assert load_handles_file(path).claims_by_handle == {"alice_x": [("mastodon", "alice@piaille.fr")]}
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        load_handles_file(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alice.bsky.social", ("bluesky", "alice.bsky.social")),
        ("@Alice.BSKY.social", ("bluesky", "alice.bsky.social")),
        ("did:plc:z72i7hdynmk6r22z27h6tvur", ("bluesky", "did:plc:z72i7hdynmk6r22z27h6tvur")),
        ("@alice@Mastodon.Social", ("mastodon", "alice@mastodon.social")),
        ("https://bsky.app/profile/alice.test", ("bluesky", "alice.test")),
        ("https://piaille.fr/@bob", ("mastodon", "bob@piaille.fr")),
        ("https://piaille.fr/@bob@mastodon.social", ("mastodon", "bob@mastodon.social")),
        ("alice", None),
        ("https://example.org/about", None),
        ("not a handle", None),
    ],
)
def test_parse_account(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_account(text) == expected
