"""Carry the X profile: display name, bio (links expanded), website, avatar and banner.

Limits (docs/bluesky.md#social-graph-and-profile,
docs/mastodon.md#profile-patch-apiv1accountsupdate_credentials):
- Bluesky `app.bsky.actor.profile` (rkey `self`): `displayName` ≤ 64 graphemes, `description` ≤ 256
  graphemes, `avatar`/`banner` blobs ≤ 1,000,000 bytes, png/jpeg. The record is read first and only our
  fields replaced, so what the user set elsewhere (pinned post, labels…) is kept.
- Mastodon `PATCH /api/v1/accounts/update_credentials`: `display_name` ≤ 30 characters, `note` ≤ 500;
  the X website goes into a profile field ("Website"), keeping the user's other fields.

The archive's `profile.js` bio and website hold t.co links; they are expanded from what the archive itself
knows (the `urls` entities of the user's own tweets pair each t.co link with its target). Real archives'
`profile.js` website is *always* a t.co link that no tweet mentions, so just before the profile is written
(the user is going online anyway) the links still short are resolved by asking t.co where they point — one
request each, no redirect followed, the Location header read (`resolve_short_links`). That can be turned
off (`profile --no-resolve-links`): unresolved links are then kept as they are, with a note.
Images come from `data/profile_media/` through convert/media.py
(`prepare_profile_image`: avatar centre-cropped square, EXIF stripped, under the byte limit).
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import grapheme

from quittex_tui import paths
from quittex_tui.audience.net import atproto_call, mastodon_call
from quittex_tui.errors import ArchiveError, InputError, todo
from quittex_tui.notice import notice
from quittex_tui.publish.target import PermanentError
from quittex_tui.textsafe import for_posting

BSKY_NAME_MAX = 64
BSKY_BIO_MAX = 256
MASTODON_NAME_MAX = 30
MASTODON_NOTE_MAX = 500
IMAGE_MAX_BYTES = 1_000_000
AVATAR_SIDE = 1000
BANNER_SIDE = 3000  # Bluesky shows banners 3:1 up to 3000×1000; Mastodon downsizes headers to 1500×500
PROFILE = "app.bsky.actor.profile"
_TCO = re.compile(r"https?://t\.co/[A-Za-z0-9]+")


@dataclass
class ProfileDraft:
    display_name: str
    bio: str
    website: str = ""
    avatar_member: str | None = None
    banner_member: str | None = None
    notes: list[str] = field(default_factory=list)  # what was shortened or left out, in words

    def to_json(self) -> dict[str, Any]:
        return {
            "display_name": self.display_name,
            "bio": self.bio,
            "website": self.website,
            "avatar": self.avatar_member,
            "banner": self.banner_member,
            "notes": list(self.notes),
        }


def link_map(archive: Any) -> dict[str, str]:
    """t.co → expanded URL, from the user's own tweets (and note tweets)."""
    out: dict[str, str] = {}
    for tweet in getattr(archive, "tweets", []) or []:
        for entity in [*tweet.urls, *tweet.note_urls]:
            if entity.url and entity.expanded_url:
                out[entity.url] = entity.expanded_url
    return out


def expand_links(text: str, links: dict[str, str]) -> str:
    return _TCO.sub(lambda m: links.get(m.group(0), m.group(0)), text or "")


def draft_from_archive(archive: Any) -> ProfileDraft:
    account = archive.account
    links = link_map(archive)
    # Archive text is published here: terminal controls and bidi overrides go (textsafe.for_posting).
    return ProfileDraft(
        display_name=for_posting(account.display_name or account.username).strip(),
        bio=for_posting(expand_links(account.bio, links)).strip(),
        website=for_posting(expand_links(account.website, links)).strip(),
        avatar_member=account.avatar_member,
        banner_member=account.header_member,
    )


def follow_short_link(url: str, *, timeout: float = 5.0) -> str | None:
    """Where a shortener link points: the `Location` of its redirect, without fetching the target.
    None when the shortener does not answer with a redirect (offline, link deleted, rate-limited), or
    when QUITTEX_OFFLINE is set (the test suite sets it: tests talk to loopback servers only)."""
    import os

    import httpx

    if os.environ.get("QUITTEX_OFFLINE"):
        return None

    from quittex_tui.publish.deadline import DeadlinePassed, within

    try:  # a total deadline, not only per-read timeouts: a stalled shortener cannot hang the command
        res = within(2 * timeout, lambda: httpx.head(url, follow_redirects=False, timeout=timeout))
    except (httpx.HTTPError, DeadlinePassed):
        return None
    location: str = res.headers.get("location", "")
    if res.is_redirect and location.startswith(("https://", "http://")):
        return location
    return None


def resolve_short_links(
    draft: ProfileDraft, resolve: Callable[[str], str | None] = follow_short_link
) -> ProfileDraft:
    """`draft` with the t.co links the archive could not expand resolved by `resolve`; each one that stays
    short is named in `notes` (the profile still goes out, with the t.co link, which X keeps serving)."""
    cache: dict[str, str | None] = {}

    def swap(match: re.Match[str]) -> str:
        url = match.group(0)
        if url not in cache:
            cache[url] = resolve(url)
        return cache[url] or url

    bio = _TCO.sub(swap, draft.bio)
    website = _TCO.sub(swap, draft.website)
    unresolved = [notice("warn.short_link_kept", url=url) for url, to in cache.items() if not to]
    notes = [*draft.notes, *unresolved]
    return ProfileDraft(
        display_name=draft.display_name,
        bio=bio,
        website=website,
        avatar_member=draft.avatar_member,
        banner_member=draft.banner_member,
        notes=notes,
    )


def fit_graphemes(text: str, limit: int) -> str:
    """`text` cut to `limit` grapheme clusters, at a word boundary when one is near, with "…"."""
    if grapheme.length(text) <= limit:
        return text
    cut: str = grapheme.slice(text, 0, limit - 1)
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip() + "…"


def fit_chars(text: str, limit: int) -> str:
    """Same in code points (Mastodon validates display names with Ruby's String#length), never splitting a
    grapheme cluster (an emoji with its modifiers) at the edge."""
    if len(text) <= limit:
        return text
    kept: list[str] = []
    size = 0
    for cluster in grapheme.graphemes(text):
        if size + len(cluster) > limit - 1:
            break
        kept.append(cluster)
        size += len(cluster)
    cut = "".join(kept)
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip() + "…"


def bluesky_fields(draft: ProfileDraft) -> tuple[str, str]:
    """(displayName, description) within Bluesky's limits; the website is appended when it fits."""
    name = fit_graphemes(for_posting(draft.display_name), BSKY_NAME_MAX)
    bio = for_posting(draft.bio)
    website = for_posting(draft.website)
    if website and website not in bio:
        joined = f"{bio}\n{website}" if bio else website
        if grapheme.length(joined) <= BSKY_BIO_MAX:
            bio = joined
    return name, fit_graphemes(bio, BSKY_BIO_MAX)


def mastodon_fields(draft: ProfileDraft) -> tuple[str, str]:
    """(display_name, note) within Mastodon's limits (code points: an upper bound of what it counts)."""
    return (
        fit_chars(for_posting(draft.display_name), MASTODON_NAME_MAX),
        fit_chars(for_posting(draft.bio), MASTODON_NOTE_MAX),
    )


def prepared_image(archive: Any, member: str | None, *, square: bool) -> tuple[Path, int, int] | None:
    """The avatar (square) or banner from the archive, converted under the limits; None when absent."""
    if not member:
        return None
    from quittex_tui.convert.media import prepare_profile_image

    try:
        data = archive.read_member(member)
    except (ArchiveError, KeyError, OSError):
        return None  # the archive names it but lacks the file (seen in real archives): skip the picture
    return prepare_profile_image(
        data,
        max_bytes=IMAGE_MAX_BYTES,
        max_side=AVATAR_SIDE if square else BANNER_SIDE,
        cache_dir=paths.cache_dir() / "profile",
        square=square,
    )


def _pictures(
    draft: ProfileDraft, archive: Any, images: bool, names: tuple[str, str]
) -> Iterator[tuple[str, Path, int, int]]:
    """(field name, converted file, width, height) for the avatar then the banner, where the archive has
    them; `names` are the network's field names (Bluesky "banner", Mastodon "header")."""
    if not images:
        return
    pictures = ((names[0], draft.avatar_member, True), (names[1], draft.banner_member, False))
    for name, member, square in pictures:
        prepared = prepared_image(archive, member, square=square)
        if prepared is not None:
            yield (name, *prepared)


def _mime(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "image/jpeg"


def apply_bluesky(target: Any, draft: ProfileDraft, archive: Any, *, images: bool = True) -> dict[str, Any]:
    """Put the profile record (get, merge our fields, put). Returns what was written (no blob bytes)."""
    from atproto import models

    client, did = target.client, target.did
    params = models.ComAtprotoRepoGetRecord.Params(repo=did, collection=PROFILE, rkey="self")
    try:
        current = atproto_call(
            lambda: client.com.atproto.repo.get_record(params), what=notice("doing.read_profile")
        )
        record: dict[str, Any] = (
            current.value.model_dump(by_alias=True, exclude_none=True)
            if hasattr(current.value, "model_dump")
            else dict(current.value)
        )
        swap = current.cid
    except PermanentError as exc:
        if "RecordNotFound" not in str(exc) and "Could not locate" not in str(exc):
            raise
        record, swap = {}, None
    name, bio = bluesky_fields(draft)
    record.update({"$type": PROFILE, "displayName": name, "description": bio})
    written: dict[str, Any] = {"displayName": name, "description": bio}
    for field_name, path, width, height in _pictures(draft, archive, images, ("avatar", "banner")):
        data = path.read_bytes()
        if len(data) > IMAGE_MAX_BYTES:
            raise InputError(
                key="error.profile.picture_too_big",
                params={"picture": notice(f"picture.{field_name}"), "bytes": len(data)},
                todo=[todo("picture_by_hand")],
            )
        blob = atproto_call(partial(client.upload_blob, data), what=notice(f"doing.upload_{field_name}")).blob
        record[field_name] = blob.model_dump(by_alias=True, exclude_none=True)
        written[field_name] = {"bytes": len(data), "width": width, "height": height, "mime": _mime(path)}
    data_model = models.ComAtprotoRepoPutRecord.Data(
        repo=did, collection=PROFILE, rkey="self", record=record, swap_record=swap
    )
    atproto_call(lambda: client.com.atproto.repo.put_record(data_model), what=notice("doing.write_profile"))
    return written


def apply_mastodon(api: Any, draft: ProfileDraft, archive: Any, *, images: bool = True) -> dict[str, Any]:
    """update_credentials with the name, note, website field and pictures. Returns what was sent."""
    name, note = mastodon_fields(draft)
    kwargs: dict[str, Any] = {"display_name": name, "note": note}
    written: dict[str, Any] = {"display_name": name, "note": note}
    website = for_posting(draft.website)
    if website:
        me = mastodon_call(api.account_verify_credentials, what=notice("doing.read_profile"), api=api)
        source = (me.get("source") or {}) if hasattr(me, "get") else {}
        fields = [(str(f["name"]), str(f["value"])) for f in (source.get("fields") or [])]
        if not any(value == website for _, value in fields) and len(fields) < 4:
            fields.append(("Website", website))
            kwargs["fields"] = fields
            written["fields"] = fields
    for arg, path, width, height in _pictures(draft, archive, images, ("avatar", "header")):
        kwargs[arg] = str(path)
        kwargs[f"{arg}_mime_type"] = _mime(path)
        written[arg] = {"bytes": path.stat().st_size, "width": width, "height": height, "mime": _mime(path)}
    mastodon_call(
        lambda: api.account_update_credentials(**kwargs), what=notice("doing.write_profile"), api=api
    )
    return written
