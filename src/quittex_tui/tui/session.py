"""The TUI's model of one migration: archive + state + plans + targets + engines. No Textual here.

Screens hold a `Session` and call its *blocking* methods only from thread workers (loading, plan
building, connecting, running the engine, exporting); its cheap in-memory methods (selection, filter,
estimates) run on the UI thread. Every user choice is written to the TOML state at once through
`save()` (atomic, state.save_state); the engine's journal (publish/journal.py) is what makes a kill at
any instant resumable — the TUI never keeps anything that matters only in memory.
"""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from quittex_tui.archive.models import Tweet
from quittex_tui.clock import utcnow
from quittex_tui.convert.models import ItemKind, Plan, PlanOptions
from quittex_tui.errors import QuittexError
from quittex_tui.networks import DRY_RUN, NETWORKS, display_name
from quittex_tui.notice import notice
from quittex_tui.publish.target import PublishTarget, RateBudget, TargetInfo
from quittex_tui.state import MigrationState, SelfLabel, Step, save_state
from quittex_tui.tui.i18n import language
from quittex_tui.tui.plan_store import PlanStore
from quittex_tui.tui.rows import Row, TweetRow, item_rows, tweet_rows

if TYPE_CHECKING:
    from quittex_tui.tui.audience_model import AudienceModel

Progress = Callable[[str, float], None]
STEPS = (Step.ARCHIVE, Step.ACCOUNTS, Step.SELECT, Step.REVIEW, Step.MIGRATE, Step.REPORT, Step.AUDIENCE)
# Below this many tweets the plans are built before the main screen shows (a fraction of a second); above,
# the screen shows first and the plans arrive from a worker (usable in seconds at 100k tweets).
PLAN_BEFORE_SCREEN = 5_000
STEPS_WITH_ITEMS = (Step.SELECT, Step.REVIEW, Step.MIGRATE, Step.REPORT)  # their screen lists plan items


def network_of(target: str) -> str:
    """The plan a target publishes: the dry-run target simulates Bluesky (the strictest text limits)."""
    return "mastodon" if target == "mastodon" else "bluesky"


def _unsure_prefix() -> str:
    """The start of the English record of an UNSURE failure (fail.unsure), as a journal keeps it."""
    from quittex_tui import i18n
    from quittex_tui.notice import RECORD_DOMAIN

    text = i18n.translate(RECORD_DOMAIN, "fail.unsure", lang="en", n="\x00", item="", reason="", todo="")
    return text.split("\x00")[0]


def is_unsure(reason: object) -> bool:
    """A failure reason that says "could not tell whether it is already there": a Notice knows its key
    (this session's, or an earlier run's read back from the journal's `reason_key`); only a journal
    written before the journal kept keys has nothing but the English text (its start is matched)."""
    key = getattr(reason, "catalogue_key", None)
    if key is not None:
        return key == "fail.unsure"
    prefix = _unsure_prefix()
    return bool(prefix) and str(reason).startswith(prefix)


@dataclass
class TargetSlot:
    """One destination as the Accounts and Queue panes show it."""

    name: str  # "bluesky" | "mastodon" | "dry-run"
    target: PublishTarget | None = None
    info: TargetInfo | None = None
    budget: RateBudget | None = None
    error: str = ""
    busy: bool = False  # connecting
    # migration
    statuses: dict[str, str] = field(default_factory=dict)  # item id -> ItemStatus value
    progress: Any = None  # engine.Progress of the last event
    report: Any = None  # engine.RunReport of the last run
    last_error: str = ""
    running: bool = False
    stop: threading.Event = field(default_factory=threading.Event)
    links: dict[str, list[str]] = field(default_factory=dict)  # item id -> urls (Report)
    failures: dict[str, str] = field(default_factory=dict)  # item id -> reason (Report)
    # item id -> the reason of a failure in THIS session, as the engine said it (a Notice: shown in the
    # user's language); the journal keeps its English text, which is all an earlier run left
    failure_words: dict[str, str] = field(default_factory=dict)
    # item id -> notes of its sent posts that went without their link card (Report; publish/linkstage.py)
    card_notes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # one writer per migration (tui/watch.py): the process sending this destination's posts elsewhere
    elsewhere: Any = None  # publish.lock.LockHolder, or None when nobody else writes
    # what the engine is checking on the server (reconciliation: EventKind.CHECKING), "" when nothing
    checking: str = ""

    def unsure(self) -> list[str]:
        """Failed items whose posts the engine could not tell sent or not (reconciliation said UNSURE):
        the user may send them again (the CLI's `migrate --retry-failed --resend-unsure`)."""
        return [item_id for item_id, reason in self.failures.items() if is_unsure(reason)]

    watch: Any = None  # tui.watch.Watch while the app follows that run read-only

    @property
    def connected(self) -> bool:
        return self.target is not None


class ItemOfTweet:
    """Tweet id → the id of the plan item it is in, worked out on demand instead of a 300k-entry dict:
    an item is named after its first tweet, so a tweet's item is itself or its thread's root (or, when a
    thread's first tweets were left out as empty, the first of its thread that is an item)."""

    def __init__(self, archive: Any, rows: list[Row], row_index: dict[str, int]) -> None:
        self._archive, self._rows, self._index = archive, rows, row_index
        self._threads: dict[str, list[str]] | None = None

    def get(self, tweet_id: str, default: str | None = None) -> str | None:
        if tweet_id in self._index:
            return tweet_id
        tweet = self._archive.by_id.get(tweet_id)
        if tweet is None or tweet.thread_root is None:
            return default
        if tweet.thread_root in self._index:
            return tweet.thread_root
        if self._threads is None:  # rare: a thread whose first tweets were left out
            self._threads = {ids[0]: ids for ids in self._archive.threads}
        for member in self._threads.get(tweet.thread_root, ()):
            if member in self._index and tweet_id in self._rows[self._index[member]].sources:
                return member
        return default

    def __contains__(self, tweet_id: object) -> bool:
        return isinstance(tweet_id, str) and self.get(tweet_id) is not None


class Session:
    def __init__(
        self,
        archive: Any,
        state_path: Path,
        state: MigrationState,
        *,
        demo: bool = False,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.archive = archive
        self.state_path = state_path
        self.state = state
        self.demo = demo
        self.now = now or (utcnow)
        # network -> its plan: a compact summary, items made on demand (tui/plan_store.py). `items[net]`
        # is the same store: `items[net].get(item_id)` gives the PlanItem. The whole plan only for a run.
        self.plans: dict[str, PlanStore] = {}
        self.items: dict[str, PlanStore] = {}
        self.item_of_tweet: Any = {}  # tweet id -> item id (ItemOfTweet: a mapping made on demand)
        self.skip_reason: dict[str, str] = {}  # tweet id -> why the plan leaves it out
        self.tweet_rows: list[TweetRow] = tweet_rows(archive.tweets)
        self.rows: list[Row] = []
        self.row_index: dict[str, int] = {}
        self.excluded: set[str] = set(state.excluded)
        self.included: set[str] = set(state.included)
        self.slots: dict[str, TargetSlot] = {n: TargetSlot(n) for n in NETWORKS}
        self._save_lock = threading.Lock()
        self._pending: MigrationState | None = None
        self.dry_run_latency = 0.05
        self.load_seconds = 0.0  # archive read + plans (set by the loading worker; bench/bench_tui.py)
        self.loaded_at = 0.0
        self.plans_ready_at: float | None = None  # perf_counter when every plan was first in place
        self._audience: AudienceModel | None = None
        if demo:
            self.enable_demo()

    @property
    def audience(self) -> AudienceModel:
        """The Audience step's model (people, candidates, follows), made on first use."""
        if self._audience is None:
            from quittex_tui.tui.audience_model import AudienceModel

            self._audience = AudienceModel(self)
        return self._audience

    def enable_demo(self) -> None:
        """Demo mode: a dry-run destination (no account, no network) chosen by default."""
        self.demo = True
        self.slots.setdefault(DRY_RUN, TargetSlot(DRY_RUN))
        if not self.state.targets:
            self.state.targets = [DRY_RUN]
        self.connect_dry_run()

    # --- persistence -------------------------------------------------------------------------------
    def mark_changed(self) -> MigrationState:
        """Copy the in-memory choices into the state model; returns a snapshot safe to save off-thread."""
        self.state.excluded = sorted(self.excluded)
        self.state.included = sorted(self.included)
        snap = self.state.model_copy(deep=True)
        with self._save_lock:
            self._pending = snap
        return snap

    def flush(self) -> None:
        """Write the latest pending snapshot (called from a worker, or at quit). Serialised by a lock and
        always writing the newest snapshot, so saves from racing workers never go back in time."""
        with self._save_lock:
            snap, self._pending = self._pending, None
            if snap is not None:
                save_state(snap, self.state_path)

    def save_now(self) -> None:
        self.mark_changed()
        self.flush()

    # --- plans (worker) ------------------------------------------------------------------------------
    def options_for(self, network: str) -> PlanOptions:
        chosen = dict(self.state.options.get(network, {}))
        chosen.pop("target", None)
        # Replies are always planned so the user can opt single ones in (state.included); whether
        # they are sent by default is decided by state.apply_user_changes from the saved option.
        chosen["include_replies"] = True
        # Mastodon cannot backdate: its optional date footer is written in the UI's language.
        chosen.setdefault("locale", language())
        slot = self.slots.get(network)
        if slot and slot.info is not None and network == "mastodon":
            chosen.setdefault("max_chars", slot.info.max_chars)
        if slot and slot.info is not None:
            chosen.setdefault("image_max_bytes", slot.info.image_max_bytes)
        return PlanOptions(target=network, **chosen)

    def build_plans(
        self,
        progress: Progress | None = None,
        *,
        cached_only: bool = False,
        on_plan: Callable[[str], None] | None = None,
    ) -> bool:
        """Each network's plan: its summary from the cache, else planned now (seconds at 100k tweets:
        call from a worker). `cached_only`: take only what the cache has. `on_plan(net)` after each one
        is in place. True when every network has its plan for the current options."""
        stores = dict(self.plans)
        for i, net in enumerate(NETWORKS):
            if progress:
                progress(net, i / len(NETWORKS))
            options = self.options_for(net)
            current = stores.get(net)
            if current is not None and current.options == options:
                continue
            # the Review list shows the first network's texts: the other's are not kept
            store = PlanStore.open(self.archive, options, cached_only=cached_only, texts=net == NETWORKS[0])
            if store is None:
                continue  # not in the cache: the worker makes it
            stores[net] = store
            if on_plan is not None:  # each network's plan in place as soon as it is there
                self.set_plans(stores)
                on_plan(net)
        if stores != self.plans:
            self.set_plans(stores)
        return self.plans_complete()

    def plans_complete(self) -> bool:
        return all(net in self.plans and self.plans[net].options == self.options_for(net) for net in NETWORKS)

    def set_plans(self, plans: dict[str, PlanStore]) -> None:
        skip: dict[str, str] = {}
        for store in plans.values():
            for sid, reason in store.skipped():
                skip.setdefault(sid, reason)
        rows = item_rows(plans, self.archive.by_id)
        for row in rows:
            row.default_skipped = row.kind == "reply"
        row_index = {r.id: i for i, r in enumerate(rows)}
        # swap in one go: the UI thread reads these attributes
        self.item_of_tweet = ItemOfTweet(self.archive, rows, row_index)
        self.skip_reason = skip
        self.rows, self.row_index = rows, row_index
        self.items = dict(plans)
        self.plans = dict(plans)
        if self.plans_ready_at is None and self.plans_complete():
            self.plans_ready_at = time.perf_counter()  # (bench/bench_tui.py)

    # --- link cards (docs/bluesky.md#link-cards-appbskyembedexternal) ---------------------------------------
    @property
    def link_cards(self) -> bool:
        """Bluesky link cards on (the default) or off: a plan option, saved in the state."""
        return bool(self.state.options.get("bluesky", {}).get("link_cards", True))

    def set_link_cards(self, value: bool) -> None:
        """Turn link cards on or off; the Bluesky plan must be rebuilt (its posts name the card links)."""
        self.state.options.setdefault("bluesky", {})["link_cards"] = value

    # --- selection (UI thread) ---------------------------------------------------------------------
    @property
    def include_replies(self) -> bool:
        return bool(self.state.options.get("bluesky", {}).get("include_replies", False))

    def is_included(self, row: Row) -> bool:
        if row.id in self.excluded:
            return False
        if row.default_skipped:
            return row.id in self.included or self.include_replies
        return True

    def set_included(self, rows: list[Row], value: bool) -> None:
        for row in rows:
            if value:
                self.excluded.discard(row.id)
                if row.default_skipped and not self.include_replies:
                    self.included.add(row.id)
            else:
                self.excluded.add(row.id)
                self.included.discard(row.id)

    def selected_rows(self) -> list[Row]:
        return [r for r in self.rows if self.is_included(r)]

    def selected_excluded_set(self) -> set[str]:
        """Ids NOT selected (what the Review filter 'skipped only' compares against)."""
        return {r.id for r in self.rows if not self.is_included(r)}

    def post_counts(self) -> dict[str, int]:
        # is_included, inlined: this runs over every row (100k) on each selection change
        excluded, included, replies = self.excluded, self.included, self.include_replies
        per_counts: dict[int, int] = {}  # rows share their `posts` dicts: count each distinct one once
        shared: dict[int, dict[str, int]] = {}
        for row in self.rows:
            if row.id in excluded or (row.default_skipped and not replies and row.id not in included):
                continue
            key = id(row.posts)
            per_counts[key] = per_counts.get(key, 0) + 1
            shared[key] = row.posts
        counts = dict.fromkeys(NETWORKS, 0)
        for key, n in per_counts.items():
            for net, posts in shared[key].items():
                if net in counts:
                    counts[net] += posts * n
        return counts

    def estimates(self) -> dict[str, tuple[int, timedelta]]:
        from quittex_tui.publish.engine import estimate_duration

        return {net: (n, estimate_duration(n, net)) for net, n in self.post_counts().items()}

    def active_targets(self) -> list[str]:
        return [t for t in self.state.targets if t in self.slots]

    def set_step(self, step: Step) -> None:
        self.state.step = step

    # --- edits ---------------------------------------------------------------------------------------
    def post_text(self, network: str, item_id: str, index: int) -> str:
        edited = self.state.edits.get(network, {}).get(item_id, {}).get(str(index))
        if edited is not None:
            return edited
        store = self.items.get(network)
        item = store.get(item_id) if store is not None else None
        return item.posts[index].text if item and index < len(item.posts) else ""

    def set_post_text(self, network: str, item_id: str, index: int, text: str) -> None:
        store = self.items.get(network)
        original = store.get(item_id) if store is not None else None
        per_item = self.state.edits.setdefault(network, {}).setdefault(item_id, {})
        if original is not None and index < len(original.posts) and original.posts[index].text == text:
            per_item.pop(str(index), None)
            if not per_item:
                self.state.edits[network].pop(item_id, None)
        else:
            per_item[str(index)] = text

    @staticmethod
    def media_key(media: Any) -> str:
        return getattr(media, "media_id", None) or media.path

    def alt_text(self, media: Any) -> str:
        return self.state.alts.get(self.media_key(media), media.alt)

    def check_media(self, item_id: str) -> list[tuple[str, Any, str]]:
        """Prepare one item's media now, for each network, as a run does right before sending it
        (publish/media_stage.py): [(network, prepared PlannedMedia or None, problem)]. The plan itself
        reads no media file: this is the Review step's look at one item, on demand. Blocking
        (Pillow): call it from a worker."""
        from quittex_tui.publish.media_stage import MediaStage
        from quittex_tui.publish.target import PermanentError

        out: list[tuple[str, Any, str]] = []
        for net, store in self.plans.items():
            item = store.get(item_id)
            if item is None or not any(post.media for post in item.posts):
                continue
            stage = MediaStage(store.planner.media_source())
            try:
                out += [(net, media, "") for post in item.posts for media in stage.prepare_post(post).media]
            except PermanentError as exc:
                out.append((net, None, exc.reason))
            finally:
                stage.close()
        return out

    # --- sensitive media, unusable files, the daily video limit (docs/bluesky.md#video) ---------------------
    def label_of(self, item_id: str) -> str:
        """The self-label the item's media carry (Bluesky; Mastodon: "sensitive"): the user's choice for
        it, else the "for all" label when X flagged it, else none ("")."""
        chosen = self.state.labels.get(item_id)
        if chosen is not None:
            return chosen
        index = self.row_index.get(item_id)
        flagged = index is not None and self.rows[index].flagged
        return self.state.sensitive_label if flagged else ""

    def cycle_label(self, item_id: str) -> str:
        """Next label for this item: none → graphic-media → sexual → nudity → porn → none."""
        values: list[SelfLabel] = list(get_args(SelfLabel))  # "", then convert.models.SELF_LABELS
        current = self.label_of(item_id)
        new = values[(values.index(current) + 1) % len(values)] if current in values else ""
        index = self.row_index.get(item_id)
        default = self.state.sensitive_label if index is not None and self.rows[index].flagged else ""
        if new == default:
            self.state.labels.pop(item_id, None)  # back to what applies to it anyway
        else:
            self.state.labels[item_id] = new
        return new

    def cycle_all_labels(self) -> tuple[str, int]:
        """Next "for all" label of the items X flagged (their own choices are dropped: one label for all).
        Returns (the label, how many flagged items it applies to)."""
        labels: list[SelfLabel] = list(get_args(SelfLabel))  # "", then convert.models.SELF_LABELS
        values = [*labels[1:], labels[0]]
        current = self.state.sensitive_label
        new = values[(values.index(current) + 1) % len(values)] if current in values else values[0]
        self.state.sensitive_label = new
        flagged = [row.id for row in self.rows if row.flagged]
        for item_id in flagged:
            self.state.labels.pop(item_id, None)
        return new, len(flagged)

    def unusable_media(self, item_id: str) -> dict[str, str]:
        """The item's media whose file cannot be sent to a chosen destination, as sending would find them
        (media id -> reason naming the file). Blocking (reads and converts files): call from a worker."""
        from quittex_tui.publish.media_stage import MediaStage
        from quittex_tui.publish.target import PermanentError

        networks = {network_of(t) for t in self.active_targets()} or set(NETWORKS)
        found: dict[str, str] = {}
        for net in sorted(networks):
            store = self.plans.get(net)
            item = store.get(item_id) if store is not None else None
            if store is None or item is None:
                continue
            stage = MediaStage(store.planner.media_source())
            try:
                for post in item.posts:
                    for media in post.media:
                        if media.media_id in found:
                            continue
                        try:
                            stage.prepare_post(post.model_copy(update={"media": [media]}))
                        except PermanentError as exc:
                            found[media.media_id] = exc.reason
            finally:
                stage.close()
        return found

    def left_out(self, item_id: str) -> dict[str, str]:
        """The item's media the user chose to send it without (media id -> reason)."""
        item = self._any_item(item_id)
        if item is None:
            return {}
        ids = {m.media_id for p in item.posts for m in p.media}
        return {k: v for k, v in self.state.without_media.items() if k in ids}

    def set_left_out(self, item_id: str, problems: dict[str, str]) -> None:
        """Send the item without these media (problems: media id -> reason); {} = with all its media again."""
        for media_id in self.left_out(item_id):
            self.state.without_media.pop(media_id, None)
        self.state.without_media.update(problems)

    def _any_item(self, item_id: str) -> Any:
        for net in NETWORKS:
            store = self.items.get(net)
            item = store.get(item_id) if store is not None else None
            if item is not None:
                return item
        return None

    def video_estimate(self) -> tuple[int, int, int] | None:
        """(videos, days, videos a day) the selection's videos take at Bluesky's daily video limit, or None
        when nothing selected has a video or the Bluesky account connected has no such limit (its PDS is
        not Bluesky's: uploadBlob). The daily number is the server's when known (getUploadLimits), else
        Bluesky's documented order of magnitude (publish/video_quota.py)."""
        from quittex_tui.publish.video_quota import daily_video_estimate

        videos = sum(row.videos for row in self.rows if row.videos and self.is_included(row))
        found = daily_video_estimate(self.slots["bluesky"].target, videos, "bluesky")
        return (videos, *found) if found is not None else None

    def tweet(self, tweet_id: str) -> Tweet | None:
        return self.archive.by_id.get(tweet_id)

    # --- accounts (worker) --------------------------------------------------------------------------
    def connect_dry_run(self) -> None:
        from quittex_tui.publish.dryrun import DryRunTarget

        slot = self.slots[DRY_RUN]
        # The simulated server keeps what it "published" beside the state, so a kill between its commit
        # and the journal's `done` is reconciled on resume exactly as with a real server.
        store = self.state_path.with_name(f"{self.state_path.stem}.dry-run.server.jsonl")
        target = DryRunTarget(latency=self.dry_run_latency, store=store)
        slot.info, slot.budget, slot.target, slot.error = target.info(), target.budget(), target, ""

    def connect(
        self, name: str, *, password: str | None = None, handle: str | None = None, service: str | None = None
    ) -> None:
        """Build the real target from the saved account (secret from the keyring/env/file store).

        Bluesky `handle`/`service`: connect that account (its secret already stored) instead of the saved
        one. Either way the one-account rule runs first (state.account_conflict, as in the CLI): an account
        this migration's journal was not written for raises AccountConflictError and nothing is changed."""
        from quittex_tui.publish import connect as conn
        from quittex_tui.state import AccountConflictError, BlueskyAccount

        slot = self.slots[name]
        switching = handle is not None  # another account than the saved one
        try:
            if name == "bluesky":
                acc = self.state.bluesky
                if handle is None and acc is None:
                    raise QuittexError(key="session.no_account", params={"network": "Bluesky"})
                handle = handle or (acc.handle if acc else "")
                if service is None:
                    service = acc.service if acc and acc.handle == handle else None
                bluesky = conn.connect_bluesky(handle, service=service or None, password=password)
                self.check_account("bluesky", handle=bluesky.handle, did=bluesky.did)
                chosen = BlueskyAccount(handle=handle, service=service or None, did=bluesky.did)
                target: PublishTarget = bluesky
                if acc != chosen:
                    self.state.bluesky = chosen
            elif name == "mastodon":
                macc = self.state.mastodon
                if macc is None:
                    raise QuittexError(key="session.no_account", params={"network": "Mastodon"})
                mastodon = conn.connect_mastodon(macc.instance)
                self.check_account(
                    "mastodon",
                    instance=mastodon.info().server,
                    acct=getattr(mastodon, "acct", None) or macc.acct,
                )
                target = mastodon
            else:
                self.connect_dry_run()
                return
            info = target.info()
            video_quota = getattr(target, "video_quota", None)  # Bluesky only (not in PublishTarget)
            quota = video_quota() if callable(video_quota) else None
            # the account's daily video allowance (docs/bluesky.md#video), for the estimates
            if quota is not None:
                quota.refresh()
            slot.info, slot.budget, slot.target, slot.error = info, target.budget(), target, ""
        except AccountConflictError:
            if not switching:  # the saved account itself is refused: it stays disconnected
                slot.target = None
            raise  # another account tried: the one connected stays connected
        except QuittexError as exc:
            slot.target, slot.error = None, exc.message
            raise

    def check_account(self, network: str, **account: str | None) -> None:
        """The CLI's same-account rule (state.check_same_account), before the state takes the account."""
        from quittex_tui.state import check_same_account

        check_same_account(self.state, self.state_path, network, **account)

    def login_bluesky(self, handle: str, password: str, service: str | None) -> None:
        from quittex_tui.publish import connect as conn

        handle = conn.normalize_handle(handle)  # "@alice.bsky.social", a profile URL…: the handle itself
        did = conn.login_bluesky(handle, password, service or None)
        self.check_account("bluesky", handle=handle, did=did)
        self.connect("bluesky", handle=handle, service=service or "")

    def mastodon_authorize_url(self, instance: str) -> str:
        from quittex_tui.publish import connect as conn

        return conn.login_mastodon_start(instance)

    def login_mastodon(self, instance: str, code: str) -> None:
        from quittex_tui.publish import connect as conn
        from quittex_tui.publish.addresses import mastodon_instance
        from quittex_tui.state import MastodonAccount

        instance = mastodon_instance(instance)
        acct = conn.login_mastodon_finish(instance, code)
        self.check_account("mastodon", instance=instance, acct=acct)
        self.state.mastodon = MastodonAccount(instance=instance, acct=acct)
        self.connect("mastodon")

    def separate_migration(self, network: str, account: dict[str, str]) -> Path:
        """A migration of this archive of its own for another account (one account per network and
        migration, state.account_conflict): a new state file beside this one with the same choices, only
        `network` chosen, with `account` (handle/service/did or instance/acct). Nothing of this migration
        (its state, its journal) is touched. An earlier separate migration for that account is reused."""
        import re

        from quittex_tui.state import BlueskyAccount, MastodonAccount, load_state, save_state

        self.mark_changed()
        state = self.state.model_copy(deep=True)
        state.targets = [network]
        if network == "bluesky":
            who = account.get("handle", "").lstrip("@")
            state.bluesky = BlueskyAccount(
                handle=who, service=account.get("service") or None, did=account.get("did") or None
            )
            state.mastodon = None  # the other network stays with this migration: never two writers to it
        else:
            who = account.get("acct") or account.get("instance", "").split("://")[-1]
            state.mastodon = MastodonAccount(instance=account.get("instance", ""), acct=account.get("acct"))
            state.bluesky = None
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", who).strip("-.")[:40] or network
        for n in range(1, 100):
            path = self.state_path.with_name(f"{self.state_path.stem}-{slug}{'' if n == 1 else f'-{n}'}.toml")
            if not path.exists():
                break
            try:
                known = load_state(path)
            except QuittexError:
                continue
            same_archive = known.archive_fingerprint == state.archive_fingerprint
            if same_archive and _same_account(known, state, network):
                return path  # that account's own migration already exists: go on with it
        save_state(state, path)
        return path

    # --- migration (worker) -------------------------------------------------------------------------
    def journal_path(self, name: str) -> Path:
        from quittex_tui.publish.journal import journal_path

        return journal_path(self.state_path, name)

    def effective_plan(self, name: str) -> Plan:
        """The whole plan as the user shaped it, for a run: built now (seconds at 100k tweets: workers)."""
        from quittex_tui.state import apply_user_changes

        store = self.plans.get(network_of(name))
        if store is None:
            raise QuittexError(key="session.plan_pending")
        return apply_user_changes(store.full_plan(), self.state)

    def planned_items(self, name: str) -> list[tuple[str, int]]:
        """(item id, posts) of every item the run would send — `effective_plan`'s items, from the plan's
        summary (no plan built): the same selection as state.apply_user_changes."""
        net = network_of(name)
        store = self.plans.get(net)
        if store is None:
            return []
        include_all = bool(self.state.options.get(net, {}).get("include_replies", False))
        excluded, included = set(self.state.excluded), set(self.state.included)
        out = []
        for item_id, kind, posts in zip(store.ids, store.kinds, store.posts, strict=True):
            if item_id in excluded:
                continue
            if kind == ItemKind.REPLY and not include_all and item_id not in included:
                continue
            out.append((item_id, posts))
        return out

    def load_statuses(self, name: str) -> dict[str, str]:
        """Each selected item's state from the journal alone (no target needed): what the Queue shows
        after a reopen, before anything runs. Read-only (JournalView): another process may be writing
        this journal, and a reader must never truncate or compact it."""
        from quittex_tui.publish.journal import JournalView
        from quittex_tui.tui.watch import statuses_from_journal

        path = self.journal_path(name)
        planned = self.planned_items(name)
        if not path.exists():
            return {item_id: "planned" for item_id, _posts in planned}
        return statuses_from_journal(planned, JournalView(path))

    def run(
        self,
        name: str,
        on_event: Callable[[Any], None],
        *,
        retry_failed: bool = False,
        resend_unsure: bool = False,
        limit: int | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> Any:
        from quittex_tui.publish.engine import Engine
        from quittex_tui.publish.journal import Journal
        from quittex_tui.publish.lock import account_lock_for

        slot = self.slots[name]
        if slot.target is None:
            raise QuittexError(key="session.not_connected", params={"network": display_name(name)})
        self.check_not_busy(name)
        plan = self.effective_plan(name)
        slot.stop.clear()
        # resend_unsure: the user's answer "it is not there" for the posts reconciliation could not settle
        # (only with retry_failed, as the CLI's --resend-unsure; they are failed items by then)
        kwargs: dict[str, Any] = {"on_event": on_event, "resend_unsure": resend_unsure and retry_failed}
        if sleep is not None:
            kwargs["sleep"] = sleep
        # The same write path as `migrate`: the account's lock, then the migration's (taken by Journal);
        # MigrationBusy (a QuittexError) when it runs elsewhere.
        from quittex_tui.audience.mentions import link_options

        kwargs["links"] = link_options(self.state, self.archive)  # matched people as mentions; link cards
        with (
            account_lock_for(slot.target, command="quittex-tui app"),
            Journal(self.journal_path(name), command="quittex-tui app") as journal,
        ):
            engine = Engine(plan, slot.target, journal, **kwargs)
            slot.statuses = {k: str(v) for k, v in engine.statuses().items()}
            report = engine.run(stop=slot.stop, retry_failed=retry_failed, limit=limit)
            slot.statuses = {k: str(v) for k, v in engine.statuses().items()}
        slot.report = report
        return report

    def check_not_busy(self, name: str) -> None:
        """MigrationBusy (a QuittexError) when another process writes this migration. The journal's own
        writer lock is what guarantees one writer (publish/lock.py); this early look only lets the app say
        so before it builds anything."""
        from quittex_tui.publish.lock import MigrationBusy
        from quittex_tui.tui.watch import Watcher

        holder = Watcher(self).writer_elsewhere(name)
        if holder is not None:
            raise MigrationBusy(notice("error.lock.this_migration"), holder)

    def collect_report(self, name: str) -> None:
        """Links of sent posts and reasons of failures, read back from the journal (Report step).
        Read-only (JournalView): never compacts a journal another process may be writing."""
        from quittex_tui.publish.journal import JournalView
        from quittex_tui.publish.linkstage import read_card_notes

        slot = self.slots[name]
        links: dict[str, list[str]] = {}
        failures: dict[str, str] = {}
        done: set[tuple[str, int]] = set()
        path = self.journal_path(name)
        if path.exists():
            with JournalView(path) as journal:  # read-only: also while a headless run writes it
                for e in journal.entries():
                    if e.status == "done":
                        links.setdefault(e.item_id, []).append(e.url or e.uri or "")
                        done.add((e.item_id, e.index))
                    elif e.status == "failed":
                        failures[e.item_id] = slot.failure_words.get(e.item_id) or e.reason or ""
        for item_id in list(failures):  # failed once, then sent on a retry: it is sent
            if len(links.get(item_id, [])) >= self._n_posts(name, item_id):
                failures.pop(item_id)
        notes: dict[str, list[dict[str, Any]]] = {}
        for key, note in sorted(read_card_notes(path).items()):
            if key in done:  # a note about a post that went (a failed item's notes say nothing yet)
                notes.setdefault(key[0], []).append(note)
        slot.links, slot.failures, slot.card_notes = links, failures, notes

    def _n_posts(self, name: str, item_id: str) -> int:
        store = self.plans.get(network_of(name))
        return (store.n_posts(item_id) or 1) if store is not None else 1

    def export_report(self, directory: Path | None = None) -> tuple[Path, Path]:
        """Markdown + CSV of what went where, beside the state unless told otherwise."""
        directory = directory or self.state_path.parent
        stem = self.state_path.stem
        md_path = directory / f"{stem}.report.md"
        csv_path = directory / f"{stem}.report.csv"
        # The Markdown is for the user to read: in their language (the Report step's words). The CSV is a
        # record for scripts and spreadsheets: fixed English columns and statuses, reasons as recorded.
        from quittex_tui.i18n import say
        from quittex_tui.tui.i18n import number, t

        lines = ["# " + t("report_md.title", archive=", ".join(self.state.archive_paths)), ""]
        rows: list[list[str]] = []
        for name in self.active_targets():
            slot = self.slots[name]
            lines += [f"## {display_name(name)}", ""]
            sent = sum(len(v) for v in slot.links.values())
            lines.append("- " + t("report_md.sent", n=number(sent)))
            lines.append("- " + t("report_md.failed", n=number(len(slot.failures))))
            lines.append("")
            for item_id, urls in slot.links.items():
                # a post sent without a media the user left out says so, with the reason
                left = self.left_out(item_id).values()
                notes = "; ".join(f"left out: {reason}" for reason in left)
                shown = "; ".join(t("report_md.left_out", reason=say(reason)) for reason in left)
                for url in urls:
                    lines.append(f"- {item_id}: <{url}>" + (f" ({shown})" if shown else ""))
                    rows.append([name, item_id, "sent", url, "", notes])
            for item_id, reason in slot.failures.items():
                lines.append("- " + t("report_md.failed_item", item=item_id, reason=say(reason)))
                rows.append([name, item_id, "failed", "", reason, ""])
            for item_id, card_notes in slot.card_notes.items():
                for note in card_notes:
                    # the CSV keeps the catalogue's English record of the reason; the Markdown says it
                    reason = notice(f"linkcard.reason.{note.get('reason')}", detail=note.get("detail") or "")
                    lines.append(
                        "- "
                        + t(
                            "report_md.no_card",
                            item=item_id,
                            url=str(note.get("url") or ""),
                            reason=say(reason),
                        )
                    )
                    rows.append([name, item_id, "no link card", str(note.get("url") or ""), reason, ""])
            lines.append("")
        from quittex_tui.fileio import atomic_write

        atomic_write(md_path, "\n".join(lines).encode("utf-8"))
        import io

        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["target", "item_id", "status", "url", "reason", "note"])
        writer.writerows(rows)
        atomic_write(csv_path, buf.getvalue().encode("utf-8"))
        return md_path, csv_path


def _same_account(a: MigrationState, b: MigrationState, network: str) -> bool:
    if network == "bluesky":
        return bool(a.bluesky and b.bluesky and a.bluesky.handle.lower() == b.bluesky.handle.lower())
    return bool(
        a.mastodon
        and b.mastodon
        and (a.mastodon.instance, a.mastodon.acct) == (b.mastodon.instance, b.mastodon.acct)
    )


def open_session(
    archive_path: Path | str | list[Path],
    *,
    demo: bool = False,
    state_path: Path | None = None,
    progress: Progress | None = None,
    now: Callable[[], datetime] | None = None,
) -> Session:
    """Read the archive, open (or create) its state, build the plans. Blocking: call it in a worker."""
    from quittex_tui.archive import open_archive
    from quittex_tui.state import open_or_create_state

    def archive_progress(message: str, fraction: float) -> None:
        if progress:
            progress(message, fraction * 0.8)

    archive = open_archive(archive_path, progress=archive_progress)
    path, state = open_or_create_state(archive, state_path)
    from quittex_tui.convert.length import mastodon_count

    mastodon_count("")  # Mastodon.py's import (~0.2 s) here in the worker, not in the first preview
    session = Session(archive, path, state, demo=demo, now=now)
    if progress:
        progress("plan", 0.8)
    # A small archive is planned before the screen shows. A big one: the first screen needs its plans
    # only on the steps that list plan items; then a reopen takes them from the plan cache here. The
    # rest is planned (or loaded) by MainScreen in a worker while the screen is already usable.
    small = len(archive.tweets) < PLAN_BEFORE_SCREEN
    if small or state.step in STEPS_WITH_ITEMS:
        session.build_plans(
            lambda m, f: progress(m, 0.8 + f * 0.2) if progress else None, cached_only=not small
        )
    return session
