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
from dataclasses import dataclass
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

    @classmethod
    def recorded(cls, text: str, key: str, params: Mapping[str, object] | None = None) -> Notice:
        """A notice whose English text is `text` as it was written down (a journal record): what a script
        read then it reads again, even if the catalogue's wording changed since; `key` and `params` say it
        in the user's language."""
        obj = super().__new__(cls, text)
        obj.catalogue_key = key
        obj.catalogue_params = dict(params or {})
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        # copy and pickle rebuild the same notice: its text as it is (a journal's record), key and params
        return (_rebuild, (str(self), self.catalogue_key, self.catalogue_params))

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


def _rebuild(text: str, key: str, params: dict[str, object]) -> Notice:
    return Notice.recorded(text, key, params)


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


# --- keeping notices in a JSON text (the journal's `failed` records) ---------------------------------
def words_to_data(value: object) -> Any:
    """`value` as JSON-able data that keeps every catalogue key (a Notice, an errors.Todo, a vocabulary
    enum): {"$key": key, "$params": {...}}; numbers and text as they are, anything else as its text."""
    key = getattr(value, "catalogue_key", None)
    if isinstance(key, str) and key:
        params = getattr(value, "catalogue_params", None) or {}
        return {"$key": key, "$params": {k: words_to_data(v) for k, v in params.items()}}
    if value is None or type(value) in (str, int, float, bool):
        return value
    return str(value)


def words_from_data(data: Any) -> Any:
    """The words `words_to_data` kept: a `do.*` key (an errors.Todo, which each front end phrases its own
    way) comes back as `Words`, which i18n.say phrases the same way; any other key as a Notice."""
    if not isinstance(data, dict) or "$key" not in data:
        return data if data is None or type(data) in (str, int, float, bool) else str(data)
    key = str(data["$key"])
    raw = data.get("$params")
    params = {str(k): words_from_data(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    if key.startswith("do."):
        return Words(key, params)
    return Notice(key, params)


@dataclass(frozen=True)
class Words:
    """A catalogue key and its parameters, said by each front end (`do.*`: not rendered for the record)."""

    catalogue_key: str
    catalogue_params: Mapping[str, object]

    def __str__(self) -> str:
        return i18n.translate(RECORD_DOMAIN, self.catalogue_key, lang="en", **self.catalogue_params)


def rewrap(texts: Iterable[str], known: Mapping[str, Notice]) -> list[str]:
    """`texts` with every one `known` (by its English text) given back its Notice."""
    return [known.get(t, t) for t in texts]


def words_of(exc: BaseException) -> str:
    """An exception's message as it was raised: its Notice when it was given one, else its text."""
    first = exc.args[0] if exc.args else ""
    return first if isinstance(first, str) and first else str(exc)
