"""Derived facts: kinds, threads, edits, note tweets, deleted, media files, handles, dates and order.

Each rule comes from docs/x-archive-format.md."""

from __future__ import annotations

from datetime import UTC, timedelta

from quittex_tui.archive.models import MediaKind, TweetKind
from tests.archive.builder import ArchiveBuilder, At, Link, Photo, Video, dt, snowflake

OTHER = ("222", "bob")


def test_kinds_original_thread_reply_retweet_quote(read_back) -> None:
    b = ArchiveBuilder()
    original = b.tweet("Juste un tweet")
    thread = b.thread(["Fil 1/3", "Fil 2/3", "Fil 3/3"])
    reply = b.tweet(At("bob", "222"), " oui", reply_to="1500000000000000000", reply_user=OTHER)
    retweet = b.retweet(("333", "carol"), "texte")
    quote_tw = b.quote(("333", "carol"), "1500000000000000001", "À lire", host="twitter.com")
    quote_x = b.quote(("333", "carol"), "1500000000000000002", "Et ça", host="x.com")
    not_quote = b.tweet("ma photo ", Link("https://twitter.com/carol/status/1500000000000000003/photo/1"))
    a = read_back(b)
    k = {tid: a.by_id[tid].kind for tid in a.by_id}
    assert k[original] is TweetKind.ORIGINAL and a.by_id[original].thread_root is None
    assert k[thread[0]] is TweetKind.ORIGINAL and [k[t] for t in thread[1:]] == [TweetKind.THREAD] * 2
    assert {a.by_id[t].thread_root for t in thread} == {thread[0]}
    assert k[reply] is TweetKind.REPLY
    assert k[retweet] is TweetKind.RETWEET
    assert k[quote_tw] is TweetKind.QUOTE and k[quote_x] is TweetKind.QUOTE
    assert a.by_id[quote_x].quoted_url == "https://x.com/carol/status/1500000000000000002"
    assert k[not_quote] is TweetKind.ORIGINAL and a.by_id[not_quote].quoted_url is None
    assert a.threads == [thread]
    c = a.counts
    assert c.originals + c.thread_posts + c.replies + c.retweets + c.quotes == c.tweets == 9


def test_threads_come_in_order_even_with_shuffled_rows_and_shared_seconds(read_back) -> None:
    b = ArchiveBuilder(shuffle=True, tweet_parts=3)
    at = dt(2024, 3, 3, 10, 0, 0)
    first = b.thread([f"{n}/8" for n in range(1, 9)], at=at, gap=timedelta(milliseconds=150))  # 8 in ~1 s
    second = b.thread(["autre 1/2", "autre 2/2"], at=at + timedelta(hours=1))
    a = read_back(b)
    assert a.threads == [first, second]
    assert [t.id for t in a.tweets] == sorted(a.by_id, key=lambda i: (a.by_id[i].created_at, int(i)))


def test_self_reply_inside_someone_elses_conversation_is_a_reply(read_back) -> None:
    b = ArchiveBuilder()
    # my reply to bob, then I answer myself below it: the chain reaches a reply to someone else
    to_bob = b.tweet(At("bob", "222"), " non", reply_to="1500000000000000000", reply_user=OTHER)
    below = b.tweet(At("bob", "222"), " et d’ailleurs…", reply_to=to_bob)
    further = b.tweet(At("bob", "222"), " enfin", reply_to=below)
    # a self-reply whose parent is not in the archive and that starts with @someone_else
    orphan = b.tweet(
        At("bob", "222"), " suite", reply_to="1500000000000000009", reply_user=(b.account_id, b.username)
    )
    # an @-post: a user id but no status id
    at_post = b.tweet(At("bob", "222"), " coucou", reply_user=OTHER)
    # a self-reply to a missing (deleted) own tweet, without a leading mention: stands alone
    lone = b.tweet(
        "suite d’un tweet supprimé", reply_to="1500000000000000010", reply_user=(b.account_id, b.username)
    )
    # in_reply_to_screen_name missing (real quirk) on a self-thread continuation
    root = b.tweet("racine")
    cont = b.tweet("suite", reply_to=root)
    del b.row(cont)["in_reply_to_screen_name"]
    a = read_back(b)
    for tid in (to_bob, below, further, orphan, at_post):
        assert a.by_id[tid].kind is TweetKind.REPLY, tid
        assert a.by_id[tid].thread_root is None
    assert a.by_id[lone].kind is TweetKind.ORIGINAL
    assert a.threads == [[root, cont]]


def test_self_reply_with_a_leading_handle_inside_my_own_thread_stays_in_it(read_back) -> None:
    b = ArchiveBuilder()
    ids = b.thread(["Fil 1/2", [At("alice", "444"), " tu as raison 2/2"]])
    a = read_back(b)
    assert a.threads == [ids] and a.by_id[ids[1]].kind is TweetKind.THREAD


def test_edits_collapse_to_the_last_version(read_back) -> None:
    b = ArchiveBuilder(generation="2022")
    first = b.tweet("Versoin 1 ", Link("https://ex.fr/a"), at=dt(2023, 1, 5, 9))
    reply = b.tweet("réponse au premier jet", reply_to=first)  # replies may point at an earlier version
    second = b.edit(first, "Version 2 ", Link("https://ex.fr/a"))
    third = b.edit(first, "Version 3 ", Link("https://ex.fr/a"))
    plain = b.tweet("jamais modifié")
    a = read_back(b)
    assert first not in a.by_id and second not in a.by_id
    last = a.by_id[third]
    assert last.full_text.startswith("Version 3")
    assert last.edit_ids == (first, second, third)
    assert a.superseded_edit_ids == [first, second]
    assert a.counts.edited == 1 and a.counts.tweets == 3
    assert a.by_id[plain].edit_ids == ()  # edit_info retro-filled with its own id only: not edited
    assert a.threads == [[third, reply]]  # the thread follows the edit, root first


def test_note_tweets_join_by_text_then_snowflake_clock(read_back) -> None:
    b = ArchiveBuilder(generation="2023")
    long_a = "Premier long texte. " + "Les mots s’enchaînent & durent. " * 15
    long_b = "Second long texte, tout autre. " + "Encore des phrases ici. " * 15
    at = dt(2024, 6, 1, 12, 0, 0, ms=100)
    # three tweets in the same second: two notes and a short tweet; the second second-mate shares a prefix
    tid_a = b.note_tweet(long_a, at=at)
    tid_b = b.note_tweet(long_b, at=at + timedelta(milliseconds=300))
    same_second = b.tweet("Premier long texte.", at=at + timedelta(milliseconds=600))
    # a reply note tweet: full_text has the leading @mention, core.text does not
    tid_r = b.note_tweet(
        "Réponse longue. " + "Argument détaillé. " * 20,
        at=dt(2024, 6, 2, 8),
        reply_to="1600000000000000000",
        reply_user=OTHER,
        leading=[At("bob", "222")],
    )
    a = read_back(b)
    assert a.by_id[tid_a].note_text == long_a
    assert a.by_id[tid_b].note_text == long_b
    assert a.by_id[same_second].note_text is None
    assert a.by_id[tid_r].note_text.startswith("Réponse longue.")
    assert a.by_id[tid_a].full_text.endswith(a.by_id[tid_a].urls[-1].url)  # the cut text, kept as is
    assert a.counts.note_tweets == 3
    assert a.by_id[tid_a].quoted_url is None  # the "show more" i/web link is no quote


def test_note_tie_between_identical_prefixes_goes_to_the_closest_later_tweet(read_back) -> None:
    b = ArchiveBuilder(generation="2023")
    text = "Même début pour deux notes. " * 12
    at = dt(2024, 7, 1, 9, 0, 0, ms=10)
    first = b.note_tweet(text + "A", at=at, note_ms_before=30)
    second = b.note_tweet(text + "B", at=at + timedelta(milliseconds=500), note_ms_before=30)
    a = read_back(b)
    assert a.by_id[first].note_text.endswith("A")
    assert a.by_id[second].note_text.endswith("B")


def test_deleted_tweets_and_notes_are_kept_out(read_back) -> None:
    b = ArchiveBuilder(generation="2023")
    keep = b.tweet("reste")
    gone = b.tweet("supprimé")
    also_gone = b.tweet("supprimé mais encore listé")
    b.delete(gone)
    b.delete(also_gone, keep_in_tweets=True)
    note_tid = b.note_tweet("Une note supprimée. " * 20)
    b.deleted_note(b.note_row()["noteTweetId"])
    b.orphan_note("Un brouillon jamais publié. " * 20, at=dt(2020, 1, 1))
    a = read_back(b)
    assert keep in a.by_id and gone not in a.by_id and also_gone not in a.by_id
    assert sorted(a.deleted_ids) == sorted([gone, also_gone])
    assert a.counts.deleted == 2 and a.counts.tweets == 2
    assert a.by_id[note_tid].note_text is None  # in deleted-note-tweet.js: never joined
    assert any("matches no tweet" in w for w in a.warnings)  # the orphan note


def test_media_files_are_located_per_tweet(read_back) -> None:
    b = ArchiveBuilder(generation="2022")
    photos = b.tweet(
        "photos",
        media=[Photo(base="GfAb-12_cd.jpg"), Photo(base="X_y-z.png"), Photo(base="gone.jpg", present=False)],
    )
    video = b.tweet("vidéo", media=[Video(base="wZwdl2psWVDiB7ej.mp4", duration_ms=12345)])
    gif = b.tweet("gif", media=[Video(gif=True, base="tweet_gif-01.mp4")])
    a = read_back(b)
    p = a.by_id[photos].media
    assert [m.member for m in p[:2]] == [
        f"data/tweets_media/{photos}-GfAb-12_cd.jpg",
        f"data/tweets_media/{photos}-X_y-z.png",
    ]
    assert p[2].member is None
    assert a.by_id[photos].warnings == (f"photo {photos}-gone.jpg is missing from the archive",)
    v = a.by_id[video].media[0]
    assert v.kind is MediaKind.VIDEO and v.member == f"data/tweets_media/{video}-wZwdl2psWVDiB7ej.mp4"
    assert v.video_url.split("?")[0].endswith("/wZwdl2psWVDiB7ej.mp4")  # the 2176000 variant, not the m3u8
    assert v.duration_ms == 12345
    g = a.by_id[gif].media[0]
    assert g.kind is MediaKind.GIF and g.member == f"data/tweets_media/{gif}-tweet_gif-01.mp4"
    assert (a.counts.media, a.counts.missing_media) == (5, 1)
    assert a.by_id[gif].warnings == ()


def test_known_handles_pair_ids_with_latest_screen_names(read_back) -> None:
    b = ArchiveBuilder()
    b.tweet(At("old_name", "222"), " salut", at=dt(2020, 1, 1))
    b.tweet(At("new_name", "222"), " re", at=dt(2022, 1, 1))
    b.tweet("réponse", reply_to="1500000000000000000", reply_user=("333", "carol"))
    b.tweet(At("ghost", None), " sans entité")  # a renamed/suspended account: no entity, no id
    b.tweet(At(b.username, b.account_id), " moi-même")
    a = read_back(b)
    assert a.known_handles == {"222": "new_name", "333": "carol"}


def test_dates_are_aware_utc_and_all_numbers_are_parsed(read_back) -> None:
    b = ArchiveBuilder()
    tid = b.tweet(
        "Tom & Jerry 🐭 ", Link("https://ex.fr"), at=dt(2024, 12, 21, 9, 0, 5), favorites=12, retweets=3
    )
    a = read_back(b)
    t = a.by_id[tid]
    assert t.created_at == dt(2024, 12, 21, 9, 0, 5) and t.created_at.tzinfo is UTC
    assert (t.favorite_count, t.retweet_count) == (12, 3)
    assert (t.display_start, t.display_end) == (0, len(t.full_text))  # stored; covers the whole text
    u = t.urls[0]
    assert t.full_text[u.start : u.end] == u.url and u.expanded_url == "https://ex.fr"
    assert u.start == len("Tom &amp; Jerry 🐭 ")
    assert int(tid) == int(snowflake(dt(2024, 12, 21, 9, 0, 5), int(tid) & 0xFFF))


def test_account_profile_and_people(read_back) -> None:
    b = ArchiveBuilder(people_parts=3)
    b.follow(*(str(n) for n in range(100, 110)))
    b.follow("100")  # duplicate
    b.follower("7", "8")
    b.block("9")
    b.mute("10", "11")
    b.like("555", "un tweet aimé", "https://twitter.com/x/status/555")
    a = read_back(b)
    # split over following.js, following-part1.js, following-part2.js; duplicates counted once
    assert sorted(a.following) == sorted(str(n) for n in range(100, 110))
    assert (a.followers, a.blocks, a.mutes) == (["7", "8"], ["9"], ["10", "11"])
    assert a.likes[0].tweet_id == "555" and a.likes[0].full_text == "un tweet aimé"
    acc = a.account
    assert (acc.bio, acc.website, acc.location) == (b.bio, b.website, b.location)
    assert acc.avatar_member == f"data/profile_media/{b.account_id}-Av4tar_x400.jpg"
    assert acc.header_member == f"data/profile_media/{b.account_id}-1600000000.jpg"
    assert acc.created_at is not None and acc.created_at.tzinfo is UTC


def test_a_reply_loop_in_hostile_data_does_not_hang(read_back) -> None:
    b = ArchiveBuilder()
    first = b.tweet("a")
    second = b.tweet("b", reply_to=first)
    b.row(first).update(in_reply_to_status_id_str=second, in_reply_to_user_id_str=b.account_id)
    a = read_back(b)
    assert [sorted(ids) for ids in a.threads] == [sorted([first, second])]
    assert a.counts.tweets == 2
