"""The command line's words: `t(key, **kw)` from `cli/locales/<lang>.toml` (over the core's catalogue).

The same mechanism as the TUI's (quittex_tui.i18n: TOML catalogues, ICU plurals), with the CLI's own
domain, so a CLI message and a TUI message never share a key by accident — and so each phrases what to
do about an error in its own terms (`do.*`: the CLI names commands and flags, the TUI fields and keys).

argparse's own chrome ("usage:", "positional arguments", "the following arguments are required: %s",
"invalid choice: …") goes through `gettext.gettext` in the standard library; `install_argparse_l10n`
feeds it from this catalogue's `[argparse]` table instead, keyed by argparse's English msgid. Those
msgids are argparse's (Lib/argparse.py, stable since 3.9); one that is missing from the table just stays
English.

French typography: the catalogues are written with plain spaces before ":", ";", "!", "?" and inside « »;
`i18n.catalogue` turns them into no-break spaces for this domain (`i18n.french_spaces`), so argparse's
line wrapping (which breaks at ASCII spaces only) never leaves a ":" alone at the start of a line, and
argparse's headings ("arguments positionnels\u00a0:") match the rest of the text.

Every message of the command line comes from here: write `t("<command>.<what>", name=value, …)` with
the English text under `[<command>]` in cli/locales/en.toml and its French in fr.toml (counts as
`{n, plural, one {…} other {…}}`, numbers passed through `i18n.number`), argparse `help=`/`metavar=` too.
What the core says (archive warnings, the engine's events, failure reasons) arrives as a notice.Notice or
a QuittexError with a key: show it with `i18n.say(…)` / `exc.render(front_end="cli")`, never its English
`str()`. tests/test_cli_french.py runs every command's --help and a run of each under LANG=fr_FR and scans
the output for English words.
"""

from __future__ import annotations

import argparse

from quittex_tui import i18n

DOMAIN = "cli"


def t(key: str, /, *, lang: str | None = None, **kw: object) -> str:
    return i18n.translate(DOMAIN, key, lang=lang, **kw)


def _gettext(msgid: str) -> str:
    return i18n.catalogue(DOMAIN, i18n.language()).get(f"argparse.{msgid}", msgid)


def _ngettext(singular: str, plural: str, n: int) -> str:
    # argparse's plural messages ("expected %s argument(s)") come as an English pair; the catalogue holds
    # the translation of each form, and the language's own rule picks one (French: 0 and 1 are singular).
    form = singular if i18n.plural_category(i18n.language(), n) == "one" else plural
    return i18n.catalogue(DOMAIN, i18n.language()).get(f"argparse.{form}", singular if n == 1 else plural)


def install_argparse_l10n() -> None:
    """Route argparse's built-in messages through the CLI catalogue (argparse looks `_` / `ngettext` up
    in its module globals at each call, so this takes effect for parsers built before or after)."""
    argparse._ = _gettext  # type: ignore[attr-defined]
    argparse.ngettext = _ngettext  # type: ignore[attr-defined]


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the description and epilog as written (the exit-code table is laid out by hand)."""
