"""The migration state: one readable TOML file per migration (archive, targets, options, selection, step).

Spec: ARCHITECTURE.md#the-journal-how-never-twice-holds and #the-data-models-and-who-builds-them. What was
*sent* is not here: it lives in the append-only journal beside this file (publish/journal.py), so saving the
state never rewrites a 100k-entry record. The state holds user choices only and **never a secret**
(`extra="forbid"` keeps a stray `password`/`token` field from ever being accepted or written).

Writes are crash-safe: temp file in the same directory + fsync + `os.replace` + directory fsync, so a
kill at any instant leaves either the old or the new file, never a torn one.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, Protocol

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from quittex_tui import paths
from quittex_tui.clock import utcnow
from quittex_tui.convert.models import DEFAULT_SELF_LABEL, ItemKind, Plan, PlanItem, PlannedPost, Words
from quittex_tui.errors import StateError, todo
from quittex_tui.fileio import atomic_write, write_failure
from quittex_tui.networks import display_name
from quittex_tui.notice import Notice, notice, words_from_data, words_to_data
from quittex_tui.textsafe import for_posting

SCHEMA_VERSION = 1
SelfLabel = Literal["", "graphic-media", "sexual", "nudity", "porn"]  # convert.models.SELF_LABELS or none
JOURNAL_MARK = ".journal."  # journals live beside states: <stem>.<target>.journal.toml


class Step(StrEnum):
    ARCHIVE = "archive"
    ACCOUNTS = "accounts"
    SELECT = "select"
    REVIEW = "review"
    MIGRATE = "migrate"
    REPORT = "report"
    AUDIENCE = "audience"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BlueskyAccount(_Model):
    handle: str
    service: str | None = None
    did: str | None = None


class MastodonAccount(_Model):
    instance: str
    acct: str | None = None


class AudienceDecision(_Model):
    decision: Literal["accepted", "rejected"] | None = None
    network: str | None = None
    handle: str | None = None
    did: str | None = None
    acct: str | None = None


class MigrationState(_Model):
    """Everything the user chose, so the app (or `migrate`) resumes where they stopped. NO secrets."""

    schema_version: int = SCHEMA_VERSION
    archive_paths: list[str]
    archive_fingerprint: str
    step: Step = Step.ARCHIVE
    targets: list[str] = Field(default_factory=list)  # "bluesky" | "mastodon" | "dry-run", in order chosen
    bluesky: BlueskyAccount | None = None
    mastodon: MastodonAccount | None = None
    options: dict[str, dict[str, Any]] = Field(default_factory=dict)  # per target: PlanOptions fields
    excluded: list[str] = Field(default_factory=list)  # plan item ids the user unchecked
    included: list[str] = Field(default_factory=list)  # item ids opted in that the default plan skips
    edits: dict[str, dict[str, dict[str, str]]] = Field(default_factory=dict)  # target -> item -> idx -> text
    alts: dict[str, str] = Field(default_factory=dict)  # media_id -> alt text (shared by targets)
    # Sensitive media (docs/bluesky.md#languages-and-self-labels, issue 12), shared by targets: item id -> the
    # self-label its media carry, as chosen in Review ("" = none); the items X flagged `possibly_sensitive`
    # that are not in it get `sensitive_label` (the "for all" choice; "" = none). Bluesky: the record's
    # self-label; Mastodon: any label makes the status `sensitive`.
    labels: dict[str, SelfLabel] = Field(default_factory=dict)
    sensitive_label: SelfLabel = DEFAULT_SELF_LABEL
    # media id -> why its file cannot be sent (as the check found it): the user chose, in Review, to send
    # its post without it. The post then carries a `left_out` note (Review, report).
    without_media: dict[str, Words] = Field(default_factory=dict)
    # media id -> the catalogue words of its `without_media` reason (JSON {"$key", "$params"}), when it has
    # them: a reopened app says the reason in the user's language (issue 14); the text stays the record.
    without_media_words: dict[str, str] = Field(default_factory=dict)
    cursor: dict[str, str] = Field(default_factory=dict)
    audience: dict[str, AudienceDecision] = Field(default_factory=dict)  # x_id -> decision
    updated_at: datetime | None = None

    @model_validator(mode="after")
    def _reasons_in_words(self) -> MigrationState:
        for media_id, words in self.without_media_words.items():
            text = self.without_media.get(media_id)
            if text is None or isinstance(text, Notice):
                continue
            try:
                said = words_from_data(json.loads(words))
            except ValueError:
                continue  # damaged by a hand edit: the text still says it
            if isinstance(said, Notice):
                self.without_media[media_id] = Notice.recorded(text, said.key, said.params)
        return self

    def keep_words(self) -> None:
        """Write down the catalogue words of the reasons that have them (before saving)."""
        self.without_media_words = {
            media_id: json.dumps(words_to_data(reason), ensure_ascii=False, sort_keys=True)
            for media_id, reason in self.without_media.items()
            if isinstance(reason, Notice)
        }


class _ArchiveLike(Protocol):
    source: list[Path]
    fingerprint: str


def state_path_for(fingerprint: str) -> Path:
    return paths.state_dir() / f"{fingerprint[:16]}.toml"


def _drop_none(value: Any) -> Any:
    """TOML has no null: omit None fields (they are the models' defaults, so loading gives them back)."""
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value if v is not None]
    return value


def load_state(path: Path) -> MigrationState:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StateError(
            key="error.state.missing", params={"path": path}, todo=[todo("check_state_path")]
        ) from None
    except OSError as exc:
        raise StateError(
            key="error.state.unreadable",
            params={"path": path, "detail": exc.strerror},
            todo=[todo("check_permissions")],
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StateError(
            key="error.state.bad_toml", params={"path": path, "detail": exc}, todo=[todo("fix_or_move_state")]
        ) from None
    version = data.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise StateError(
            key="error.state.newer", params={"path": path, "version": str(version)}, todo=[todo("upgrade")]
        )
    try:
        return MigrationState.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise StateError(
            key="error.state.bad_value",
            params={"path": path, "where": where, "detail": first["msg"]},
            todo=[todo("fix_or_move_state")],
        ) from None


def save_state(state: MigrationState, path: Path) -> None:
    state.updated_at = utcnow().replace(microsecond=0)
    state.keep_words()
    data = _drop_none(state.model_dump(mode="python"))
    data["step"] = str(state.step)
    header = b"# quittex-tui migration state: your choices (no secrets). What was sent is in the journal.\n"
    try:
        atomic_write(path, header + tomli_w.dumps(data).encode("utf-8"))
    except OSError as exc:  # disk full, read-only folder…: the previous state file is left as it was
        raise write_failure(path, exc, what=notice("act.save_state")) from None


def list_states() -> list[tuple[Path, MigrationState]]:
    """Known migrations, most recently updated first; unreadable files are left out (not fatal here)."""
    found: list[tuple[Path, MigrationState]] = []
    for path in paths.state_dir().glob("*.toml"):
        if JOURNAL_MARK in path.name or path.name.startswith("."):
            continue
        try:
            found.append((path, load_state(path)))
        except StateError:
            continue
    epoch = datetime.min.replace(tzinfo=UTC)
    found.sort(key=lambda pair: pair[1].updated_at or epoch, reverse=True)
    return found


def open_or_create_state(
    archive: _ArchiveLike, state_path: Path | None = None
) -> tuple[Path, MigrationState]:
    """The state of this archive's migration: loaded if it exists (and is this archive's), else created."""
    path = Path(state_path).expanduser() if state_path else state_path_for(archive.fingerprint)
    sources = [str(Path(p).expanduser().resolve()) for p in archive.source]
    if path.exists():
        state = load_state(path)
        if state.archive_fingerprint != archive.fingerprint:
            raise StateError(
                key="error.state.other_archive",
                params={"path": path, "archives": ", ".join(state.archive_paths)},
                todo=[todo("other_state_file")],
            )
        if state.archive_paths != sources:  # the same archive, moved or re-downloaded: follow it
            state.archive_paths = sources
            save_state(state, path)
        return path, state
    state = MigrationState(archive_paths=sources, archive_fingerprint=archive.fingerprint)
    save_state(state, path)
    return path, state


# --- one account per network and migration ----------------------------------------------------------------


def _journal_first_record(state_path: Path, network: str) -> tuple[bool, str | None]:
    """(has any record, the first `uri` recorded) of the journal of `network` beside this state. Cheap: it
    stops at the first uri instead of parsing the whole journal (100k entries = 33 MB)."""
    path = state_path.with_name(f"{state_path.stem}.{network}{JOURNAL_MARK}toml")
    found = False
    try:
        with path.open("rb") as fh:
            for line in fh:
                if line.startswith(b"[["):
                    found = True
                elif line.startswith(b"uri = "):
                    value = line[6:].strip().strip(b'"').decode("utf-8", "replace")
                    return True, value
    except OSError:
        return False, None
    return found, None


def _local_part(acct: str | None) -> str:
    return (acct or "").lstrip("@").split("@", 1)[0].lower()


@dataclass(frozen=True)
class AccountConflict:
    """This migration's journal for `network` was written for `recorded`, not for `current` (both in words:
    "@alice.bsky.social", "alice@mastodon.social on https://mastodon.social")."""

    network: str
    recorded: str
    current: str
    given: dict[str, str] = field(default_factory=dict)  # the account asked about: handle/did/instance/acct


class AccountConflictError(StateError):
    """`check_same_account` refused: the CLI prints message + hint; the TUI words it in its own terms."""

    def __init__(self, message: str, hint: str, conflict: AccountConflict) -> None:
        super().__init__(message, hint)
        self.conflict = conflict


def account_conflict(
    state: MigrationState,
    state_path: Path,
    network: str,
    *,
    handle: str | None = None,
    did: str | None = None,
    instance: str | None = None,
    acct: str | None = None,
) -> AccountConflict | None:
    """The one rule (CLI and TUI): may this migration's journal for `network` be used with this account?

    The journal beside the state records what was sent per item, not per account: reusing it for a second
    Bluesky account (or another Mastodon account/instance) would report every post as "already published"
    and send nothing. One state = one account per network; another account needs its own state file.
    None when the account is the one the journal was written for (or nothing was sent yet)."""
    has_records, first_uri = _journal_first_record(state_path, network)
    if not has_records:
        return None
    recorded = current = ""
    # Bluesky: the journal's own at:// URIs name the repo (DID) they were written to — the strongest proof,
    # and it holds even when the state's account was changed afterwards (an older version, the TUI).
    journal_did = first_uri.split("/")[2] if first_uri and first_uri.startswith("at://did:") else None
    if network == "bluesky" and did and journal_did:
        differs = journal_did != did
        old_b = state.bluesky
        known = f"@{old_b.handle}" if old_b is not None and old_b.did == journal_did else journal_did
        recorded, current = known, f"@{handle}" if handle else did
    elif network == "bluesky" and state.bluesky is not None:
        old = state.bluesky
        if old.did and did:
            differs = old.did != did
        else:
            differs = bool(handle and old.handle.lstrip("@").lower() != handle.lstrip("@").lower())
        recorded, current = f"@{old.handle}", f"@{handle or did}"
    elif network == "mastodon" and state.mastodon is not None:
        old_m = state.mastodon
        same_instance = not instance or old_m.instance.rstrip("/").lower() == instance.rstrip("/").lower()
        same_acct = not (old_m.acct and acct) or _local_part(old_m.acct) == _local_part(acct)
        differs = not (same_instance and same_acct)
        recorded = f"{old_m.acct or 'an account'} on {old_m.instance}"
        current = f"{acct or 'an account'} on {instance or old_m.instance}"
    else:
        return None
    if not differs:
        return None
    given = {k: v for k, v in (("handle", handle), ("did", did), ("instance", instance), ("acct", acct)) if v}
    return AccountConflict(network, recorded, current, given)


def check_same_account(
    state: MigrationState,
    state_path: Path,
    network: str,
    *,
    handle: str | None = None,
    did: str | None = None,
    instance: str | None = None,
    acct: str | None = None,
) -> None:
    """`account_conflict` as the CLI's refusal (AccountConflictError, a StateError: exit 2)."""
    conflict = account_conflict(
        state, state_path, network, handle=handle, did=did, instance=instance, acct=acct
    )
    if conflict is None:
        return
    recorded, current = conflict.recorded, conflict.current
    name = display_name(network)
    raise AccountConflictError(
        f"this archive's {name} migration ({state_path}) was made with {recorded}, not {current}: its "
        f"journal would count every post already sent to {recorded} as published and send nothing "
        f"to {current}",
        f"to publish this archive to {current} as well, give it its own state file, e.g. "
        f"--state ~/quittex-{network}-2.toml (add it to every command for that account); to go on with "
        f"{recorded}, log in and run the command with that account",
        conflict,
    )


# --- the user's choices applied to a freshly built plan -------------------------------------------------


def _facets_for(new_text: str, old: PlannedPost) -> list[dict[str, Any]]:
    """Bluesky facets of an edited text, by the plan's own rules (convert/editing.py); links the plan
    showed shortened keep their full URI when the shortened text is still there."""
    from quittex_tui.convert.editing import bluesky_facets, links_from_facets

    return bluesky_facets(new_text, links_from_facets(old.text, old.facets))


def apply_user_changes(plan: Plan, state: MigrationState, *, include_all_replies: bool | None = None) -> Plan:
    """The plan as the user shaped it: excluded items removed, replies kept only when opted in (one by one
    via `included`, or all with the include_replies option), edited texts and alt texts applied, and
    Bluesky facets recomputed for edited texts. Item ids and order are untouched (journal keys rely on them).
    """
    target = plan.target
    if include_all_replies is None:
        include_all_replies = bool(state.options.get(target, {}).get("include_replies", False))
    excluded = set(state.excluded)
    included = set(state.included)
    edits = state.edits.get(target, {})
    items: list[PlanItem] = []
    for item in plan.items:
        if item.id in excluded:
            continue
        if item.kind == ItemKind.REPLY and not include_all_replies and item.id not in included:
            continue
        item_edits = edits.get(item.id, {})
        if state.without_media or item.id in state.labels or state.sensitive_label != DEFAULT_SELF_LABEL:
            item = _media_choices(item, state)
            if not item.posts:
                continue  # its only content was media the user chose to leave out: nothing to send
        if item_edits or state.alts:
            posts: list[PlannedPost] = []
            for index, post in enumerate(item.posts):
                update: dict[str, Any] = {}
                new_text = item_edits.get(str(index))
                if new_text is not None:  # a hand-edited state is data too: no controls are posted
                    new_text = for_posting(new_text)
                if new_text is not None and new_text != post.text:
                    update["text"] = new_text
                    update["facets"] = _facets_for(new_text, post) if target == "bluesky" else []
                    update["mention_candidates"] = []  # offsets into the old text: no longer valid
                if state.alts and post.media:
                    media = []
                    for m in post.media:
                        # Keyed on the archive's media id (stable); the cache path only for older states.
                        alt = state.alts.get(m.media_id) if m.media_id else None
                        if alt is None:
                            alt = state.alts.get(m.path)
                        if alt is not None:
                            alt = for_posting(alt)
                        media.append(m.model_copy(update={"alt": alt}) if alt is not None else m)
                    update["media"] = media
                posts.append(post.model_copy(update=update) if update else post)
            item = item.model_copy(update={"posts": posts})
        items.append(item)
    return plan.model_copy(update={"items": items})


def _media_choices(item: PlanItem, state: MigrationState) -> PlanItem:
    """The user's media choices on one item (docs/bluesky.md#languages-and-self-labels, issue 12): its
    self-label (state.labels, else the "for all" label on what X flagged), and the media left out because
    their file cannot be sent (state.without_media) — each noted on its post (`left_out`). A post left with
    neither text nor media is dropped (a media-only post whose media were all left out)."""
    chosen = state.labels.get(item.id)
    posts: list[PlannedPost] = []
    for post in item.posts:
        update: dict[str, Any] = {}
        if post.media and state.without_media:
            kept = [m for m in post.media if not (m.media_id and m.media_id in state.without_media)]
            if len(kept) != len(post.media):
                notes: list[str] = [
                    notice(
                        f"media.left_out.{m.kind if m.kind in ('video', 'gif') else 'photo'}",
                        name=Path(m.source or m.path).name,
                        reason=state.without_media[m.media_id],
                    )
                    for m in post.media
                    if m not in kept
                ]
                update.update(media=kept, left_out=[*post.left_out, *notes])
                if not kept and not post.text.strip():
                    continue
        has_media = bool(update.get("media", post.media))
        label = post.self_label
        if chosen is not None:
            label = chosen if has_media else ""
        elif label:
            label = state.sensitive_label if has_media else ""
        if label != post.self_label:
            update["self_label"] = label
        posts.append(post.model_copy(update=update) if update else post)
    return item.model_copy(update={"posts": posts})
