"""The addresses people type, made canonical before any network call (publish/addresses.py)."""

from __future__ import annotations

import pytest

from quittex_tui.errors import InputError
from quittex_tui.publish.addresses import bluesky_handle, check_url, mastodon_account, mastodon_instance

MASTODON_FORMS = [
    "@camille@piaille.fr",
    "camille@piaille.fr",
    "piaille.fr",
    "https://piaille.fr",
    "https://piaille.fr/",
    "https://piaille.fr/@camille",
    "https://piaille.fr/@camille/",
    "  HTTPS://Piaille.FR//  ",
    "@Camille@PIAILLE.fr",
    "piaille.fr/",
]


@pytest.mark.parametrize("written", MASTODON_FORMS)
def test_every_usual_way_of_writing_a_mastodon_account_gives_the_instance(written: str) -> None:
    assert mastodon_instance(written) == "https://piaille.fr"


def test_the_account_part_is_read_when_there_is_one() -> None:
    assert mastodon_account("@camille@piaille.fr") == "camille"
    assert mastodon_account("camille@piaille.fr") == "camille"
    assert mastodon_account("https://piaille.fr/@camille") == "camille"
    assert mastodon_account("piaille.fr") is None
    assert mastodon_account("https://piaille.fr/about") is None


def test_loopback_keeps_http_and_its_port_other_hosts_do_not() -> None:
    assert mastodon_instance("http://127.0.0.1:3000/@testuser/") == "http://127.0.0.1:3000"
    assert check_url("http://[::1]:8080/x/", "server") == "http://[::1]:8080/x"
    with pytest.raises(InputError) as err:
        mastodon_instance("http://piaille.fr")
    assert err.value.exit_code == 2 and "https://piaille.fr" in err.value.hint


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "@",
        "camille@",
        "not a url",
        "https://",
        "ftp://piaille.fr",
        "https://user:pw@piaille.fr",
        "https://piaille.fr:notaport",
    ],
)
def test_what_is_not_an_address_is_refused_in_words(bad: str) -> None:
    with pytest.raises(InputError) as err:
        mastodon_instance(bad)
    assert err.value.message and err.value.exit_code == 2


BLUESKY_FORMS = [
    "alice.bsky.social",
    "@alice.bsky.social",
    "ALICE.bsky.social",
    "alice.bsky.social.",
    "https://bsky.app/profile/alice.bsky.social",
    "https://bsky.app/profile/@alice.bsky.social/",
    "https://bsky.app/profile/alice.bsky.social/post/3kabc",
    "at://alice.bsky.social",
    " @alice.bsky.social ",
]


@pytest.mark.parametrize("written", BLUESKY_FORMS)
def test_every_usual_way_of_writing_a_bluesky_handle_gives_the_handle(written: str) -> None:
    assert bluesky_handle(written) == "alice.bsky.social"


def test_a_did_and_a_domain_handle_are_kept() -> None:
    assert bluesky_handle("https://bsky.app/profile/did:plc:abc123xyz") == "did:plc:abc123xyz"
    assert bluesky_handle("did:web:camille.example") == "did:web:camille.example"
    assert bluesky_handle("https://camille-depeche.fr") == "camille-depeche.fr"
    assert bluesky_handle("camille.test") == "camille.test"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "alice",
        "alice bsky.social",
        "https://bsky.app/",
        "-alice.bsky.social",
        "alice.bsky.123",
        "https://bsky.app/search?q=alice",
    ],
)
def test_what_is_not_a_handle_is_refused_with_what_to_do(bad: str) -> None:
    with pytest.raises(InputError) as err:
        bluesky_handle(bad)
    assert "not a Bluesky handle" in err.value.message
    assert "alice.bsky.social" in err.value.hint  # what a handle looks like


@pytest.mark.parametrize(
    "pasted",
    [
        "k3xq-9wbd-a7ue-vv2m",
        "camille.bsky.socialk3xq-9wbd-a7ue-vv2m",
        "@camille.bsky.social k3xq-9wbd-a7ue-vv2m",
        "abcd-efgh-ijkl-mnop",
    ],
)
def test_an_app_password_in_the_handle_field_is_refused_without_being_repeated(pasted: str) -> None:
    with pytest.raises(InputError) as err:
        bluesky_handle(pasted)
    assert "app password" in err.value.message
    assert "k3xq" not in str(err.value) and "abcd-efgh" not in str(err.value)


def test_a_handle_label_shaped_like_a_password_but_without_digits_is_a_handle() -> None:
    assert bluesky_handle("news-live-info-feed.bsky.social") == "news-live-info-feed.bsky.social"
