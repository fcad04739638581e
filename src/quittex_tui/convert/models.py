"""The migration plan: exactly what will be published on one network, before anything is sent.

Its JSON form is the `plan --json` contract (issue: Conversion). The engine keys idempotency on
`PlanItem.id` + the post index, so a plan must be **deterministic**: the same archive and options give
the same plan, byte for byte.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Target = Literal["bluesky", "mastodon"]


class ItemKind(StrEnum):
    POST = "post"
    THREAD = "thread"
    QUOTE = "quote"
    NOTE = "note"
    REPLY = "reply"  # only with --include-replies: a reply to others, posted standalone


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlannedMedia(_Model):
    path: str  # absolute path of the file to upload (converted into the cache if needed)
    kind: Literal["image", "video", "gif"]
    bytes: int
    width: int
    height: int
    alt: str = ""
    mime: str = ""  # image/jpeg, image/png, video/mp4 … (extension field, not in the contract)
    duration_s: float | None = None  # videos/GIFs (extension field)
    # The archive's media id (extension field): the key of the user's alt texts in the state (state.alts),
    # stable across re-plans, unlike `path` (a cache file that depends on the conversion).
    media_id: str = ""


class MentionCandidate(_Model):
    """An @handle left as plain text in a Bluesky post; resolved to a DID at publish time if possible."""

    handle: str  # the X screen name as written, without '@'
    byte_start: int
    byte_end: int


class PlannedPost(_Model):
    source_id: str  # the tweet this post comes from
    text: str
    facets: list[dict[str, Any]] = Field(default_factory=list)  # app.bsky.richtext.facet objects (Bluesky)
    media: list[PlannedMedia] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    mention_candidates: list[MentionCandidate] = Field(default_factory=list)  # Bluesky only (extension)
    # Extension fields. The post's OWN source tweet's time (a thread's posts each keep their tweet's date;
    # the posts of one split tweet share it); serialised like the item's ("…Z"). None in hand-made plans:
    # the engine then uses the item's time.
    created_at: datetime | None = None
    # The tweet's language as a BCP-47 tag ("fr", "en", "pt-br"…), "" when X did not know it ("und") or
    # used one of its private codes ("zxx", "qme"…). Bluesky: record `langs`.
    lang: str = ""


class PlanItem(_Model):
    id: str  # stable: derived from the first source tweet id
    kind: ItemKind
    source_ids: list[str]
    created_at: datetime  # the original tweet's time (UTC); serialised as "2024-12-20T09:00:05Z"
    posts: list[PlannedPost]  # posts chain as replies, in order


class SkippedTweet(_Model):
    source_id: str
    reason: str  # "retweet" | "reply" | "deleted" | "edited" | "empty" | …


class PlanOptions(_Model):
    target: Target
    max_chars: int = 500  # Mastodon only; read from the instance when connected
    include_replies: bool = False
    date_footer: bool = False
    number_parts: bool = False  # "1/3" markers on split posts, opt-in
    locale: str = "en"  # footer language: "en" or "fr"
    image_max_bytes: int = 1_000_000  # Bluesky: 1,000,000; Mastodon: the instance's image limit


class Plan(_Model):
    target: Target
    items: list[PlanItem]
    skipped: list[SkippedTweet] = Field(default_factory=list)

    def to_json_obj(self) -> dict[str, Any]:
        """The `plan --json` object: dates as `…Z`, extension fields kept (additive to the contract)."""
        data = self.model_dump(mode="json")
        for item in data["items"]:
            item["created_at"] = item["created_at"].replace("+00:00", "Z")
            for post in item["posts"]:
                if post["created_at"] is not None:
                    post["created_at"] = post["created_at"].replace("+00:00", "Z")
        return data
