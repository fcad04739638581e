"""Bluesky (AT Protocol) publishing target: one planned post → one `app.bsky.feed.post` record.

Specs: docs/bluesky.md (#the-post-record-appbskyfeedpost, #rate-limits), lexicons `app.bsky.feed.post`,
`app.bsky.embed.images`, `app.bsky.embed.video`, `app.bsky.richtext.facet`,
`com.atproto.repo.putRecord/getRecord/uploadBlob`.

- The record is built here, not with the SDK's `send_post` (which stamps *now*): `createdAt` is the
  original tweet's time, so the post is back-dated ("Archived from …" label in the app).
- The write is `com.atproto.repo.putRecord` at a deterministic TID rkey (tid.py). Re-putting the identical
  record is a no-op on the PDS (same CID, `commit: null`), so a retry or a resume after a crash can never
  create a second post. `createRecord` is not used: on an existing rkey it answers HTTP 500, which would
  look transient (docs/bluesky.md#writing-and-reading-records).
- Blobs are content-addressed: re-uploading the same image gives the same CID, so retries are harmless.
- Rate limits: the PDS reports `RateLimit-Limit/-Remaining/-Reset/-Policy` on responses, but the SDK's
  namespace methods return only parsed models. We keep the SDK (it owns session refresh and the
  `on_session_change` hook we need to persist refreshed tokens) and give its request layer, through its
  public constructor (`Request(**kwargs)` → `httpx.Client(**kwargs)`), an httpx response hook that reports
  every response's headers — success or error — and a transport with a total deadline per request
  (deadline.py). No override of SDK internals (ARCHITECTURE.md#who-may-import-whom, issue 14), no second HTTP
  stack.
- Reconciliation (`reconcile`): the record keys are deterministic, so "did it land?" is a getRecord at the
  key — or, for many posts at once (a lost journal), one `listRecords` walk in ascending key order, which
  meets our back-dated keys first and stops past the last one. A record at our key can only be ours.
- A session refused mid-run is refreshed with public calls (`com.atproto.server.refreshSession`, then
  `login(session_string=…)`), or logged in again with the app password.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from atproto import Client, Session, models
from atproto_client.exceptions import (
    BadRequestError,
    LoginRequiredError,
    RequestErrorBase,
)
from atproto_client.request import Request
from atproto_core.exceptions import AtProtocolError

from quittex_tui.clock import utcnow
from quittex_tui.convert.media_facts import BLUESKY_VIDEO_MAX_BYTES
from quittex_tui.convert.models import PlannedMedia, PlannedPost
from quittex_tui.convert.mp4 import mp4_problem
from quittex_tui.errors import AuthError, Todo, login_todo, todo
from quittex_tui.notice import notice
from quittex_tui.publish import tid
from quittex_tui.publish.bluesky_video import BlueskyVideo, is_bluesky_hosted, video_service_for
from quittex_tui.publish.deadline import DeadlineTransport
from quittex_tui.publish.retry import network_failure
from quittex_tui.publish.target import (
    Pending,
    PermanentError,
    PostRef,
    RateBudget,
    RateLimited,
    ReadCall,
    ReplyTo,
    Resolution,
    TargetInfo,
    TransientError,
    Verdict,
)
from quittex_tui.publish.video_quota import VideoQuota
from quittex_tui.scrub import remember_session_string, scrub

__all__ = ["BlueskyTarget", "HeaderCapturingRequest", "is_bluesky_hosted", "parse_rate_headers"]

POST_COLLECTION = "app.bsky.feed.post"
# app.bsky.embed.images#image: blob maxSize 1,000,000 (the PDS enforces it when the record references it).
IMAGE_MAX_BYTES = 1_000_000
MAX_IMAGES = 4
# The Bluesky video service's per-video limit (docs/bluesky.md "Video": ≤ 100 MB, not verified; the lexicon
# allows more). It processes every Bluesky video, uploaded to it or picked up from the PDS
# (docs/bluesky.md#video, issue 12).
VIDEO_MAX_BYTES = BLUESKY_VIDEO_MAX_BYTES
# com.atproto.repo writes cost points: createRecord 3, putRecord 2 (creating or replacing), delete 1
# (the PDS's repo/putRecord.ts; docs/bluesky.md "Rate limits"). Posts and follows are putRecord writes.
COST_PER_POST = 2
# When a 429 carries no usable reset header, wait this long (the PDS windows are 5 min and longer).
DEFAULT_RATE_LIMIT_WAIT = timedelta(seconds=60)

HeaderObserver = Callable[[str, int, dict[str, str]], None]


GET_RECORD_BATCH = 20  # up to this many keys: one getRecord each; more: one listRecords walk


class HeaderCapturingRequest(Request):  # type: ignore[misc]  # atproto ships no types: Request is Any
    """The SDK's request layer as the SDK builds it, configured through its public kwargs (they go to
    `httpx.Client`): a deadline transport, and a response hook reporting (xrpc method, status, headers)
    of every response — success or error — before the SDK parses it."""

    def __init__(self, *, observer: HeaderObserver | None = None, **kwargs: Any) -> None:
        self.observer = observer
        kwargs.setdefault("transport", DeadlineTransport())
        hooks = dict(kwargs.pop("event_hooks", None) or {})
        hooks["response"] = [*(h for h in hooks.get("response", []) if h != self._report), self._report]
        super().__init__(event_hooks=hooks, **kwargs)

    def _report(self, response: httpx.Response) -> None:
        if self.observer:
            nsid = response.request.url.path.rsplit("/", 1)[-1]
            self.observer(nsid, response.status_code, {k.lower(): v for k, v in response.headers.items()})


def parse_rate_headers(headers: dict[str, str]) -> tuple[int | None, int | None, datetime | None, str | None]:
    """(limit, remaining, reset_at, policy) from `RateLimit-*` headers (reset = epoch seconds)."""
    low = {k.lower(): v for k, v in headers.items()}

    def _int(name: str) -> int | None:
        try:
            return int(str(low[name]).strip())
        except (KeyError, ValueError):
            return None

    reset = _int("ratelimit-reset")
    reset_at = datetime.fromtimestamp(reset, tz=UTC) if reset is not None else None
    return _int("ratelimit-limit"), _int("ratelimit-remaining"), reset_at, low.get("ratelimit-policy")


class BlueskyTarget:
    """PublishTarget for one logged-in Bluesky account (build it with `connect.connect_bluesky`)."""

    network = "bluesky"

    def __init__(
        self,
        client: Client,
        *,
        did: str,
        handle: str,
        pds: str,
        request: HeaderCapturingRequest,
        password: str | None = None,
        video_service: str | bool | None = True,
        mention_resolver: Callable[[str], str | None] | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.client = client
        self.did = did
        self.handle = handle
        self.service: str | None = None  # the --service the user named, if any (for "log in again")
        self.pds = pds.removesuffix("/xrpc").rstrip("/")
        self._password = password
        # Videos (docs/bluesky.md#video, issue 12): on every PDS, through the video service when there is one
        # (bluesky_video.py); `video_service` True = the default for this PDS, a URL, or None/False =
        # uploadBlob only.
        service = video_service_for(self.pds) if video_service is True else (video_service or None)
        self.video = BlueskyVideo(client, did=did, pds=self.pds, call=self._call, service=service, now=now)
        # audience/ (the accepted matches of `audience`) may plug in accepted X-handle → DID matches;
        # default: exact handles only.
        self.mention_resolver = mention_resolver
        self._now = now
        self._lock = threading.Lock()
        self._budget = RateBudget(cost_per_post=COST_PER_POST)
        self._any_budget: RateBudget | None = None
        self.rate_policy: str | None = None
        self._mention_cache: dict[str, str | None] = {}
        # Where a session refreshed here is saved (connect.py persists it like the SDK's own refreshes).
        self.on_session_refresh: Callable[[str], object] | None = None
        request.observer = self._observe

    # --- PublishTarget -------------------------------------------------------------------------
    def info(self) -> TargetInfo:
        extra = {"did": self.did}
        if self.rate_policy:
            extra["rate_policy"] = self.rate_policy
        return TargetInfo(
            network="bluesky",
            handle=self.handle,
            server=self.pds,
            max_chars=300,
            max_media=MAX_IMAGES,
            image_max_bytes=IMAGE_MAX_BYTES,
            video_max_bytes=VIDEO_MAX_BYTES,
            supports_video=True,
            supports_backdating=True,
            extra=extra,
        )

    def budget(self) -> RateBudget:
        with self._lock:
            # Prefer what the last *write* said (its bucket is the repo-write points budget); else any.
            if self._budget.limit is not None or self._any_budget is None:
                return RateBudget(**vars(self._budget))
            return RateBudget(**vars(self._any_budget))

    def post_key(
        self, item_id: str, index: int, source_id: str, created_at: datetime, *, attempt: int = 0
    ) -> str:
        """A TID from the tweet (tid.py); `attempt` > 0 when the engine found the previous one taken."""
        return tid.post_tid(source_id, created_at, index, attempt)

    def find(self, key: str, post: PlannedPost, created_at: datetime, intent_at: datetime) -> PostRef | None:
        return self._get(key)

    def has_posts(self) -> bool:
        params = models.ComAtprotoRepoListRecords.Params(repo=self.did, collection=POST_COLLECTION, limit=1)
        page = self._call(notice("act.read_posts"), lambda: self.client.com.atproto.repo.list_records(params))
        return bool(page.records)

    def reconcile(
        self,
        pending: Sequence[Pending],
        *,
        claimed: Collection[str],
        call: ReadCall,
        want: Collection[str] | None = None,
    ) -> dict[str, Resolution]:
        """Exact: a record at our deterministic key is the post (whatever the journal or clocks say)."""
        keys = [p.key for p in pending if want is None or p.key in want]
        if not keys:
            return {}
        if len(keys) <= GET_RECORD_BATCH:
            out: dict[str, Resolution] = {}
            for p in pending:
                if p.key in keys:
                    found = call(partial(self._get, p.key), notice("doing.checking_post"))
                    out[p.key] = Resolution(Verdict.FOUND, found) if found else Resolution(Verdict.ABSENT)
            return out
        wanted = set(keys)
        last = max(wanted)  # TIDs sort as their times: stop once past the newest key we look for
        found_at: dict[str, PostRef] = {}
        cursor: str | None = None
        while True:
            params = models.ComAtprotoRepoListRecords.Params(
                repo=self.did, collection=POST_COLLECTION, limit=100, cursor=cursor, reverse=True
            )
            page = call(
                partial(
                    self._call,
                    notice("act.read_posts"),
                    partial(self.client.com.atproto.repo.list_records, params),
                ),
                notice("doing.read_posts"),
            )
            for rec in page.records:
                rkey = rec.uri.rsplit("/", 1)[-1]
                if rkey in wanted:
                    found_at[rkey] = PostRef(uri=rec.uri, cid=rec.cid or "", url=self.web_url(rkey))
            cursor = page.cursor
            if not cursor or not page.records or page.records[-1].uri.rsplit("/", 1)[-1] >= last:
                break
        return {
            k: Resolution(Verdict.FOUND, found_at[k]) if k in found_at else Resolution(Verdict.ABSENT)
            for k in keys
        }

    def _get(self, key: str) -> PostRef | None:
        params = models.ComAtprotoRepoGetRecord.Params(repo=self.did, collection=POST_COLLECTION, rkey=key)
        try:
            got = self._call(notice("act.read_back"), lambda: self.client.com.atproto.repo.get_record(params))
        except PermanentError as exc:
            if "RecordNotFound" in exc.reason or "Could not locate record" in exc.reason:
                return None
            raise
        return PostRef(uri=got.uri, cid=got.cid or "", url=self.web_url(key))

    def publish(
        self, post: PlannedPost, *, key: str, created_at: datetime, reply_to: ReplyTo | None
    ) -> PostRef:
        if not tid.is_valid_tid(key):
            raise PermanentError(f"internal: record key {key!r} is not a valid TID")
        embed = self._links_embed(post, self._embed(post))
        record = self.build_record(post, created_at=created_at, reply_to=reply_to, embed=embed)
        # The JSON body is sent as built (through the SDK's invoke layer, so session refresh still
        # applies): the typed `put_record` would round-trip the record through SDK models, which adds
        # `$type` to nested objects — valid, but then what is stored depends on the SDK version, and a
        # re-put after an upgrade would become an update instead of a no-op.
        body = json.dumps(
            {"repo": self.did, "collection": POST_COLLECTION, "rkey": key, "record": record},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        res = self._call(
            notice("act.write_post"),
            lambda: self.client.invoke_procedure(
                "com.atproto.repo.putRecord",
                content=body,
                headers={"Content-Type": "application/json"},
                output_encoding="application/json",
            ),
        )
        out = res.content if isinstance(res.content, dict) else {}
        if not out.get("uri") or not out.get("cid"):
            raise TransientError(notice("fail.no_uri"))
        return PostRef(uri=str(out["uri"]), cid=str(out["cid"]), url=self.web_url(key))

    # --- record building -----------------------------------------------------------------------
    def web_url(self, rkey: str) -> str:
        return f"https://bsky.app/profile/{self.handle}/post/{rkey}"

    def build_record(
        self,
        post: PlannedPost,
        *,
        created_at: datetime,
        reply_to: ReplyTo | None,
        embed: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        # The ORIGINAL time of the post's own tweet (back-dating): the plan's per-post time when it has one
        # (a thread's posts each keep their tweet's date), refined to the ms when the tweet id carries it.
        # The parts of one split tweet follow it 1 ms apart (`part`): the AppView lists an author's posts
        # by (sortAt, cid) — sortAt being the earlier of createdAt and indexedAt (bsky
        # data-plane/server/routes/feeds.ts, getAuthorFeed: TimeCidKeyset) — so equal dates would list the
        # parts in the random order of their CIDs (docs/bluesky.md#link-cards-appbskyembedexternal, issue 13).
        when = tid.original_time(post.source_id, post.created_at or created_at)
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": post.text,
            "createdAt": tid.iso_created_at(when + timedelta(milliseconds=post.part)),
        }
        if post.lang:
            record["langs"] = [post.lang]  # app.bsky.feed.post#langs: BCP-47 tags, at most 3
        # sensitive media (docs/bluesky.md#languages-and-self-labels, issue 12):
        # com.atproto.label.defs#selfLabels on the post
        if post.self_label:
            record["labels"] = {
                "$type": "com.atproto.label.defs#selfLabels",
                "values": [{"val": post.self_label}],
            }
        facets = self._facets(post)
        if facets:
            record["facets"] = facets
        if reply_to is not None:
            record["reply"] = {
                "root": {"uri": reply_to.root.uri, "cid": reply_to.root.cid},
                "parent": {"uri": reply_to.parent.uri, "cid": reply_to.parent.cid},
            }
        if embed:
            record["embed"] = embed
        return record

    def _facets(self, post: PlannedPost) -> list[dict[str, Any]]:
        facets = [dict(f) for f in post.facets]
        taken = [(f["index"]["byteStart"], f["index"]["byteEnd"]) for f in facets if "index" in f]
        text_bytes = post.text.encode("utf-8")
        for cand in post.mention_candidates:
            start, end = cand.byte_start, cand.byte_end
            if not (0 <= start < end <= len(text_bytes)):
                continue
            shown = text_bytes[start:end].decode("utf-8", errors="replace")
            if shown.lstrip("@").lower() != cand.handle.lower():
                continue  # the text was edited since the plan: the offsets no longer point at the mention
            if any(start < e and s < end for s, e in taken):
                continue
            did = self.resolve_mention(cand.handle)
            if not did:
                # unresolvable: stays plain text (docs/bluesky.md#rich-text-facets: a mention needs a DID)
                continue
            facets.append(
                {
                    "$type": "app.bsky.richtext.facet",
                    "index": {"byteStart": start, "byteEnd": end},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
                }
            )
            taken.append((start, end))
        facets.sort(key=lambda f: f["index"]["byteStart"])
        return facets

    def resolve_mention(self, handle: str) -> str | None:
        """DID of an exact, resolvable atproto handle; None otherwise (never raises for 'not found')."""
        key = handle.lower().lstrip("@")
        if key in self._mention_cache:
            return self._mention_cache[key]
        did: str | None = None
        if self.mention_resolver is not None:
            did = self.mention_resolver(key)
        # X screen names have no dot; an atproto handle is a domain name. Never guess `<name>.bsky.social`.
        if did is None and "." in key:
            params = models.ComAtprotoIdentityResolveHandle.Params(handle=key)
            try:
                did = self._call(
                    notice("act.resolve_mention"),
                    lambda: self.client.com.atproto.identity.resolve_handle(params),
                ).did
            except (PermanentError, TransientError, RateLimited):
                did = None  # not found, or the network failed: plain text, and the post still goes
        self._mention_cache[key] = did
        return did

    def _embed(self, post: PlannedPost) -> dict[str, Any] | None:
        videos = [m for m in post.media if m.kind in ("video", "gif")]
        images = [m for m in post.media if m.kind == "image"]
        if videos:
            if len(videos) > 1 or images:
                raise PermanentError(notice("fail.one_video_only"))
            return self._video_embed(videos[0])
        if not images:
            return None
        if len(images) > MAX_IMAGES:
            raise PermanentError(notice("fail.too_many_images", n=len(images), max=MAX_IMAGES))
        entries = []
        for media in images:
            data = self._read_media(media, IMAGE_MAX_BYTES)
            blob = self._upload(data, media)
            entry: dict[str, Any] = {"alt": media.alt or "", "image": blob}
            if media.width > 0 and media.height > 0:
                entry["aspectRatio"] = {"width": media.width, "height": media.height}
            entries.append(entry)
        return {"$type": "app.bsky.embed.images", "images": entries}

    # --- video (docs/bluesky.md#video, issue 12; the upload itself: bluesky_video.py)
    # -----------------------------------------
    def video_quota(self) -> VideoQuota | None:
        """The account's daily video allowance, when its videos go through the video service (the engine
        paces on it: video_quota.py); None with uploadBlob only."""
        return self.video.quota if self.video.uses_service() else None

    def _links_embed(self, post: PlannedPost, media: dict[str, Any] | None) -> dict[str, Any] | None:
        """One embed per post (lexicon app.bsky.feed.post#embed): a quote of an own post (with the post's
        images or video beside it: recordWithMedia), else the media, else the link card. The link stage
        (publish/linkstage.py) set `quote` / `card` right before sending
        (docs/bluesky.md#own-quotes-and-links-to-ones-own-tweets, issue 13)."""
        if post.quote is not None:
            record = {
                "$type": "app.bsky.embed.record",
                "record": {"uri": post.quote.uri, "cid": post.quote.cid},
            }
            if media is None:
                return record
            return {"$type": "app.bsky.embed.recordWithMedia", "record": record, "media": media}
        if media is not None or post.card is None:
            return media
        card = post.card
        external: dict[str, Any] = {"uri": card.uri, "title": card.title, "description": card.description}
        if card.thumb_path:
            try:
                data = Path(card.thumb_path).read_bytes()
                if len(data) <= IMAGE_MAX_BYTES:
                    external["thumb"] = self._upload_bytes(
                        data, card.thumb_mime or "image/jpeg", notice("what.card_picture")
                    )
            except (OSError, PermanentError):
                pass  # a card without its picture is still a card; the post goes
        return {"$type": "app.bsky.embed.external", "external": external}

    def _video_embed(self, media: PlannedMedia) -> dict[str, Any]:
        """`app.bsky.embed.video`: the blob, the alt text, the picture's aspect ratio as the mp4 itself says
        (prepared media: track header size and rotation matrix, convert/mp4.py), and `presentation: "gif"`
        for X's animated GIFs (mp4 files) so clients loop them silently, as X did."""
        data = self._read_media(media, VIDEO_MAX_BYTES)
        kind, name = ("gif" if media.kind == "gif" else "video"), Path(media.source or media.path).name
        # Never a damaged file uploaded, whoever made the plan (docs/bluesky.md#video).
        problem = mp4_problem(data)
        if problem is not None:
            raise PermanentError(notice(f"fail.video_damaged.{kind}", name=name, detail=problem))

        def upload_blob() -> dict[str, Any]:
            limit = self.video.pds_blob_limit()
            if limit is not None and len(data) > limit:
                raise PermanentError(
                    notice(
                        f"fail.video_over_pds.{kind}",
                        name=name,
                        mb=len(data) / 1e6,
                        server=self.pds,
                        limit=f"{limit / 1e6:.1f} MB",
                    )
                )
            try:
                return self._upload(data, media)
            except PermanentError as exc:
                if "HTTP 413" not in exc.reason:
                    raise
                # A PDS that does not say its blob limit announces it by refusing (docs/bluesky.md "Blobs").
                raise PermanentError(
                    notice(
                        f"fail.video_over_pds.{kind}",
                        name=name,
                        mb=len(data) / 1e6,
                        server=self.pds,
                        limit=exc.reason.split("(", 1)[-1].rstrip(")"),
                    )
                ) from None

        blob = self.video.upload(data, media, upload_blob=upload_blob)
        embed: dict[str, Any] = {"$type": "app.bsky.embed.video", "video": blob}
        if media.alt:
            embed["alt"] = media.alt
        if media.width > 0 and media.height > 0:
            embed["aspectRatio"] = {"width": media.width, "height": media.height}
        if media.kind == "gif":
            embed["presentation"] = "gif"
        return embed

    @staticmethod
    def _read_media(media: PlannedMedia, limit: int) -> bytes:
        path = Path(media.path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise PermanentError(notice("fail.media_missing", path=path)) from None
        except OSError as exc:
            raise PermanentError(notice("fail.media_unreadable", path=path, detail=exc.strerror)) from None
        if len(data) > limit:
            raise PermanentError(
                notice(
                    f"fail.media_too_big.{media.kind}",
                    name=path.name,
                    n=len(data),
                    server="Bluesky",
                    max=limit,
                )
            )
        return data

    def _upload(self, data: bytes, media: PlannedMedia) -> dict[str, Any]:
        mime = media.mime or mimetypes.guess_type(media.path)[0] or "application/octet-stream"
        return self._upload_bytes(data, mime, Path(media.path).name)

    def _upload_bytes(self, data: bytes, mime: str, name: str) -> dict[str, Any]:
        res = self._call(
            notice("act.upload", name=name),
            lambda: self.client.com.atproto.repo.upload_blob(data, headers={"Content-Type": mime}),
        )
        blob: dict[str, Any] = res.blob.model_dump(by_alias=True, exclude_none=True)
        return blob

    # --- HTTP plumbing -------------------------------------------------------------------------
    def _observe(self, nsid: str, status: int, headers: dict[str, str]) -> None:
        limit, remaining, reset_at, policy = parse_rate_headers(headers)
        if limit is None and remaining is None:
            return
        fresh = RateBudget(limit=limit, remaining=remaining, reset_at=reset_at, cost_per_post=COST_PER_POST)
        with self._lock:
            self._any_budget = fresh
            if nsid in (
                "com.atproto.repo.putRecord",
                "com.atproto.repo.createRecord",
                "com.atproto.repo.applyWrites",
            ):
                self._budget = fresh
                self.rate_policy = policy

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except (AtProtocolError, LoginRequiredError) as exc:
            if not self._is_auth_failure(exc):
                raise self._map_error(exc, what) from None
        self._recover_session()
        try:
            return fn()
        except AtProtocolError as exc:
            if self._is_auth_failure(exc):
                raise AuthError(
                    key="error.bluesky.session_refused",
                    params={"handle": self.handle, "act": what},
                    todo=[self._login_again()],
                ) from None
            raise self._map_error(exc, what) from None

    @staticmethod
    def _is_auth_failure(exc: Exception) -> bool:
        if isinstance(exc, LoginRequiredError):
            return True
        if not isinstance(exc, RequestErrorBase) or exc.response is None:
            return False
        status = exc.response.status_code
        error = getattr(exc.response.content, "error", None)
        return status == 401 or (status == 400 and error in ("ExpiredToken", "InvalidToken"))

    def _recover_session(self) -> None:
        """Refresh the session once (refresh token); if that is refused, log in again with the password.

        Public SDK calls only: the current session from `export_session_string()`, a refreshSession call
        with the refresh token, the new tokens installed with `login(session_string=…)`."""
        try:
            current = Session.decode(self.client.export_session_string())
            fresh = self.client.com.atproto.server.refresh_session(
                headers={"Authorization": f"Bearer {current.refresh_jwt}"}
            )
            renewed = Session(
                handle=fresh.handle,
                did=fresh.did,
                access_jwt=fresh.access_jwt,
                refresh_jwt=fresh.refresh_jwt,
                pds_endpoint=current.pds_endpoint,
            ).encode()
            remember_session_string(renewed)
            self.client.login(session_string=renewed, fetch_bsky_profile=False)
            if self.on_session_refresh is not None:
                self.on_session_refresh(renewed)
            return
        except (AtProtocolError, LoginRequiredError, ValueError) as exc:
            if isinstance(exc, RequestErrorBase) and exc.response is None:
                raise TransientError(
                    notice("fail.network", act=notice("act.refresh_session"), detail=type(exc).__name__)
                ) from None
        if not self._password:
            raise AuthError(
                key="error.bluesky.session_expired",
                params={"handle": self.handle},
                todo=[self._login_again()],
            )
        try:
            self.client.login(self.did, self._password, fetch_bsky_profile=False)
        except AtProtocolError as exc:
            if isinstance(exc, RequestErrorBase) and exc.response is None:
                raise TransientError(
                    notice("fail.network", act=notice("act.login_again"), detail=network_failure(exc))
                ) from None
            raise AuthError(
                key="error.bluesky.password_revoked",
                params={"handle": self.handle},
                todo=[todo("app_password"), self._login_again()],
            ) from None

    def _login_again(self) -> Todo:
        return login_todo(self.handle, self.service)

    def _map_error(self, exc: Exception, what: str) -> Exception:
        if not isinstance(exc, RequestErrorBase) or exc.response is None:
            if isinstance(exc, RequestErrorBase):  # transport failure: timeout, reset, refused
                return TransientError(notice("fail.network", act=what, detail=network_failure(exc)))
            return PermanentError(notice("fail.could_not", act=what, detail=scrub(str(exc))[:300]))
        status = exc.response.status_code
        content = exc.response.content
        error = getattr(content, "error", None) or ""
        message = getattr(content, "message", None) or ""
        # The server's own words, without any secret it echoed back (scrub.py), kept short.
        detail = scrub(f"{error}: {message}".strip(": "))[:300] or f"HTTP {status}"
        if status == 429:
            return RateLimited(
                self._reset_from(exc.response.headers),
                notice("fail.rate_limit", network="Bluesky", detail=detail),
            )
        if status >= 500:
            return TransientError(
                notice("fail.server_error", network="Bluesky", act=what, status=status, detail=detail)
            )
        if status == 413:
            return PermanentError(notice("fail.too_large", act=what, detail=detail))
        if status in (401, 403):
            return AuthError(
                key="error.bluesky.refused_to",
                params={"handle": self.handle, "act": what, "status": status, "detail": detail},
                todo=[self._login_again()],
            )
        if isinstance(exc, BadRequestError) and error == "RecordNotFound":
            return PermanentError(f"RecordNotFound: {message}")
        return PermanentError(
            notice("fail.rejected", network="Bluesky", act=what, detail=detail, status=status)
        )

    def _reset_from(self, headers: dict[str, str]) -> datetime:
        _, _, reset_at, _ = parse_rate_headers(headers)
        if reset_at is not None:
            return reset_at
        retry_after = {k.lower(): v for k, v in headers.items()}.get("retry-after")
        if retry_after and retry_after.strip().isdigit():
            return self._now() + timedelta(seconds=int(retry_after))
        return self._now() + DEFAULT_RATE_LIMIT_WAIT
