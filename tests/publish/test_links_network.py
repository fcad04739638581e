"""Links, quotes and mentions as readers see them on the new networks (docs/bluesky.md#rich-text-facets, issue
13), through the real servers.

Bluesky: `migrate` to the PDS of the local AppView network (tests/servers.py `appview_servers`), stopped
after the quoted posts and resumed, then read back through the AppView (`app.bsky.feed.getAuthorFeed`,
the views every client shows): link cards from a real HTTP server on loopback (tests/publish/pages.py),
own quotes as record embeds (and recordWithMedia), a quote of a thread part, self-links to the migrated
posts, a hyphenated handle as a mention with its DID, a person matched in the Audience step as a mention,
the parts of a long note dated 1 ms apart and listed in order. Mastodon (mastodon-mock): the own quote
and the self-link point at the migrated statuses, the matched person is their address.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from quittex_tui.archive import open_archive
from quittex_tui.audience.review import set_decision
from quittex_tui.publish.journal import Journal
from quittex_tui.publish.mastodon import html_to_text
from quittex_tui.state import load_state, open_or_create_state, save_state
from tests.archive.builder import USERNAME, ArchiveBuilder, At, Link, Photo
from tests.audience.netutil import PASSWORD, bsky_account, cli, list_records, poll
from tests.publish.pages import PageServer, serve
from tests.publish.target_helpers import list_posts, new_mastodon_user, new_pds_account

BOB_X_ID = "4242"
NOTE = " ".join(
    f"Phrase {n} d'une longue note sur la presse locale, ses lecteurs et ses déserts." for n in range(1, 12)
)


@pytest.fixture(scope="module")
def pages() -> Iterator[PageServer]:
    yield from serve()


def build_archive(folder: Path, pages: PageServer, alice: str) -> dict[str, str]:
    """The user's tweets, oldest first; returns their ids by role."""
    b = ArchiveBuilder(shuffle=False)
    ids: dict[str, str] = {}
    ids["og"] = b.tweet("Notre enquête est en ligne : ", Link(pages.url("/og")))
    ids["twitter"] = b.tweet("Les résultats ", Link(pages.url("/twitter")), " en direct")
    ids["dead"] = b.tweet("Un lien mort : ", Link(pages.url("/missing")))
    ids["root"] = b.tweet("Fil : la presse locale en trois chiffres 🧵")
    ids["part"] = b.tweet("Deuxième chiffre : 31 départements.", reply_to=ids["root"])
    # own quotes: the quoted URL at the end (as X writes it), an old handle and a query string
    ids["quote"] = b.tweet(
        "J'y reviens, un an après.",
        " ",
        Link(f"https://mobile.twitter.com/ancien_pseudo/status/{ids['og']}?s=20"),
    )
    ids["quote_media"] = b.tweet(
        "Avec la carte.",
        " ",
        Link(f"https://x.com/{USERNAME}/status/{ids['twitter']}"),
        media=[Photo(width=120, height=80)],
    )
    ids["quote_part"] = b.tweet(
        "Je cite la suite du fil :", " ", Link(f"https://twitter.com/{USERNAME}/status/{ids['part']}")
    )
    # a self-link that is no quote (the "show more" form), and a quote of someone else's tweet
    ids["self_link"] = b.tweet(
        "Mon lien mort d'hier : ",
        Link(f"https://twitter.com/i/web/status/{ids['dead']}"),
        " (corrigé depuis)",
    )
    ids["other"] = b.tweet("À lire ", Link("https://x.com/quelquun/status/1234567890123456789"))
    ids["alice"] = b.tweet(f"Merci @{alice} pour la relecture.")
    ids["bob"] = b.tweet("Bravo ", At("bob_x", BOB_X_ID), " !")
    ids["note"] = b.note_tweet(NOTE)
    b.follow(BOB_X_ID)
    b.write_dir(folder)
    return ids


def accept_bob(folder: Path, state_path: Path, network: str, **account: str) -> None:
    """The user accepted @bob_x's match in the Audience step (as `audience --accept` records it)."""
    with open_archive(folder) as archive:
        _, state = open_or_create_state(archive, state_path)
    who = account.get("handle") or account["acct"]
    entry = set_decision(state, BOB_X_ID, network, "accepted", handle=who)
    assert entry is not None
    if "did" in account:
        entry.did = account["did"]
    save_state(state, state_path)


def migrate(*args: str, env: dict[str, str]) -> dict[str, Any]:
    proc = cli(
        "migrate", *args, "--yes", "--json", env={**env, "QUITTEX_LINK_CARDS_ALLOW_PRIVATE": "1"}, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def author_feed(appview: str, did: str) -> list[dict[str, Any]]:
    res = httpx.get(
        f"{appview}/xrpc/app.bsky.feed.getAuthorFeed", params={"actor": did, "limit": 100}, timeout=30
    )
    assert res.status_code == 200, res.text
    return [entry["post"] for entry in res.json()["feed"]]


def test_bluesky_readers_see_cards_quote_posts_and_mentions(
    appview_servers: dict[str, str], pages: PageServer, tmp_path: Path
) -> None:
    pds, appview = appview_servers["QTX_APPVIEW_PDS_URL"], appview_servers["QTX_APPVIEW_URL"]
    tag = uuid.uuid4().hex[:6]
    me, me_did = bsky_account(pds, f"me-{tag}.test")
    _, alice_did = bsky_account(pds, f"ab-{tag}.test")  # a hyphenated handle, written in a tweet
    _, bob_did = bsky_account(pds, f"bob-{tag}.test")
    folder, state = tmp_path / "archive", tmp_path / "state.toml"
    ids = build_archive(folder, pages, f"ab-{tag}.test")
    accept_bob(folder, state, "bluesky", handle=f"bob-{tag}.test", did=bob_did)
    args = (
        str(folder),
        "--to",
        "bluesky",
        "--handle",
        f"me-{tag}.test",
        "--service",
        pds,
        "--state",
        str(state),
    )
    env = {"QUITTEX_BLUESKY_APP_PASSWORD": PASSWORD}

    # stopped after the first five items (the quoted posts among them), then resumed
    first = migrate(*args, "--limit", "5", env=env)
    assert first["published"] == 5 and first["failed"] == []
    assert [(n["item_id"], n["reason"], n["detail"]) for n in first["link_cards_missing"]] == [
        (ids["dead"], "http_status", "404")
    ]
    rest = migrate(*args, env=env)
    assert rest["failed"] == [] and rest["remaining"] == 0 and rest["already_published"] == 5

    records = list_records(me, me_did, "app.bsky.feed.post")
    feed = poll(
        lambda: (f := author_feed(appview, me_did)) and len(f) == len(records) and f,
        what="the AppView to index every migrated post",
    )
    journal = Journal(next(tmp_path.glob("state.bluesky.journal.toml")))
    by_tweet: dict[str, list[dict[str, Any]]] = {}
    by_uri = {p["uri"]: p for p in feed}
    done = sorted((e for e in journal.entries() if e.status == "done"), key=lambda e: (e.item_id, e.index))
    for entry in done:
        by_tweet.setdefault(entry.item_id, []).append(by_uri[entry.uri])
    journal.close()
    post = {role: by_tweet[ids[role]][0] for role in ids if ids[role] in by_tweet}
    part_post = by_tweet[ids["root"]][1]  # the thread's second post

    # link cards: the AppView's external views, picture included
    og = post["og"]["embed"]
    assert og["$type"] == "app.bsky.embed.external#view"
    assert og["external"]["uri"] == pages.url("/og")
    assert og["external"]["title"] == "Déserts médiatiques : 31 départements sans quotidien local"
    assert og["external"]["description"].startswith("Un an d’enquête")
    assert og["external"].get("thumb")
    assert post["twitter"]["embed"]["external"]["title"] == "Élections : les résultats en direct"
    assert "embed" not in post["dead"]  # a dead link: the post went without a card
    # own quotes: record embeds pointing at the migrated posts (the first run's, found in the journal)
    quote = post["quote"]
    assert quote["embed"]["$type"] == "app.bsky.embed.record#view"
    assert quote["embed"]["record"]["uri"] == post["og"]["uri"]
    assert quote["record"]["text"] == "J'y reviens, un an après."  # the X URL is not left in the text
    with_media = post["quote_media"]["embed"]
    assert with_media["$type"] == "app.bsky.embed.recordWithMedia#view"
    assert with_media["record"]["record"]["uri"] == post["twitter"]["uri"]
    assert with_media["media"]["$type"] == "app.bsky.embed.images#view"
    assert post["quote_part"]["embed"]["record"]["uri"] == part_post["uri"]  # that part, not its thread
    # a self-link: now to the migrated post; someone else's quoted tweet keeps its X URL
    rkey = post["dead"]["uri"].rsplit("/", 1)[1]
    link = _features(post["self_link"], "link")
    assert link == [f"https://bsky.app/profile/me-{tag}.test/post/{rkey}"]
    text = post["self_link"]["record"]["text"]
    assert "x.com" not in text and "twitter.com" not in text and "bsky.app/" in text
    assert _features(post["other"], "link") == ["https://x.com/quelquun/status/1234567890123456789"]
    assert "embed" not in post["other"]
    # mentions: the hyphenated handle with its DID; @bob_x written as his Bluesky account
    assert _features(post["alice"], "mention") == [alice_did]
    assert post["bob"]["record"]["text"] == f"Bravo @bob-{tag}.test !"
    assert _features(post["bob"], "mention") == [bob_did]
    facet = post["bob"]["record"]["facets"][0]["index"]
    written = post["bob"]["record"]["text"].encode()[facet["byteStart"] : facet["byteEnd"]]
    assert written == f"@bob-{tag}.test".encode()
    # the long note's parts: dates 1 ms apart, listed in order (the author feed is newest first)
    parts = by_tweet[ids["note"]]
    assert len(parts) >= 3
    dates = [p["record"]["createdAt"] for p in parts]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    listed = [p["uri"] for p in feed if p["uri"] in {q["uri"] for q in parts}]
    assert listed == [p["uri"] for p in reversed(parts)]


def _features(post: dict[str, Any], kind: str) -> list[str]:
    out = []
    for facet in post["record"].get("facets", []):
        for feature in facet["features"]:
            if feature["$type"] == f"app.bsky.richtext.facet#{kind}":
                out.append(feature["uri"] if kind == "link" else feature["did"])
    return out


def test_mastodon_quotes_and_self_links_point_at_the_migrated_statuses(
    test_servers: dict[str, str], pages: PageServer, tmp_path: Path
) -> None:
    base = test_servers["QTX_MASTODON_URL"]
    _, token = new_mastodon_user(test_servers)
    folder, state = tmp_path / "archive", tmp_path / "state.toml"
    ids = build_archive(folder, pages, "ab-nobody.test")
    bob_acct = "bob_bzh@piaille.example"
    accept_bob(folder, state, "mastodon", acct=bob_acct)
    args = (str(folder), "--to", "mastodon", "--instance", base, "--state", str(state))
    env = {"QUITTEX_MASTODON_TOKEN": token}
    migrate(*args, "--limit", "5", env=env)
    report = migrate(*args, env=env)
    assert report["failed"] == [] and report["remaining"] == 0
    assert report["link_cards_missing"] == []  # Mastodon builds its own previews

    journal = Journal(next(tmp_path.glob("state.mastodon.journal.toml")))
    done = {(e.item_id, e.index): e for e in journal.entries() if e.status == "done"}
    journal.close()
    headers = {"Authorization": f"Bearer {token}"}

    def status(role: str, index: int = 0) -> dict[str, Any]:
        res = httpx.get(f"{base}/api/v1/statuses/{done[(ids[role], index)].uri}", headers=headers, timeout=30)
        assert res.status_code == 200, res.text
        return res.json()

    og_url, dead_url, part_url = status("og")["url"], status("dead")["url"], status("root", 1)["url"]
    assert og_url and dead_url and part_url
    quote = html_to_text(status("quote")["content"])
    assert quote == f"J'y reviens, un an après. {og_url}"
    assert html_to_text(status("quote_part")["content"]).endswith(part_url)
    self_link = html_to_text(status("self_link")["content"])
    assert self_link == f"Mon lien mort d'hier : {dead_url} (corrigé depuis)"
    assert "x.com/quelquun/status/1234567890123456789" in html_to_text(status("other")["content"])
    assert html_to_text(status("bob")["content"]) == f"Bravo @{bob_acct} !"


def test_no_link_cards_is_saved_and_fetches_nothing(
    test_servers: dict[str, str], pages: PageServer, tmp_path: Path
) -> None:
    handle, password, did, _ = new_pds_account(test_servers)
    folder, state = tmp_path / "archive", tmp_path / "state.toml"
    b = ArchiveBuilder(shuffle=False)
    b.tweet("Sans carte : ", Link(pages.url("/title?no-card")))
    b.tweet("Toujours sans carte : ", Link(pages.url("/title?still-none")))
    b.write_dir(folder)
    args = (
        str(folder),
        "--to",
        "bluesky",
        "--handle",
        handle,
        "--service",
        test_servers["QTX_PDS_URL"],
        "--state",
        str(state),
    )
    env = {"QUITTEX_BLUESKY_APP_PASSWORD": password}
    migrate(*args, "--no-link-cards", "--limit", "1", env=env)
    assert load_state(state).options["bluesky"]["link_cards"] is False
    migrate(*args, env=env)  # the saved choice holds on the next run
    posts = list_posts(test_servers, did)
    assert len(posts) == 2 and all("embed" not in p["value"] for p in posts)
    assert pages.hits["/title?no-card"] == pages.hits["/title?still-none"] == 0
