"""Facts derived from the tweets: edits collapsed, kinds, self-threads, media files, known handles.

Spec: docs/x-archive-format.md#tweetsjs-rows (replies, retweets, quotes, edits), #media-files, #people.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from quittex_tui.archive.models import MediaKind, Tweet, TweetKind
from quittex_tui.archive.rows import snowflake_ms, url_basename
from quittex_tui.notice import notice

# Retweets have no flag in archives (`retweeted` is always false): the text starts with "RT @user:".
_RETWEET = re.compile(r"^RT @\w+")
_LEADING_HANDLES = re.compile(r"^(?:[@＠](\w+)\s+)+")
_HANDLE = re.compile(r"[@＠](\w+)")
# X lets a tweet be edited for one hour after posting; a version dated earlier than that is odd data.
EDIT_WINDOW = timedelta(hours=2)
# 2022+ and up to 2022-04 (docs/x-archive-format.md#media-files)
MEDIA_DIRS = ("data/tweets_media/", "data/tweet_media/")


def collapse_edits(tweets: list[Tweet]) -> tuple[list[Tweet], list[str], dict[str, str], int]:
    """Keep the last version of each edited tweet (docs/x-archive-format.md#edits).

    Returns the kept tweets, the ids of earlier versions dropped, a map from every earlier version's id
    to the kept id (replies may point at an earlier version), and how many tweets were edited.

    Versions are grouped by every id link the rows give (each row's list, its `initialTweetId`, its own
    id): a list written before the last edit is stale, and a first version may carry only itself (the
    2022 retro-fill), yet all versions of one tweet must become one. The kept (last) version takes the
    date of the first: that is when the post appeared (X allows edits for an hour only), and the replies
    of a self-thread answered it then, so they must not come out dated before it.
    """
    edited_rows = [t for t in tweets if t.edit_ids]
    if not edited_rows:
        return tweets, [], {}, 0
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for t in edited_rows:
        first = find(t.edit_ids[0])
        for i in (*t.edit_ids[1:], t.id):
            other = find(i)
            if other != first:
                parent[other] = first
    chains: dict[str, list[str]] = {}
    for i in sorted(set(parent) | {t.edit_ids[0] for t in edited_rows}, key=_id_key):
        chains.setdefault(find(i), []).append(i)
    by_id = {t.id: t for t in tweets}  # all rows: a first version may carry no edit list of its own
    dropped: set[str] = set()
    redirect: dict[str, str] = {}
    edited = 0
    for chain in chains.values():
        ordered = chain  # in id order: snowflakes are time-ordered, so versions come in order
        present = [i for i in ordered if i in by_id]
        if not present:
            continue
        kept = present[-1]
        tweet = by_id[kept]
        tweet.edit_ids = tuple(ordered)
        last_at = tweet.created_at
        first_at = min(by_id[present[0]].created_at, _snowflake_time(ordered[0], last_at))
        if last_at - EDIT_WINDOW <= first_at < last_at:  # anything else is not an edit X allowed: ignore
            tweet.created_at = first_at
        edited += 1
        for i in ordered:
            if i != kept:
                redirect[i] = kept
                if i in by_id:
                    dropped.add(i)
    kept_tweets = [t for t in tweets if t.id not in dropped] if dropped else tweets
    return kept_tweets, sorted(dropped, key=_id_key), redirect, edited


def _id_key(tweet_id: str) -> int:
    return int(tweet_id) if tweet_id.isdigit() else -1  # edit lists are foreign data: never crash on them


def _snowflake_time(tweet_id: str, default: datetime) -> datetime:
    """The second a snowflake id was made (the first version may be missing from the archive)."""
    ms = snowflake_ms(tweet_id) if tweet_id.isdigit() else None
    if ms is None:
        return default
    return datetime.fromtimestamp(ms // 1000, tz=UTC)


def _leading_other_handle(text: str, username: str) -> bool:
    m = _LEADING_HANDLES.match(text)
    if not m:
        return False
    me = username.lower()
    return any(h.lower() != me for h in _HANDLE.findall(m.group(0)))


def bridge_deleted(
    deleted: dict[str, tuple[str | None, str | None]], account_id: str, redirect: dict[str, str]
) -> set[str]:
    """Let a thread survive the deletion of one of its middle tweets
    (docs/x-archive-format.md#other-tweet-like-files:
    deleted-tweets.js rows are whole tweets, reply fields included).

    `deleted` maps each deleted id to its (in_reply_to_status_id, in_reply_to_user_id). A deleted
    self-reply is bridged: `redirect` (which classify follows, like an edit's earlier version) sends its
    id on to its own parent, through any run of deleted ones, so the reply under it continues the thread
    at the nearest surviving tweet. Returns the deleted ids that lived in someone else's conversation (a
    reply to another account, or a chain reaching one): a self-reply under those is a reply, whatever its
    text starts with.
    """
    foreign: set[str] = set()
    links: dict[str, str] = {}
    for did, (pid, uid) in deleted.items():
        if pid is None:
            continue  # a deleted root: the replies under it start afresh
        if uid and uid != account_id:
            foreign.add(did)
        elif uid == account_id:
            links[did] = pid
    for did in links:
        target, seen = did, set()
        while target in links and target not in seen:  # a run of deleted ones (loops: hostile data)
            seen.add(target)
            target = links[target]
        if target in foreign:
            foreign.add(did)
        else:
            redirect.setdefault(did, redirect.get(target, target))
    return foreign


_REPLY = "\x00reply"  # marker in the chain resolution: this chain lives in someone else's conversation


def classify(
    tweets: list[Tweet],
    by_id: dict[str, Tweet],
    account_id: str,
    username: str,
    redirect: dict[str, str],
    foreign: set[str] | frozenset[str] = frozenset(),
) -> list[list[str]]:
    """Set kind and thread_root on every tweet; return the self-threads (≥ 2 tweets, in order).

    A self-thread is a chain of one's own replies whose root is not a reply to someone else. A self-reply
    whose chain reaches a reply to someone else, or whose parent is missing from the archive while it
    starts with @someone_else (answering oneself inside another person's conversation), is a reply; so is
    an @-post (in_reply_to_user_id without a status id). `redirect` sends a parent id on to the tweet
    that stands for it (an edit's last version, a deleted tweet's parent); a self-reply whose missing
    parent is in `foreign` (see bridge_deleted) is a reply. `tweets` must be sorted by (created_at, id).
    """
    me = username.lower()

    def parent_id(t: Tweet) -> str | None:
        pid = t.in_reply_to_status_id
        return redirect.get(pid, pid) if pid else None

    def is_self_reply(t: Tweet) -> bool:
        if t.in_reply_to_user_id:
            return t.in_reply_to_user_id == account_id
        if t.in_reply_to_screen_name:
            return t.in_reply_to_screen_name.lower() == me
        return parent_id(t) in by_id  # no user given: a parent of ours in the archive is ours

    retweets = {t.id for t in tweets if t.full_text.startswith("RT @") and _RETWEET.match(t.full_text)}
    resolved: dict[str, str] = {}  # tweet id -> its chain root id, or _REPLY

    def step(t: Tweet) -> tuple[str | None, Tweet | None]:
        """(final answer, None) or (None, parent to walk to)."""
        if t.in_reply_to_status_id is None:
            if t.in_reply_to_user_id and t.in_reply_to_user_id != account_id:
                return _REPLY, None  # an @-post: addressed to someone, not in a thread of ours
            return t.id, None
        if not is_self_reply(t):
            return _REPLY, None
        pid = parent_id(t)
        parent = by_id.get(pid) if pid else None
        if parent is None or parent.id in retweets:
            # parent missing (deleted, or someone else's conversation we answered in)
            if pid in foreign:
                return _REPLY, None
            return (_REPLY if _leading_other_handle(t.full_text, username) else t.id), None
        return None, parent

    for tweet in tweets:
        tid = tweet.id
        if tid in retweets or tid in resolved:
            continue
        if tweet.in_reply_to_status_id is None and tweet.in_reply_to_user_id is None:
            resolved[tid] = tid  # the common case: a plain post
            continue
        path: list[str] = []
        cur: Tweet | None = tweet
        answer: str | None = None
        while cur is not None:
            if cur.id in resolved:
                answer = resolved[cur.id]
                break
            if cur.id in path:  # a reply loop (hostile data): cut it here
                answer = cur.id
                break
            path.append(cur.id)
            answer, cur = step(cur)
        for pid in path:
            resolved[pid] = answer or tid

    members: dict[str, list[str]] = {}
    for tweet in tweets:
        if tweet.id in retweets:
            tweet.kind, tweet.thread_root = TweetKind.RETWEET, None
            continue
        root = resolved[tweet.id]
        if root == _REPLY:
            tweet.kind, tweet.thread_root = TweetKind.REPLY, None
        else:
            members.setdefault(root, []).append(tweet.id)
    threads = []
    for root, ids in members.items():
        if len(ids) == 1:
            tweet = by_id[root]
            tweet.kind = TweetKind.QUOTE if tweet.quoted_url else TweetKind.ORIGINAL
            tweet.thread_root = None
            continue
        ids = _chain_order(root, ids, by_id, parent_id)
        threads.append(ids)
        for tid in ids:
            tweet = by_id[tid]
            if tid == root:
                tweet.kind = TweetKind.QUOTE if tweet.quoted_url else TweetKind.ORIGINAL
            else:
                tweet.kind = TweetKind.THREAD
            tweet.thread_root = root
    threads.sort(key=lambda ids: (min(by_id[i].created_at for i in ids), int(ids[0])))
    return threads


def _chain_order(
    root: str, ids: list[str], by_id: dict[str, Tweet], parent_id: Callable[[Tweet], str | None]
) -> list[str]:
    """Root first, then each reply after its parent (depth first, siblings by time). Time order alone is
    not enough: an edited root keeps its last version, created after the first replies."""
    members = set(ids)
    children: dict[str, list[str]] = {}
    for tid in ids:  # ids come in (created_at, id) order, so siblings stay in time order
        pid = parent_id(by_id[tid])
        if tid != root and pid in members:
            children.setdefault(pid, []).append(tid)
    ordered: list[str] = []
    seen: set[str] = set()
    stack = [root]
    while stack:
        tid = stack.pop()
        if tid in seen:
            continue
        seen.add(tid)
        ordered.append(tid)
        stack.extend(reversed(children.get(tid, ())))
    ordered += [
        tid for tid in ids if tid not in seen
    ]  # unreachable (hostile loops): keep them, in time order
    return ordered


def media_index(names: Iterable[str], dirs: Iterable[str] = MEDIA_DIRS) -> dict[str, dict[str, str]]:
    """tweet id -> {file base name -> member}, built once from the member list (never scanned per tweet).
    Files are `<tweetId>-<base>`: split on the FIRST `-` (base names contain `-` and `_`)."""
    prefixes = tuple(dirs)
    index: dict[str, dict[str, str]] = {}
    for name in names:
        if not name.startswith(prefixes):
            continue
        base = name.rsplit("/", 1)[-1]
        tid, sep, rest = base.partition("-")
        if sep and tid.isdigit():
            index.setdefault(tid, {})[rest] = name
    return index


def locate_media(tweets: list[Tweet], index: dict[str, dict[str, str]]) -> tuple[int, int]:
    """Set `Media.member` for each media; a missing file is a warning on its tweet.

    Returns (media count, missing count)."""
    total = missing = 0
    for tweet in tweets:
        for item in tweet.media:
            total += 1
            source = item.media_url if item.kind is MediaKind.PHOTO else item.video_url
            want = url_basename(source) if source else None
            member = None
            # an edited tweet's files may carry an earlier version's id
            for tid in (tweet.id, *reversed(tweet.edit_ids)):
                files = index.get(tid)
                if not files:
                    continue
                member = files.get(want) if want else None
                if member is None and item.kind is not MediaKind.PHOTO:
                    mp4s = [m for b, m in files.items() if b.lower().endswith(".mp4")]
                    member = mp4s[0] if len(mp4s) == 1 else None
                if member:
                    break
            item.member = member
            if member is None:
                missing += 1
                warning = (
                    notice(f"warn.missing.{item.kind.value}", name=f"{tweet.id}-{want}")
                    if want
                    else notice(f"warn.missing_id.{item.kind.value}", id=item.media_id)
                )
                tweet.warnings = (*tweet.warnings, warning)
    return total, missing


def known_handles(tweets: Iterable[Tweet], account_id: str) -> dict[str, str]:
    """X user id -> screen name, from mentions and reply fields; the latest use wins (names change)."""
    handles: dict[str, str] = {}
    for t in tweets:
        if t.in_reply_to_user_id and t.in_reply_to_screen_name:
            handles[t.in_reply_to_user_id] = t.in_reply_to_screen_name
        for m in t.mentions:
            if m.user_id and m.user_id.isdigit():
                handles[m.user_id] = m.screen_name
    handles.pop(account_id, None)
    return handles
