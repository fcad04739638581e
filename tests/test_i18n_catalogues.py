"""One catalogue mechanism for the CLI and the TUI (quittex_tui.i18n): every domain complete in every
language, plurals right, and each front end says what to do about an error in its own terms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quittex_tui import i18n
from quittex_tui.errors import TODO_CODES, AuthError, Term, login_todo, todo

DOMAINS = ("core", "cli", "tui")


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_domain_has_the_same_keys_placeholders_and_plurals_in_every_language(domain: str) -> None:
    en, fr = i18n.domain_catalogue(domain, "en"), i18n.domain_catalogue(domain, "fr")
    assert len(en) > 20
    assert set(en) == set(fr), sorted(set(en) ^ set(fr))
    for key in en:
        assert i18n.placeholders(en[key]) == i18n.placeholders(fr[key]), key
        # a language may decline a count the other does not ("1 média" / "1 media"); where it does, it
        # names at least the categories its rules produce (CLDR: one and other for both)
        for shapes, needed in (
            (i18n.plural_shapes(en[key]), {"one", "other"}),
            (i18n.plural_shapes(fr[key]), {"one", "other"}),
        ):
            for name, categories in shapes.items():
                assert needed <= categories, (key, name, categories)


def test_front_end_domains_do_not_shadow_the_core_by_accident() -> None:
    core = set(i18n.domain_catalogue("core", "en"))
    for domain in ("cli", "tui"):
        assert not core & set(i18n.domain_catalogue(domain, "en")), domain


@pytest.mark.parametrize("domain", ("cli", "tui"))
@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_each_front_end_phrases_every_todo_code(domain: str, lang: str) -> None:
    catalogue = i18n.domain_catalogue(domain, lang)
    missing = [code for code in TODO_CODES if f"do.{code}" not in catalogue]
    assert not missing, missing


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_tui_never_tells_a_person_to_type_a_command_line(lang: str) -> None:
    tui = i18n.domain_catalogue("tui", lang)
    for key, text in tui.items():
        if key.startswith("do."):
            assert "quittex-tui " not in text and not re.search(r"(^|\s)--[a-z]", text), (key, text)


def test_plural_categories_follow_cldr() -> None:
    assert [i18n.plural_category("en", n) for n in (0, 1, 2)] == ["other", "one", "other"]
    assert [i18n.plural_category("fr", n) for n in (0, 1, 1.5, 2, 1_000_000)] == [
        "one",
        "one",
        "one",
        "other",
        "many",
    ]


def test_plurals_render_with_counts_given_as_numbers_or_formatted_text() -> None:
    text = "{n, plural, =0 {nothing} one {# item} other {# items}} for {who}"
    assert i18n.format_message(text, "en", {"n": 0, "who": "x"}) == "nothing for x"
    assert i18n.format_message(text, "en", {"n": 1, "who": "x"}) == "1 item for x"
    assert i18n.format_message(text, "en", {"n": "12,345", "who": "x"}) == "12,345 items for x"
    french = "{missing, plural, one {# manquant} other {# manquants}}"
    assert i18n.format_message(french, "fr", {"missing": 1}) == "1 manquant"
    assert i18n.format_message(french, "fr", {"missing": 0}) == "0 manquant"
    assert i18n.format_message(french, "fr", {"missing": "12\u202f345"}) == "12\u202f345 manquants"


def test_the_tui_counts_agree_in_french() -> None:
    from quittex_tui.tui import i18n as tui_i18n

    try:
        i18n.set_language("fr")
        line = tui_i18n.t("counts.line2", media=1, missing=1, following=2, followers=3, likes=4)
        assert line.startswith("1 média (1 manquant)")
        assert tui_i18n.t("preview.posts", n=1) == "(1 post)"
        assert tui_i18n.t("preview.posts", n=3) == "(3 posts)"
        i18n.set_language("en")
        assert tui_i18n.t("preview.posts", n=1) == "(1 post)"
        assert tui_i18n.t("aud.follow_title", n=1, network="Bluesky") == "Follow 1 account on Bluesky?"
    finally:
        i18n.set_language("en")


def test_every_catalogue_text_formats_without_error() -> None:
    for domain in DOMAINS:
        for lang in i18n.LANGUAGES:
            for key, text in i18n.domain_catalogue(domain, lang).items():
                if key.startswith("argparse."):
                    continue
                values = {name: 2 for name in i18n.placeholders(text)}
                out = i18n.format_message(text, lang, values)
                assert "{" not in out.replace("{{", ""), (domain, lang, key, out)


def test_an_error_says_what_to_do_in_each_front_ends_terms_and_language() -> None:
    exc = AuthError(
        key="error.bluesky.login_refused",
        params={"handle": "camille.test", "server": "https://pds.example", "status": 401},
        todo=[todo("check_handle", handle="camille.test"), login_todo("camille.test", "https://pds.example")],
    )
    cli_msg, cli_hint = exc.render(front_end="cli", lang="en")
    assert "camille.test" in cli_msg and "https://pds.example" in cli_msg
    # the shell command keeps the server it was given (it used to drop --service)
    assert "quittex-tui login bluesky camille.test --service https://pds.example" in cli_hint
    tui_msg, tui_hint = exc.render(front_end="tui", lang="fr")
    assert tui_msg.startswith("Bluesky a refusé la connexion de @camille.test")
    assert "« Serveur (PDS) »" in tui_hint and "Comptes (touche 2)" in tui_hint
    assert "quittex-tui" not in tui_hint and "--service" not in tui_hint
    # a parameter that is itself a word of the catalogue is translated when shown
    from quittex_tui.errors import InputError

    err = InputError(key="error.url.empty", params={"what": Term("what.mastodon_server")})
    assert err.render(lang="fr")[0] == "L'adresse du serveur Mastodon est vide."
    assert str(err) == err.render()[0]


def test_todo_codes_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown todo code"):
        todo("no_such_thing")


def _keys_used_in(paths: list[Path], pattern: re.Pattern[str]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        found.update(m.group(1) for m in pattern.finditer(path.read_text(encoding="utf-8")))
    return found


_CORE_KEY = re.compile(r"""(?:\bnotice\(|\bNotice\(|\bkey=)\s*f?"([a-z_]+\.[a-z_.{}]+)\"""")
_CLI_KEY = re.compile(r"""\bt\(\s*f?"([a-z_]+\.[a-z_.{}]+)\"""")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_catalogue_key_the_core_and_the_cli_use_exists(lang: str) -> None:
    """Every literal key passed to notice()/Notice()/key= in the core, and to t() in the CLI, is in the
    catalogue of each language; a key built with an f-string (`fail.video_damaged.{kind}`) must at least
    have its fixed start in the catalogue. A missing key would show the user a bare key."""
    src = Path(i18n.__file__).parent
    core = [p for p in src.rglob("*.py") if "tui" not in p.relative_to(src).parts]
    cli = list((src / "cli").rglob("*.py"))
    checks = [("core", k) for k in _keys_used_in(core, _CORE_KEY)]
    checks += [("cli", k) for k in _keys_used_in(cli, _CLI_KEY)]
    assert len(checks) > 100  # the scan really found the keys
    missing = []
    for domain, key in checks:
        catalogue = i18n.catalogue(domain, lang)
        if "{" in key:
            start = key.split("{", 1)[0]
            if not any(k.startswith(start) for k in catalogue):
                missing.append(key)
        elif key not in catalogue:
            missing.append(key)
    assert missing == [], f"keys used in code but missing from the {lang} catalogue: {sorted(missing)}"
