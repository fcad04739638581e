"""The plan on archives written by hand, raw row by raw row (docs/x-archive-format.md#tweetsjs-rows)."""

from __future__ import annotations

from pathlib import Path

from quittex_tui.archive import open_archive
from quittex_tui.convert.models import Plan, PlanOptions
from quittex_tui.convert.plan import build_plan
from tests.archive.handmade import (
    ME,
    MY_HANDLE,
    account_js,
    at,
    reply_fields,
    snowflake,
    tweet_row,
    write_zip,
    ytd,
)


def _plan(tmp_path: Path, rows: list[dict], target: str = "bluesky", **members: str) -> Plan:
    files = {"data/account.js": account_js(), "data/tweets.js": ytd("tweets", rows)}
    files.update({f"data/{name.replace('_', '-')}.js": text for name, text in members.items()})
    with open_archive(write_zip(tmp_path / "a.zip", files)) as archive:
        return build_plan(archive, PlanOptions(target=target, include_replies=True), cache_dir=tmp_path)


def _texts(plan: Plan) -> dict[str, list[str]]:
    return {item.id: [post.text for post in item.posts] for item in plan.items}


def test_a_display_range_measured_on_the_unescaped_text_cuts_no_word(tmp_path: Path) -> None:
    # "A &amp; B fin" is 13 code points escaped, 9 unescaped: a range of 9 ends on a space, inside text.
    cut = snowflake(at(0))
    row = tweet_row(cut, at(0), "A &amp; B fin")
    row["tweet"]["display_text_range"] = ["0", "9"]
    # API-shaped rows: the range leaves out the reply's handle and the media t.co — honoured.
    api = snowflake(at(1))
    text = "@alice Coucou https://t.co/pic"
    api_row = tweet_row(
        api,
        at(1),
        text,
        display_text_range=["7", "13"],
        **reply_fields("1869999999999999999", "2001", "alice"),
    )
    for target in ("bluesky", "mastodon"):
        texts = _texts(_plan(tmp_path / target, [row, api_row], target))
        assert texts[cut] == ["A & B fin"]
        assert texts[api] == ["Coucou"]


def test_reply_without_entity_for_a_leading_handle_escapes_and_links(tmp_path: Path) -> None:
    text = "@alice @bob_x Merci &amp; bravo 😀👨\u200d👩\u200d👧 https://t.co/AAA1"
    link_at = text.index("https://t.co/AAA1")  # code points of the escaped text (spec: indices)
    reply = snowflake(at(0))
    row = tweet_row(
        reply,
        at(0),
        text,
        entities={
            "hashtags": [],
            "symbols": [],
            "urls": [
                {
                    "url": "https://t.co/AAA1",
                    "expanded_url": "https://exemple.fr/merci?a=1&b=2",
                    "display_url": "exemple.fr/merci?a=1&b…",
                    "indices": [str(link_at), str(link_at + 17)],
                }
            ],
            "user_mentions": [
                {"screen_name": "bob_x", "name": "Bob", "id_str": "2002", "indices": ["7", "13"]}
            ],
        },
        **reply_fields("1869999999999999999", "2001", None),
    )
    plan = _plan(tmp_path, [row])
    post = plan.items[0].posts[0]
    assert post.text == "Merci & bravo 😀👨\u200d👩\u200d👧 https://exemple.fr/merci?a=1&b=2"
    data = post.text.encode()
    [facet] = post.facets
    shown = data[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
    assert shown == facet["features"][0]["uri"] == "https://exemple.fr/merci?a=1&b=2"


def test_edited_thread_root_posts_keep_time_order(tmp_path: Path) -> None:
    root_v1, reply, root_v2 = snowflake(at(0)), snowflake(at(10)), snowflake(at(30))
    links = {"editTweetIds": [root_v1, root_v2]}
    rows = [
        tweet_row(
            root_v2,
            at(30),
            "racine corrigée",
            edit_info={"edit": {"initialTweetId": root_v1, "editControlInitial": links}},
        ),
        tweet_row(reply, at(10), "la suite", **reply_fields(root_v1, ME, MY_HANDLE)),
        tweet_row(root_v1, at(0), "racine", edit_info={"initial": links}),
    ]
    plan = _plan(tmp_path, rows)
    [item] = plan.items
    assert [p.text for p in item.posts] == ["racine corrigée", "la suite"]
    assert [p.created_at for p in item.posts] == [at(0), at(10)]
    assert item.created_at == at(0)
    assert [(s.source_id, s.reason) for s in plan.skipped] == [(root_v1, "edited")]


def test_note_link_typed_without_scheme_becomes_a_link_facet(tmp_path: Path) -> None:
    note = "Lisez exemple.fr/dossier avant tout : " + "une phrase assez longue pour la suite. " * 10
    made = at(5, 500)
    tweet_id = snowflake(made + (at(0, 40) - at(0)))
    full = "Lisez https://t.co/aBc avant tout : " + note[38:240] + "…"
    row = tweet_row(
        tweet_id,
        made,
        full,
        entities={
            "hashtags": [],
            "symbols": [],
            "user_mentions": [],
            "urls": [
                {
                    "url": "https://t.co/aBc",
                    "expanded_url": "https://exemple.fr/dossier",
                    "display_url": "exemple.fr/dossier",
                    "indices": ["6", "22"],
                }
            ],
        },
    )
    note_row = {
        "noteTweet": {
            "noteTweetId": snowflake(made),
            "createdAt": "2024-12-20T09:00:05.500Z",
            "core": {
                "text": note,
                "mentions": [],
                "hashtags": [],
                "urls": [
                    {
                        "shortUrl": "https://t.co/aBc",
                        "expandedUrl": "https://exemple.fr/dossier",
                        "displayUrl": "exemple.fr/dossier",
                        "fromIndex": "6",
                        "toIndex": "24",
                    }
                ],
            },
        }
    }
    plan = _plan(tmp_path, [row], note_tweet=ytd("note_tweet", [note_row]))
    [item] = plan.items
    assert item.kind == "note"
    first = item.posts[0]
    assert first.text.startswith("Lisez https://exemple.fr/dossier avant tout : une phrase")
    assert (
        " ".join(p.text for p in item.posts).split()
        == note.replace("exemple.fr/dossier", "https://exemple.fr/dossier").split()
    )
    facet = first.facets[0]
    data = first.text.encode()
    assert data[facet["index"]["byteStart"] : facet["index"]["byteEnd"]] == b"https://exemple.fr/dossier"
