"""The TUI against the real local servers (tests/servers.py): the Bluesky connect dialog on the plain PDS
(connected, the app password nowhere but the secrets file), and the Audience step on a network with an
AppView — connect through the dialog, search, see the right candidate with its reasons, accept, follow:
the follow record exists exactly once, even after a second run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from atproto import Client, models
from textual.widgets import Input

from quittex_tui import audience, paths
from quittex_tui.tui.app import make_app
from quittex_tui.tui.i18n import t
from quittex_tui.tui.screens.connect import BlueskyLoginScreen
from quittex_tui.tui.screens.modals import ConfirmScreen, PromptScreen
from quittex_tui.tui.widgets.item_list import ItemList
from tests.audience.netutil import PASSWORD, bsky_account, list_records, wait_indexed
from tests.tui.conftest import wait_for, wait_main

pytestmark = pytest.mark.anyio


async def _connect_bluesky(pilot, handle: str, password: str, service: str) -> None:
    """Accounts (2) -> Bluesky -> Enter -> the dialog, typed into, Ctrl+S; until connected."""
    app = pilot.app
    s = app.screen.session
    await pilot.press("2")
    accounts = app.screen.query_one("#accounts")
    while accounts.get_option_at_index(accounts.highlighted).id != "bluesky":
        await pilot.press("k")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, BlueskyLoginScreen))
    dialog = app.screen
    for field, value in (("#bsky-handle", handle), ("#bsky-password", password), ("#bsky-service", service)):
        dialog.query_one(field, Input).focus()
        await pilot.press(*value)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: s.slots["bluesky"].connected or bool(s.slots["bluesky"].error), timeout=30)
    assert s.slots["bluesky"].connected, s.slots["bluesky"].error


async def test_bluesky_connect_dialog_on_the_real_pds(
    test_servers: dict[str, str], isolated_home: Path
) -> None:
    pds = test_servers["QTX_PDS_URL"]
    handle, password = "h9-dialog.test", "dialog-secret-Pa55word"
    Client(base_url=pds).com.atproto.server.create_account(
        models.ComAtprotoServerCreateAccount.Data(
            handle=handle, email="h9-dialog@example.com", password=password
        )
    )
    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app.run_test(size=(80, 24)) as pilot:
        main = await wait_main(pilot)
        await _connect_bluesky(pilot, handle, password, pds)
        await pilot.pause(0.3)
        option = main.query_one("#accounts").get_option("bluesky")
        assert t("accounts.connected") in str(option.prompt)
        assert handle in str(main.query_one("#account-detail").render())
        shown = str(main.query_one("#account-detail").render())
        assert password not in shown
        await pilot.press("q")
    secrets = paths.config_dir() / "secrets.toml"
    assert password in secrets.read_text("utf-8")  # the file fallback (QUITTEX_NO_KEYRING=1 in tests)
    assert secrets.stat().st_mode & 0o077 == 0
    leaked = []
    for root, _dirs, files in os.walk(isolated_home):  # symlinks (the shared media cache) not followed
        for name in files:
            path = Path(root) / name
            if path != secrets and password.encode() in path.read_bytes():
                leaked.append(path)
    assert not leaked, leaked


async def test_audience_search_accept_follow_on_a_real_appview(
    appview_servers: dict[str, str], tmp_path: Path
) -> None:
    pds, appview = appview_servers["QTX_APPVIEW_PDS_URL"], appview_servers["QTX_APPVIEW_URL"]
    me = "h9-camille.test"
    me_client, me_did = bsky_account(pds, me, "Camille", "journaliste")
    # One of the demo archive's follows has no handle in the archive; the user's handles file names it
    # (so no other test's search can meet these accounts). The right account names the X handle in its
    # bio, the decoy names another X account.
    accounts = {
        "h9-person.test": ("H9 Person", "Photographe. @h9_person sur X"),
        "h9person-fan.test": ("H9 fan", "Fan account, the real one is x.com/h9_person_real"),
    }
    dids = {me: me_did}
    for handle, (name, bio) in accounts.items():
        _, dids[handle] = bsky_account(pds, handle, name, bio)
    wait_indexed(appview, dids, {me: "Camille", **{h: v[0] for h, v in accounts.items()}})

    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await wait_main(pilot)
        s = main.session
        await _connect_bluesky(pilot, me, PASSWORD, pds)
        await pilot.press("7")
        model = s.audience
        await wait_for(pilot, lambda: model.loaded)
        assert model.network == "bluesky"  # the connected network is the one shown
        unknown = next(p for p in model.people if not p.x_handle and "following" in p.relations)
        handles = tmp_path / "handles.csv"
        handles.write_text(f"x_id,x_handle\n{unknown.x_id},h9_person\n", "utf-8")
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*str(handles), "enter")
        await wait_for(pilot, lambda: model.loaded and any(p.x_handle == "h9_person" for p in model.people))
        await pilot.press("s")
        await wait_for(
            pilot, lambda: model.search["bluesky"].done or bool(model.search["bluesky"].error), timeout=60
        )
        assert not model.search["bluesky"].error
        people = main.query_one("#people", ItemList)
        target = next(i for i, idx in enumerate(people.indices) if people.rows[idx].id == unknown.x_id)
        await pilot.press("g", *["j"] * target)
        await pilot.pause(0.1)
        detail = str(main.query_one("#person-detail").render())
        best = model.chosen(unknown.x_id)
        assert best is not None and best.did == dids["h9-person.test"]
        assert best.reasons[:3] == ["handle equal", "bio names the X handle", "display name equal"]
        assert "@h9_person" in detail and "handles.csv" in detail
        assert "h9-person.test" in detail and "handle equal" in detail and "bio names the X handle" in detail
        assert "h9person-fan.test" in detail and "bio names another X account (@h9_person_real)" in detail

        await pilot.press("a")
        assert audience.get_decision(s.state, unknown.x_id, "bluesky").did == dids["h9-person.test"]
        for _run in range(2):  # following twice writes one record
            await pilot.press("F")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert "1" in str(app.screen.query_one(".dialog-title").render())
            await pilot.press("y")
            await wait_for(
                pilot,
                lambda: model.follows["bluesky"].report is not None and not model.follows["bluesky"].running,
                timeout=60,
            )
            assert not model.follows["bluesky"].error
        assert model.follows["bluesky"].already == 1
        shown = str(main.query_one("#aud-follow").render())
        assert "1 already" in shown

        # the profile carry-over: confirmation first, then written in a worker
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        name = model.profile_fields()["bluesky"]["name"]
        assert name in str(app.screen.query_one(".dialog-body").render())
        await pilot.press("y")
        await wait_for(pilot, lambda: "bluesky" in model.profile_done, timeout=60)
        assert model.profile_done["bluesky"] == ""
        await pilot.press("q")
    profile = me_client.com.atproto.repo.get_record(
        models.ComAtprotoRepoGetRecord.Params(repo=me_did, collection="app.bsky.actor.profile", rkey="self")
    )
    assert profile.value.display_name == name == s.archive.account.display_name
    follows = [
        r
        for r in list_records(me_client, me_did, "app.bsky.graph.follow")
        if r.value.subject == dids["h9-person.test"]
    ]
    assert len(follows) == 1
