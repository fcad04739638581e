"""A plan item shown as it will look on each network: the exact texts, thread order, media and alt
texts, and each post's length as that network counts it. Formatting only; the plan comes from the
session (built in a worker)."""

from __future__ import annotations

from rich.text import Text

from quittex_tui.convert.length import bluesky_counts, mastodon_count
from quittex_tui.i18n import say
from quittex_tui.networks import display_name
from quittex_tui.textsafe import for_display
from quittex_tui.tui.i18n import date, has_key, t
from quittex_tui.tui.session import NETWORKS, Session

LIMITS = {"bluesky": 300, "mastodon": 500}


def limit_for(session: Session, network: str) -> int:
    slot = session.slots.get(network)
    if network == "mastodon":
        opts = session.state.options.get("mastodon", {})
        if slot and slot.info is not None:
            return slot.info.max_chars
        return int(opts.get("max_chars", LIMITS["mastodon"]))
    return LIMITS["bluesky"]


def length_of(network: str, text: str) -> int:
    return bluesky_counts(text)[0] if network == "bluesky" else mastodon_count(text)


def item_preview(
    session: Session, item_id: str | None, *, tweet_id: str | None = None, head: bool = True
) -> Text:
    out = Text()
    if item_id is None and tweet_id is not None:
        item_id = session.item_of_tweet.get(tweet_id)
        if item_id is None:
            reason = session.skip_reason.get(tweet_id, "")
            label = t(f"skip.{reason}") if has_key(f"skip.{reason}") else for_display(reason or "-")
            out.append(t("preview.not_moved", reason=label), style="italic")
            return out
    if item_id is None:
        out.append(t("preview.none"), style="italic")
        return out
    if not session.plans:
        out.append(t("preview.building"), style="italic")
        return out
    row = session.rows[session.row_index[item_id]] if item_id in session.row_index else None
    if row is not None and head:
        state = t("preview.included") if session.is_included(row) else t("preview.skipped")
        out.append(f"{t(f'kind.{row.kind}')} · {date(row.created_at)} · {state}\n", style="bold")
        if row.has_media:  # first, so a small terminal shows it without scrolling
            _media_choices(session, item_id, row.flagged, out)
    for net in NETWORKS:
        store = session.items.get(net)
        item = store.get(item_id) if store is not None else None
        if item is None:
            continue
        limit = limit_for(session, net)
        out.append(f"{display_name(net)}", style="bold underline")
        out.append(" " + t("preview.posts", n=len(item.posts)) + "\n")
        for i, post in enumerate(item.posts):
            text = session.post_text(net, item_id, i)
            n = length_of(net, text)
            edited = text != post.text
            prefix = f" {i + 1}. " if len(item.posts) > 1 else "  "
            if i:
                out.append("    " + t("preview.reply_to_previous") + "\n", style="dim")
            out.append(prefix)
            out.append(for_display(text))
            style = "bold red" if n > limit else "dim"
            out.append(f"  ({n}/{limit}{' ' + t('preview.edited') if edited else ''})\n", style=style)
            for m in post.media:
                alt = session.alt_text(m)
                label = t("preview.media", kind=t(f"media.{m.kind}"), w=m.width, h=m.height)
                out.append(f"     [{label}] ", style="cyan")
                shown = t("preview.alt", alt=for_display(alt)) if alt else t("preview.no_alt")
                out.append(shown + "\n", style="dim")
            _link_lines(session, net, post, out)
            for w in post.warnings:
                out.append(f"     ! {for_display(say(w))}\n", style="yellow")
    out.rstrip()
    return out


def _media_choices(session: Session, item_id: str, flagged: bool, out: Text) -> None:
    """The label the item's media will carry (docs/bluesky.md#languages-and-self-labels), the media left out,
    and the keys for both."""
    label = session.label_of(item_id)
    if label:
        words = t("preview.label", label=t(f"label.value_{label}"))
        out.append(words + (" " + t("preview.label_from_x") if flagged else "") + "\n", style="magenta")
    else:
        out.append(t("preview.no_label") + "\n", style="dim")
    for reason in session.left_out(item_id).values():
        out.append(
            "  " + t("preview.media_left_out", reason=for_display(say(reason))) + "\n", style="bold yellow"
        )
    out.append(t("preview.media_keys") + "\n", style="dim")


def _link_lines(session: Session, network: str, post: object, out: Text) -> None:
    """What sending will do with the post's links (docs/bluesky.md#own-quotes-and-links-to-ones-own-tweets):
    its own quote, links to the user's own tweets (live once those are sent), and the link a Bluesky card is
    fetched for."""
    for link in getattr(post, "self_links", ()):
        tweet = session.tweet(link.tweet_id)
        when = date(tweet.created_at) if tweet is not None else link.tweet_id
        key = "preview.own_quote" if link.quote and network == "bluesky" else "preview.own_link"
        out.append("     " + t(key, date=when) + "\n", style="dim cyan")
    card = getattr(post, "link_card", None)
    if card and network == "bluesky" and session.link_cards:
        out.append("     " + t("preview.card", url=for_display(card, one_line=True)) + "\n", style="dim cyan")
