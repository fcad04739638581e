"""The reader on hand-written raw rows: edits, deleted thread middles, note tweets
(docs/x-archive-format.md)."""

from __future__ import annotations

from pathlib import Path

from quittex_tui.archive import open_archive
from quittex_tui.archive.models import TweetKind
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


def _zip(tmp_path: Path, tweets: list[dict], **extra: str) -> Path:
    members = {"data/account.js": account_js(), "data/tweets.js": ytd("tweets", tweets)}
    members.update({f"data/{name.replace('_', '-')}.js": text for name, text in extra.items()})
    return write_zip(tmp_path / "archive.zip", members)


def test_versions_linked_only_by_initial_tweet_id_collapse(tmp_path: Path) -> None:
    # Later versions naming their first one by `edit.initialTweetId` alone must not come out as posts.
    v = [snowflake(at(0)), snowflake(at(60)), snowflake(at(120))]
    rows = [tweet_row(v[0], at(0), "v1", edit_info={"initial": {"editTweetIds": v}})]
    rows += [
        tweet_row(v[n], at(60 * n), f"v{n + 1}", edit_info={"edit": {"initialTweetId": v[0]}}) for n in (1, 2)
    ]
    with open_archive(_zip(tmp_path, rows[::-1])) as archive:
        assert [t.id for t in archive.tweets] == [v[2]]
        assert archive.superseded_edit_ids == v[:2]
        assert archive.counts.edited == 1


def test_stale_edit_lists_still_collapse(tmp_path: Path) -> None:
    # The first version retro-filled with only itself, the second listing two ids, the last all three.
    v = [snowflake(at(0)), snowflake(at(60)), snowflake(at(120))]

    def later(ids: list[str]) -> dict:
        return {"edit": {"initialTweetId": v[0], "editControlInitial": {"editTweetIds": ids}}}

    rows = [
        tweet_row(v[0], at(0), "v1", edit_info={"initial": {"editTweetIds": [v[0]]}}),
        tweet_row(v[1], at(60), "v2", edit_info=later(v[:2])),
        tweet_row(v[2], at(120), "v3", edit_info=later(v)),
    ]
    with open_archive(_zip(tmp_path, rows)) as archive:
        assert [t.full_text for t in archive.tweets] == ["v3"]
        assert archive.superseded_edit_ids == v[:2]


def test_edited_thread_root_keeps_its_first_date_so_replies_come_after_it(tmp_path: Path) -> None:
    # Root posted at 0 s, answered at 10 s, then edited at 30 s: the reply points at the first version.
    root_v1, reply, root_v2 = snowflake(at(0)), snowflake(at(10)), snowflake(at(30))
    links = {"editTweetIds": [root_v1, root_v2]}
    rows = [
        tweet_row(root_v1, at(0), "racine v1", edit_info={"initial": links}),
        tweet_row(reply, at(10), "la suite", **reply_fields(root_v1, ME, MY_HANDLE)),
        tweet_row(
            root_v2,
            at(30),
            "racine v2",
            edit_info={"edit": {"initialTweetId": root_v1, "editControlInitial": links}},
        ),
    ]
    with open_archive(_zip(tmp_path, rows)) as archive:
        assert archive.threads == [[root_v2, reply]]
        assert archive.by_id[root_v2].created_at == at(0)
        assert [t.id for t in archive.tweets] == [root_v2, reply]


def test_thread_bridges_a_deleted_middle_tweet(tmp_path: Path) -> None:
    ids = [snowflake(at(n)) for n in range(4)]
    rows = [
        tweet_row(ids[0], at(0), "Début du fil"),
        tweet_row(ids[3], at(3), "Fin du fil", **reply_fields(ids[2], ME, MY_HANDLE)),
    ]
    # two consecutive middles deleted; deleted-tweets.js rows are whole tweets with `deleted_at`
    deleted = [
        tweet_row(
            ids[1],
            at(1),
            "milieu 1",
            deleted_at="Sat Dec 21 10:00:00 +0000 2024",
            **reply_fields(ids[0], ME, MY_HANDLE),
        ),
        tweet_row(
            ids[2],
            at(2),
            "milieu 2",
            deleted_at="Sat Dec 21 10:00:00 +0000 2024",
            **reply_fields(ids[1], ME, MY_HANDLE),
        ),
    ]
    path = _zip(tmp_path, rows, deleted_tweets=ytd("deleted_tweets", deleted))
    with open_archive(path) as archive:
        assert archive.threads == [[ids[0], ids[3]]]
        assert archive.by_id[ids[3]].kind == TweetKind.THREAD
        assert archive.deleted_ids == ids[1:3]


def test_self_reply_under_a_deleted_reply_to_someone_else_is_a_reply(tmp_path: Path) -> None:
    gone, mine = snowflake(at(0)), snowflake(at(1))
    rows = [tweet_row(mine, at(1), "et j'ajoute ceci", **reply_fields(gone, ME, MY_HANDLE))]
    deleted = [
        tweet_row(
            gone,
            at(0),
            "@carol non",
            deleted_at="Sat Dec 21 10:00:00 +0000 2024",
            **reply_fields("1869999999999999999", "2003", "carol"),
        )
    ]
    with open_archive(_zip(tmp_path, rows, deleted_tweets=ytd("deleted_tweets", deleted))) as archive:
        assert archive.by_id[mine].kind == TweetKind.REPLY
        assert archive.threads == []


def test_note_joins_when_its_text_holds_a_link_without_scheme(tmp_path: Path) -> None:
    # core.text may hold a link as typed ("exemple.fr/dossier") where the cut full_text has its t.co.
    note = (
        "Lisez exemple.fr/dossier avant tout : " + "une phrase assez longue pour dépasser la limite. " * 8
    ).strip()
    made = at(5, 500)
    tweet_id = snowflake(made + (at(0, 40) - at(0)))  # the tweet comes ~40 ms after its note
    full = "Lisez https://t.co/aBc avant tout : " + note[38:250] + "… https://t.co/more"
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
                },
                {
                    "url": "https://t.co/more",
                    "expanded_url": f"https://twitter.com/i/web/status/{tweet_id}",
                    "display_url": "twitter.com/i/web/status/1…",
                    "indices": [str(len(full) - 17), str(len(full))],
                },
            ],
        },
    )
    note_row = {
        "noteTweet": {
            "noteTweetId": snowflake(made),
            "createdAt": "2024-12-20T09:00:05.500Z",
            "updatedAt": "2024-12-20T09:00:05.500Z",
            "core": {
                "text": note,
                "styletags": [],
                "mentions": [],
                "hashtags": [],
                "cashtags": [],
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
    path = _zip(tmp_path, [row], note_tweet=ytd("note_tweet", [note_row]))
    with open_archive(path) as archive:
        assert archive.by_id[tweet_id].note_text == note
        assert archive.warnings == []
