"""The migration plan: exactly what will be published on one network, before anything is sent.

Its JSON form is the `plan --json` contract (docs/cli-json.md, `plan`). The engine keys idempotency on
`PlanItem.id` + the post index, so a plan must be **deterministic**: the same archive and options give
the same plan, byte for byte — whatever the media cache holds.

Media are prepared at send time (ARCHITECTURE.md#the-engine, issue 16: no per-photo work before sending). A
planned media therefore describes its **source** as the archive gives it, and where its upload-ready file will
be:
- `path`: the absolute path at which the prepared file is written when the media is prepared (right
  before its post is sent, or by a Review preview): in the media cache, named from the archive member,
  its size and the network's limits (convert/plan.py `prepared_path`), never from the cache's contents.
  `prepared` is false until then: a script reading `plan --json` finds the original in the archive under
  `source`, and the ready file at `path` once the migration (or a dry run) has reached that post;
- `bytes`: the source file's size from the archive's directory; `width`/`height`: the tweet's own
  `original_info` / `sizes.large` / video variant size (0 when the archive does not say); `mime`: from the
  file's extension; `duration_s`: the tweet's `video_info.duration_millis`;
- the send-time stage (publish/media_stage.py) hands the targets a copy with `prepared` true and `path`,
  `bytes`, `width`, `height`, `mime`, `duration_s` of the real prepared file.
A media problem only the file can tell (an undecodable photo, a video that is not an MP4 or is over the
network's limit, a file gone from the archive) fails its item at send time, with the file named.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, PrivateAttr

Target = Literal["bluesky", "mastodon"]


def _words(value: object) -> str:
    """A note as given: a notice.Notice stays one (a plain `str` field would make it a bare str and lose
    the catalogue key the front ends say it with, in the user's language — issue 14)."""
    if not isinstance(value, str):
        raise ValueError("a note is a text")
    return value


# A note for a person (warnings, left_out): English text in the JSON, its Notice kept in memory.
Words = Annotated[str, PlainValidator(_words), PlainSerializer(str, return_type=str, when_used="json")]


class ItemKind(StrEnum):
    POST = "post"
    THREAD = "thread"
    QUOTE = "quote"
    NOTE = "note"
    REPLY = "reply"  # only with --include-replies: a reply to others, posted standalone


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlannedMedia(_Model):
    # The file to upload: in a plan, where the prepared file will be (see the module doc); once prepared
    # (`prepared` true), the real upload-ready file.
    path: str
    kind: Literal["image", "video", "gif"]
    bytes: int  # plan: the source's size; prepared: the file's
    width: int  # plan: as the tweet says (0: unknown); prepared: the file's
    height: int
    alt: str = ""
    mime: str = ""  # image/jpeg, image/png, video/mp4 … (extension field, not in the contract)
    duration_s: float | None = None  # videos/GIFs (extension field)
    # The archive's media id (extension field): the key of the user's alt texts in the state (state.alts),
    # stable across re-plans, unlike `path` (a cache file that depends on the conversion).
    media_id: str = ""
    # Extension fields (ARCHITECTURE.md#the-engine, issue 16). `source`: the archive member the file comes
    # from ("" for a hand-made media). `prepared`: whether `path` already holds the upload-ready file (false
    # in a plan: the send-time stage makes it; true for a hand-made media whose path is a real file).
    source: str = ""
    prepared: bool = True
    # Extension field (docs/mastodon.md#instance-limits-get-apiv2instance, issue 12): frames per second of a
    # prepared video or GIF (its sample tables), for the instance's `video_frame_rate_limit` on Mastodon; None
    # in a plan and for photos.
    frame_rate: float | None = None


# Bluesky's self-labels for media (lexicon com.atproto.label.defs#selfLabels; the values the Bluesky app
# offers for adult or graphic media). X's `possibly_sensitive` does not say which kind: the plan proposes
# DEFAULT_SELF_LABEL, the user confirms or changes it in Review (docs/bluesky.md#languages-and-self-labels,
# issue 12).
SELF_LABELS = ("graphic-media", "sexual", "nudity", "porn")
DEFAULT_SELF_LABEL: Final = "graphic-media"


class MentionCandidate(_Model):
    """An @handle left as plain text in a Bluesky post; resolved to a DID at publish time if possible."""

    handle: str  # the X screen name as written, without '@'
    byte_start: int
    byte_end: int


class SelfLink(_Model):
    """A link in a post to one of the user's own tweets
    (docs/bluesky.md#own-quotes-and-links-to-ones-own-tweets, issue 13). At send time, when that tweet is
    already published on this network (the journal says so), the link is rewritten to the migrated post and,
    for `quote`, a Bluesky post embeds the migrated post as a quote; else the X URL stays."""

    url: str  # the link as the post holds it (Bluesky: the facet's uri; Mastodon: the text's URL)
    tweet_id: str  # the linked tweet: its first post is where the link now points
    quote: bool = False  # the tweet's own quote (kind `quote`): a record embed on Bluesky


class CardPreview(_Model):
    """A link card fetched at send time (publish/linkcard.py): never in a plan."""

    uri: str
    title: str
    description: str
    thumb_path: str | None = None  # the thumbnail, prepared like a photo (≤ 1,000,000 bytes, no metadata)
    thumb_mime: str = ""


class StrongRef(_Model):
    """A quoted post as the record embed needs it (com.atproto.repo.strongRef)."""

    uri: str
    cid: str


class PlannedPost(_Model):
    source_id: str  # the tweet this post comes from
    text: str
    facets: list[dict[str, Any]] = Field(default_factory=list)  # app.bsky.richtext.facet objects (Bluesky)
    media: list[PlannedMedia] = Field(default_factory=list)
    warnings: list[Words] = Field(default_factory=list)
    mention_candidates: list[MentionCandidate] = Field(default_factory=list)  # Bluesky only (extension)
    # Extension fields. The post's OWN source tweet's time (a thread's posts each keep their tweet's date;
    # the posts of one split tweet share it); serialised like the item's ("…Z"). None in hand-made plans:
    # the engine then uses the item's time.
    created_at: datetime | None = None
    # The tweet's language as a BCP-47 tag ("fr", "en", "pt-br"…), "" when X did not know it ("und") or
    # used one of its private codes ("zxx", "qme"…). Bluesky: record `langs`.
    lang: str = ""
    # Extension fields (docs/mastodon.md#posting-a-status-post-apiv1statuses, issue 12). `self_label`: the
    # post's media are sensitive — one of SELF_LABELS (the Bluesky record's self-label; Mastodon: `sensitive:
    # true`), "" when not. The plan sets the default on the posts with media of a tweet X flagged
    # `possibly_sensitive`; the user's choice (state.labels) replaces it. `left_out`: a note per media the
    # user chose to send the post without (a file that cannot be used), shown in Review and in the report so
    # nobody is misled by a post missing its video.
    self_label: str = ""
    left_out: list[Words] = Field(default_factory=list)
    # Extension fields (docs/bluesky.md#link-cards-appbskyembedexternal, issue 13). `part`: which post of its
    # tweet this is (0, 1, … for a text split over several posts): Bluesky dates part n `n` ms after the
    # tweet, so the parts list in order everywhere.
    part: int = 0
    # Bluesky: the link a card (app.bsky.embed.external) will be fetched for at send time — the post's last
    # link that is not to X, on a post without media; None when no card is tried (or `link_cards` is off).
    link_card: str | None = None
    # Links to the user's own tweets (rewritten at send time when those are published; see SelfLink).
    self_links: list[SelfLink] = Field(default_factory=list)
    # Send time only, never in a plan (`exclude`): what the link stage (publish/linkstage.py) found for this
    # post right before it is sent — its link card, the post it quotes.
    card: CardPreview | None = Field(default=None, exclude=True)
    quote: StrongRef | None = Field(default=None, exclude=True)


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
    link_cards: bool = True  # Bluesky: a card for a post's link, fetched at send time (`--no-link-cards`)


class Plan(_Model):
    target: Target
    items: list[PlanItem]
    skipped: list[SkippedTweet] = Field(default_factory=list)
    # Not serialised: where the plan's media come from and the options they are prepared with (a
    # publish.media_stage.MediaSource), set by build_plan so the engine can prepare each media right before
    # its post is sent. Kept by `model_copy` (the user's changes), absent from a plan read back from JSON.
    _media_source: Any = PrivateAttr(default=None)

    def to_json_obj(self) -> dict[str, Any]:
        """The `plan --json` object: dates as `…Z`, extension fields kept (additive to the contract)."""
        data = self.model_dump(mode="json")
        for item in data["items"]:
            item["created_at"] = item["created_at"].replace("+00:00", "Z")
            for post in item["posts"]:
                if post["created_at"] is not None:
                    post["created_at"] = post["created_at"].replace("+00:00", "Z")
        return data
