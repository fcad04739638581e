"""Drive the app to a step with keys, for the snapshot tests and scripts/screenshots.py (same pictures).

Only Pilot key presses and waits on the session's own state: nothing here changes how the app works.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

STEP_KEYS = {
    "archive": "1",
    "accounts": "2",
    "select": "3",
    "review": "4",
    "migrate": "5",
    "report": "6",
    "audience": "7",
}


async def wait_for(pilot: Any, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Let the app run until `condition()` holds (workers report back through messages)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.05)


def idle(pilot: Any) -> bool:
    return not any(w.is_running for w in pilot.app.workers)


async def wait_main(pilot: Any) -> Any:
    """Wait for the main screen (archive read, plans built) with every start-up worker finished."""
    from quittex_tui.tui.screens.main import MainScreen

    await wait_for(pilot, lambda: isinstance(pilot.app.screen, MainScreen))
    await wait_for(pilot, lambda: idle(pilot))
    main = pilot.app.screen
    await wait_for(pilot, lambda: main.focus_settled)  # MainScreen.focus_step's fix-up pass has run
    return main


async def show_step(pilot: Any, step: str) -> None:
    """Open `step` (for "report", after the demo's whole migration to its dry-run destination, so the
    Report has links), toasts cleared."""
    from quittex_tui.networks import DRY_RUN

    main = await wait_main(pilot)
    slot = main.session.slots.get(DRY_RUN)  # the demo's destination: a dry run, nothing leaves the machine
    if step == "report" and slot is not None:
        await pilot.press(STEP_KEYS["migrate"], "s", "y")
        await wait_for(pilot, lambda: slot.report is not None and not slot.running)
    await pilot.press(STEP_KEYS[step])
    if step == "report" and slot is not None:
        await wait_for(pilot, lambda: bool(slot.links))
    await wait_for(pilot, lambda: idle(pilot) and main.focus_settled)
    pilot.app.clear_notifications()
    await pilot.pause()
