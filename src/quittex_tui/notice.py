"""Words the core writes down for the record, which a front end shows in the user's language.

A `Notice` is a `str` — the English sentence that logs, journals and the `--json` contracts have always
carried, so every consumer of a warning, a failure reason or an event message keeps working unchanged —
that also remembers its catalogue key and parameters. A front end shows it with `i18n.say(notice)`:
the same key in the user's language, looked up in the front end's catalogue over the core's, each
parameter said the same way (a nested Notice, a vocabulary enum, an `errors.Todo` — "what to do",
phrased by each front end —, numbers with the language's separators). Server texts and archive text
passed as parameters are data: shown as they are (the caller scrubs them first).

The English record is rendered as the command line says it (`RECORD_DOMAIN`): what a script reads in
`--json` and what a log shows support. Keys live in the core catalogue (quittex_tui/locales), except the
`do.*` phrasings of each front end.

Example: `notice("warn.media_missing", n=3)` is "3 media files are missing from the archive; those posts
go without them", and `i18n.say(it)` under LANG=fr_FR is "3 fichiers média manquent dans l'archive…".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from quittex_tui import i18n

RECORD_DOMAIN = "cli"


class Notice(str):
    """English text for the record that knows its catalogue key and parameters (see the module doc)."""

    catalogue_key: str
    catalogue_params: dict[str, object]

    def __new__(cls, key: str, params: Mapping[str, object] | None = None) -> Notice:
        values = dict(params or {})
        text = i18n.translate(RECORD_DOMAIN, key, lang="en", **i18n.say_params(values, RECORD_DOMAIN, "en"))
        obj = super().__new__(cls, text)
        obj.catalogue_key = key
        obj.catalogue_params = values
        return obj

    def __getnewargs__(self) -> tuple[Any, ...]:  # copy and pickle rebuild a Notice from these
        return (self.catalogue_key, self.catalogue_params)

    @property
    def key(self) -> str:
        return self.catalogue_key

    @property
    def params(self) -> dict[str, object]:
        return self.catalogue_params

    def with_params(self, fn: Callable[[str], str]) -> Notice:
        """The same notice with `fn` applied to its plain-text parameters (e.g. the scrubber)."""
        return Notice(
            self.catalogue_key,
            {
                k: (fn(v) if type(v) is str else v.with_params(fn) if isinstance(v, Notice) else v)
                for k, v in self.catalogue_params.items()
            },
        )


def notice(key: str, /, **params: object) -> Notice:
    return Notice(key, params)


def say(text: object, domain: str | None = None, lang: str | None = None) -> str:
    """`text` in the user's language when it knows its words (a Notice…), else as it is."""
    return i18n.say(text, domain, lang)


# --- keeping notices across a cache (archive/index.py) -----------------------------------------------
Record = tuple[str, dict[str, Any]]


def to_record(n: Notice) -> Record:
    """(key, params) with nested notices as {"$notice": record}: plain data msgpack/JSON can hold."""
    return n.catalogue_key, {
        k: (
            {"$notice": to_record(v)}
            if isinstance(v, Notice)
            else v
            if type(v) in (str, int, float, bool) or v is None
            else str(v)
        )
        for k, v in n.catalogue_params.items()
    }


def from_record(record: Record | list[Any]) -> Notice:
    key, params = record
    return Notice(
        key,
        {
            k: from_record(v["$notice"]) if isinstance(v, dict) and "$notice" in v else v
            for k, v in params.items()
        },
    )


def rewrap(texts: Iterable[str], known: Mapping[str, Notice]) -> list[str]:
    """`texts` with every one `known` (by its English text) given back its Notice."""
    return [known.get(t, t) for t in texts]


def words_of(exc: BaseException) -> str:
    """An exception's message as it was raised: its Notice when it was given one, else its text."""
    first = exc.args[0] if exc.args else ""
    return first if isinstance(first, str) and first else str(exc)
