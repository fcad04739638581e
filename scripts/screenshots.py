#!/usr/bin/env python3
"""Regenerate screenshots/*.svg from the real app on the demo archive: every step at 120x40 and 80x24.

    .venv/bin/python scripts/screenshots.py [--lang en|fr] [--png]

Drives the same app factory and the same key presses as the snapshot tests (quittex_tui.tui.drive),
in a throwaway QUITTEX_HOME with the dry-run destination, so the pictures are real and contain no
secret. `--png` also converts each SVG with `rsvg-convert` (Debian: librsvg2-bin) when it is installed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
SIZES = ((120, 40), (80, 24))
STEPS = ("archive", "accounts", "select", "review", "migrate", "report", "audience")


async def shoot(step: str, size: tuple[int, int], lang: str, out: Path) -> Path:
    from quittex_tui.tui.app import make_app
    from quittex_tui.tui.drive import show_step

    app = make_app(None, demo=True, lang=lang, dry_run_latency=0)
    async with app.run_test(size=size) as pilot:
        await show_step(pilot, step)
        suffix = "" if lang == "en" else f"-{lang}"
        name = f"{STEPS.index(step) + 1}-{step}-{size[0]}x{size[1]}{suffix}.svg"
        app.save_screenshot(filename=name, path=str(out))
    return out / name


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=("en", "fr"), default="en")
    parser.add_argument("--png", action="store_true", help="also write PNGs with rsvg-convert")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    rsvg = shutil.which("rsvg-convert") if args.png else None
    if args.png and not rsvg:
        print("rsvg-convert not found (apt install librsvg2-bin): writing SVG only", file=sys.stderr)
    os.environ["QUITTEX_NO_KEYRING"] = "1"
    with tempfile.TemporaryDirectory(prefix="quittex-shots-") as tmp:
        cache = Path(tmp) / "cache"  # converted demo media, shared by the shots
        for size in SIZES:
            for step in STEPS:
                # a fresh home per picture (never the user's own migrations): each opens at step 1
                home = Path(tempfile.mkdtemp(dir=tmp))
                cache.mkdir(exist_ok=True)
                (home / "cache").symlink_to(cache)
                os.environ["QUITTEX_HOME"] = str(home)
                svg = asyncio.run(shoot(step, size, args.lang, OUT))
                print(svg.relative_to(ROOT))
                if rsvg:
                    png = svg.with_suffix(".png")
                    subprocess.run([rsvg, "-o", str(png), str(svg)], check=True)
                    print(png.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
