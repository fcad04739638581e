#!/usr/bin/env python3
"""Photos: `plan` of an archive with 1k / 3k / 10k real photos beside the same archive without its media
files, with an empty and a warm cache; and what preparing a photo costs at send time.

Issue 16, goal: plan with N photos within 1.5× of the same archive without its media files, whatever N
(the plan reads no media file: what it says of a photo comes from the zip's directory and the tweet).
The photos are real JPEGs of 70 KB – 2.6 MB, half with camera EXIF and GPS (bench/synth_archive.py's
pool); the archive "without media files" has the very same tweets.js. Send time: the media stage
(publish/media_stage.py) prepares photos for Bluesky (decode, strip, fit under 1 MB), first with an empty
media cache, then warm (a rerun: found in the cache).

    .venv/bin/python bench/bench_media.py [--photos 1000,3000,10000] [--repeat 3]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # bench/ is a folder of scripts, not a package
    PHOTOS_PER_TWEET,
    BenchContext,
    Figure,
    bench_env,
    cli,
    fresh_home,
    median_cpu,
    median_wall,
    repeat_measured,
    run_measured,
    standalone,
    timing,
)

MEDIA_RATE = 2.0  # twice the synthetic mix's media: ~0.28 photos per tweet
PREPARE_SAMPLE = 60  # photos prepared at send time, cold then warm

# Child process: prepare the first photos of the plan as the engine does right before sending them.
PREPARE_CODE = """
import json, sys, time
from quittex_tui.archive import open_archive
from quittex_tui.convert.models import PlanOptions
from quittex_tui.convert.plan import build_plan
from quittex_tui.publish.media_stage import MediaStage
archive = open_archive(sys.argv[1])
plan = build_plan(archive, PlanOptions(target="bluesky"))
posts = [p for item in plan.items for p in item.posts if p.media and p.media[0].kind == "image"]
stage = MediaStage.for_plan(plan)
out, photos, sizes = {}, 0, []
for label in ("cold", "warm"):
    t0, c0, count = time.perf_counter(), time.process_time(), 0
    for post in posts:
        if count >= int(sys.argv[2]):
            break
        ready = stage.prepare_post(post)
        count += len(ready.media)
        if label == "cold":
            sizes += [(m.bytes, s.bytes) for m, s in zip(ready.media, post.media)]
    out[label] = ((time.perf_counter() - t0) / count, (time.process_time() - c0) / count)
    photos = count
out["photos"] = photos
out["max_prepared"] = max(a for a, _ in sizes)
out["source_mb"] = sum(b for _, b in sizes) / len(sizes) / 1e6
print(json.dumps(out))
"""


def measure(ctx: BenchContext) -> list[Figure]:
    figures: list[Figure] = []
    for photos in ctx.photos:
        n = round(photos / (PHOTOS_PER_TWEET * MEDIA_RATE))
        with_files = ctx.archive(True, n=n, media_rate=MEDIA_RATE)
        without = ctx.archive(False, n=n, media_rate=MEDIA_RATE)
        counts = _counts(with_files)
        label = f"{counts['media']:,} media ({counts['photos']:,} photos), {n // 1000}k tweets"
        runs = {}
        for name, archive in (("with", with_files), ("without", without)):
            cmd = cli("plan", str(archive), "--to", "bluesky", "--json")
            runs[name, "cold"] = repeat_measured(cmd, ctx.repeat, cold=f"media-{photos}-{name}")
            home = fresh_home(f"media-warm-{photos}-{name}")
            repeat_measured(cmd, 1, home=home)
            runs[name, "warm"] = repeat_measured(cmd, ctx.repeat, home=home)
        for r in (r for rs in runs.values() for r in rs):
            r.stdout_path.unlink(missing_ok=True)
        for state in ("cold", "warm"):
            with_runs, without_runs = runs["with", state], runs["without", state]
            ratio = median_wall(with_runs) / median_wall(without_runs)
            cpu_ratio = median_cpu(with_runs) / median_cpu(without_runs)
            cache = "empty cache" if state == "cold" else "warm cache"
            figures += [
                timing("media", f"{label}: `plan --to bluesky --json`, {cache}", with_runs),
                timing("media", f"  same archive without its media files, {cache}", without_runs),
                Figure(
                    "media",
                    f"  with / without media files, {cache} (wall; CPU)",
                    f"{ratio:.2f}×",
                    "≤ 1.5×",
                    ratio <= 1.5,
                    cpu=f"{cpu_ratio:.2f}×",
                ),
            ]
    figures += _prepare(ctx)
    return figures


def _counts(archive: Path) -> dict[str, int]:
    """Media files in the archive, from its zip directory: photos (.jpg) and all."""
    import zipfile

    with zipfile.ZipFile(archive) as zf:
        names = [n for n in zf.namelist() if n.startswith("data/tweets_media/")]
    return {"media": len(names), "photos": sum(1 for n in names if n.endswith(".jpg"))}


def _prepare(ctx: BenchContext) -> list[Figure]:
    photos = ctx.photos[0]
    archive = ctx.archive(True, n=round(photos / (PHOTOS_PER_TWEET * MEDIA_RATE)), media_rate=MEDIA_RATE)
    run = run_measured(
        [sys.executable, "-c", PREPARE_CODE, str(archive), str(PREPARE_SAMPLE)],
        env=bench_env(fresh_home("media-prepare")),
    )
    if run.returncode != 0:
        raise RuntimeError(run.stderr[-2000:])
    out = json.loads(run.stdout_path.read_text())
    run.stdout_path.unlink(missing_ok=True)
    n = out["photos"]
    return [
        Figure(
            "media",
            f"send time: prepare a photo for Bluesky, empty cache ({n} photos, avg "
            f"{out['source_mb']:.1f} MB)",
            f"{out['cold'][0] * 1000:.0f} ms",
            cpu=f"{out['cold'][1] * 1000:.0f} ms",
        ),
        Figure(
            "media",
            "send time: the same photos again (warm media cache)",
            f"{out['warm'][0] * 1000:.1f} ms",
            cpu=f"{out['warm'][1] * 1000:.1f} ms",
        ),
        Figure(
            "media",
            "send time: largest prepared photo (Bluesky limit 1,000,000 B)",
            f"{out['max_prepared']:,} B",
            "≤ 1,000,000 B",
            out["max_prepared"] <= 1_000_000,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    return standalone(__doc__ or "", lambda ctx, _args: measure(ctx), argv)


if __name__ == "__main__":
    raise SystemExit(main())
