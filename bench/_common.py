"""Shared helpers for the bench/ scripts: the cached synthetic archive, timed subprocesses, figures.

Every bench script is `bench/bench_<name>.py` exposing

    def measure(ctx: BenchContext) -> list[Figure]

(and a `main()` that prints its figures). `run_all.py` discovers them and prints one Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"  # gitignored
GIB = 1024**3


@dataclass
class Figure:
    bench: str  # e.g. "inspect"
    metric: str  # what was measured, in words
    value: str  # formatted measurement (wall time for timings)
    goal: str = ""  # the goal, in words ("≤ 2× floor")
    ok: bool | None = None  # None: informational
    cpu: str = ""  # user+system CPU time of the same runs (the machine is shared: CPU is steadier)
    peak: str = ""  # peak RSS of the measured process


@dataclass
class Run:
    wall_s: float
    cpu_s: float  # user + system time of that process (less sensitive to a busy machine than wall)
    max_rss_bytes: int
    returncode: int
    stdout_path: Path
    stderr: str


# Issue 16's archive sizes (tweets) and photo counts; `--quick` measures the first of each only.
SIZES = (100_000, 300_000, 500_000)
PHOTOS = (1_000, 3_000, 10_000)
# Photos per tweet of the synthetic archive at media rate 1 (its default mix, measured): sizes the photo
# archives (N photos ≈ PHOTOS_PER_TWEET × rate × tweets).
PHOTOS_PER_TWEET = 0.14


@dataclass
class BenchContext:
    n: int = 100_000
    repeat: int = 3
    seed: int = 7
    sizes: tuple[int, ...] = SIZES
    photos: tuple[int, ...] = PHOTOS
    _archives: dict[tuple[int, bool, float, int], Path] = field(default_factory=dict)

    def archive(
        self,
        with_media: bool = False,
        *,
        n: int | None = None,
        media_rate: float = 1.0,
        max_photo_bytes: int = 0,
    ) -> Path:
        """The synthetic archive of `n` tweets (default ctx.n), generated once, cached under bench/out/."""
        key = (n or self.n, with_media, media_rate, max_photo_bytes)
        if key not in self._archives:
            self._archives[key] = ensure_archive(
                key[0],
                seed=self.seed,
                with_media=with_media,
                media_rate=media_rate,
                max_photo_bytes=max_photo_bytes,
            )
        return self._archives[key]

    def repeat_for(self, n: int) -> int:
        """Runs per timing: `repeat` up to 100k tweets; the big archives once (minutes each otherwise)."""
        return self.repeat if n <= 100_000 else 1


def ensure_archive(
    n: int, *, seed: int = 7, with_media: bool = False, media_rate: float = 1.0, max_photo_bytes: int = 0
) -> Path:
    # The cache key includes the generator's own hash: editing synth_archive.py regenerates.
    gen = BENCH / "synth_archive.py"
    digest = hashlib.sha256(gen.read_bytes()).hexdigest()[:10]
    rate = f"-r{media_rate:g}" if media_rate != 1.0 else ""
    small = f"-max{max_photo_bytes // 1000}k" if max_photo_bytes else ""
    path = OUT / f"synth-{n}-s{seed}{rate}{'-media' if with_media else ''}{small}-{digest}.zip"
    if not path.exists():
        print(f"[bench] generating {path.name} …", file=sys.stderr, flush=True)
        cmd = [
            sys.executable,
            str(gen),
            str(n),
            "--out",
            str(path),
            "--seed",
            str(seed),
            "--media-rate",
            str(media_rate),
        ]
        if with_media:
            cmd.append("--with-media")
        if max_photo_bytes:
            cmd += ["--max-photo-bytes", str(max_photo_bytes)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return path


def fresh_home(name: str) -> Path:
    """An empty QUITTEX_HOME (a cold cache: no index, no plan summaries, no prepared media)."""
    import shutil

    home = OUT / "homes" / name
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    return home


def bench_env(home: Path | None = None) -> dict[str, str]:
    """Environment for the measured processes: an isolated QUITTEX_HOME, no keyring, no colour."""
    env = dict(os.environ)
    if home is None:
        home = OUT / "home"
        home.mkdir(parents=True, exist_ok=True)
    env.update(QUITTEX_HOME=str(home), QUITTEX_NO_KEYRING="1", NO_COLOR="1")
    return env


TIME = "/usr/bin/time"  # GNU time: its own child's peak RSS, see run_measured


def run_measured(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 3600) -> Run:
    """Run `cmd`, return its wall time, CPU time and its OWN peak RSS.

    Peak RSS: Linux starts a new process's ru_maxrss at its parent's peak when the parent spawns it
    (vfork + exec keeps the parent's high-water mark), so the rusage of a child of this (large) bench
    process would report the bench's own memory. GNU time, a tiny process, forks the command itself and
    reports that grandchild's true peak: it is used when present (the issue asks for /usr/bin/time -v);
    without it, os.wait4's figure is an upper bound."""
    OUT.mkdir(parents=True, exist_ok=True)
    out = tempfile.NamedTemporaryFile(prefix="qtx-bench-", suffix=".out", dir=OUT, delete=False)  # noqa: SIM115
    err = tempfile.TemporaryFile()  # noqa: SIM115
    rss_file = Path(out.name + ".rss")
    timed = os.path.exists(TIME)
    full = [TIME, "-f", "%M", "-o", str(rss_file), *cmd] if timed else cmd
    start = time.perf_counter()
    proc = subprocess.Popen(full, stdout=out, stderr=err, env=env or bench_env(), cwd=ROOT)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.005)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: tell Popen
    out.close()
    err.seek(0)
    stderr = err.read().decode("utf-8", "replace")
    err.close()
    # Linux reports ru_maxrss in KiB (macOS in bytes); GNU time's %M is KiB too.
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    if timed:
        with contextlib.suppress(OSError, ValueError, IndexError):
            rss = int(rss_file.read_text().strip().splitlines()[-1]) * 1024
        rss_file.unlink(missing_ok=True)
    cpu = usage.ru_utime + usage.ru_stime  # the children's: GNU time's own CPU is negligible
    return Run(wall, cpu, rss, proc.returncode, Path(out.name), stderr)


def repeat_measured(
    cmd: list[str], times: int, *, home: Path | None = None, cold: str | None = None
) -> list[Run]:
    """`cmd` run `times` times. `cold`: each run in a fresh QUITTEX_HOME named so (an empty cache);
    else every run in `home` (a warm cache once the first has run)."""
    runs = []
    for _ in range(max(1, times)):
        run_home = fresh_home(cold) if cold else home
        run = run_measured(cmd, env=bench_env(run_home))
        if run.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({run.returncode}):\n{run.stderr[-2000:]}")
        runs.append(run)
    return runs


def timing(bench: str, metric: str, runs: list[Run], goal: str = "", ok: bool | None = None) -> Figure:
    """A Figure of the median wall time, with the median CPU time and the highest peak RSS beside it."""
    return Figure(
        bench,
        metric,
        fmt_s(median_wall(runs)),
        goal,
        ok,
        cpu=fmt_s(median_cpu(runs)),
        peak=fmt_mib(max(r.max_rss_bytes for r in runs)),
    )


def size_label(n: int) -> str:
    return f"{n // 1000}k tweets"


def memory_goal(n: int) -> tuple[str, int]:
    """Issue 16's memory goals: under 500 MiB at 100k tweets, 1 GiB (a small VPS) at 300k, 2 GiB at 500k."""
    if n <= 100_000:
        return "< 500 MiB", 500 * 1024**2
    if n <= 300_000:
        return "< 1 GiB", GIB
    return "< 2 GiB", 2 * GIB


def median_wall(runs: list[Run]) -> float:
    return statistics.median(r.wall_s for r in runs)


def median_cpu(runs: list[Run]) -> float:
    return statistics.median(r.cpu_s for r in runs)


def cli(*args: str) -> list[str]:
    """`quittex-tui …` run by the same interpreter as the bench (the project's venv)."""
    return [sys.executable, "-m", "quittex_tui", *args]


def command_available(name: str) -> bool:
    proc = subprocess.run(cli(name, "--help"), capture_output=True, env=bench_env(), cwd=ROOT)
    return proc.returncode == 0


def standalone(
    doc: str,
    measure: Callable[[BenchContext, argparse.Namespace], list[Figure]],
    argv: list[str] | None = None,
    extra: Callable[[argparse.ArgumentParser], None] | None = None,
) -> int:
    """`main()` of a bench run on its own: --n/--repeat (+ `extra` options), the figures, exit 1 on a
    missed goal (run_all.py calls each bench's `measure(ctx)` instead)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="tweets, comma-separated")
    parser.add_argument("--photos", default=",".join(map(str, PHOTOS)), help="photos, comma-separated")
    if extra is not None:
        extra(parser)
    args = parser.parse_args(argv)
    ctx = BenchContext(
        n=args.n, repeat=args.repeat, sizes=parse_counts(args.sizes), photos=parse_counts(args.photos)
    )
    figures = measure(ctx, args)
    print_figures(figures)
    return 0 if all(f.ok is not False for f in figures) else 1


def print_figures(figures: list[Figure]) -> None:
    for f in figures:
        verdict = "" if f.ok is None else ("  [ok]" if f.ok else "  [MISSED]")
        goal = f"  (goal {f.goal})" if f.goal else ""
        extra = (f"  cpu {f.cpu}" if f.cpu else "") + (f"  peak {f.peak}" if f.peak else "")
        print(f"{f.bench:10} {f.metric:60} {f.value:>12}{extra}{goal}{verdict}")


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def fmt_mib(n_bytes: int) -> str:
    return f"{n_bytes / 1024**2:.0f} MiB"


def parse_counts(text: str) -> tuple[int, ...]:
    """ "100000,300k,1_000" → (100000, 300000, 1000)."""
    out = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if part:
            out.append(int(float(part[:-1]) * 1000) if part.endswith("k") else int(part))
    return tuple(out)
