"""Shared helpers for the bench/ scripts: the cached synthetic archive, timed subprocesses, figures.

Every bench script is `bench/bench_<name>.py` exposing

    def measure(ctx: BenchContext) -> list[Figure]

(and a `main()` that prints its figures). `run_all.py` discovers them and prints one Markdown table.
"""

from __future__ import annotations

import argparse
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
    value: str  # formatted measurement
    goal: str = ""  # the goal, in words ("≤ 2× floor")
    ok: bool | None = None  # None: informational


@dataclass
class Run:
    wall_s: float
    cpu_s: float  # user + system time of that process (less sensitive to a busy machine than wall)
    max_rss_bytes: int
    returncode: int
    stdout_path: Path
    stderr: str


@dataclass
class BenchContext:
    n: int = 100_000
    repeat: int = 3
    seed: int = 7
    _archives: dict[tuple[int, bool], Path] = field(default_factory=dict)

    def archive(self, with_media: bool = False) -> Path:
        """The synthetic archive of `n` tweets, generated once and cached under bench/out/."""
        key = (self.n, with_media)
        if key not in self._archives:
            self._archives[key] = ensure_archive(self.n, seed=self.seed, with_media=with_media)
        return self._archives[key]


def ensure_archive(n: int, *, seed: int = 7, with_media: bool = False) -> Path:
    # The cache key includes the generator's own hash: editing synth_archive.py regenerates.
    gen = BENCH / "synth_archive.py"
    digest = hashlib.sha256(gen.read_bytes()).hexdigest()[:10]
    path = OUT / f"synth-{n}-s{seed}{'-media' if with_media else ''}-{digest}.zip"
    if not path.exists():
        print(f"[bench] generating {path.name} …", file=sys.stderr)
        cmd = [sys.executable, str(gen), str(n), "--out", str(path), "--seed", str(seed)]
        if with_media:
            cmd.append("--with-media")
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return path


def bench_env() -> dict[str, str]:
    """Environment for the measured processes: an isolated QUITTEX_HOME, no keyring, no colour."""
    env = dict(os.environ)
    home = OUT / "home"
    home.mkdir(parents=True, exist_ok=True)
    env.update(QUITTEX_HOME=str(home), QUITTEX_NO_KEYRING="1", NO_COLOR="1")
    return env


def run_measured(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 1800) -> Run:
    """Run `cmd`, return its wall time and its OWN peak RSS (os.wait4 rusage of that child only)."""
    OUT.mkdir(parents=True, exist_ok=True)
    out = tempfile.NamedTemporaryFile(prefix="qtx-bench-", suffix=".out", dir=OUT, delete=False)  # noqa: SIM115
    err = tempfile.TemporaryFile()  # noqa: SIM115
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env or bench_env(), cwd=ROOT)
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
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, cpu, rss, proc.returncode, Path(out.name), stderr)


def repeat_measured(cmd: list[str], times: int) -> list[Run]:
    runs = []
    for _ in range(max(1, times)):
        run = run_measured(cmd)
        if run.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({run.returncode}):\n{run.stderr[-2000:]}")
        runs.append(run)
    return runs


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
    if extra is not None:
        extra(parser)
    args = parser.parse_args(argv)
    figures = measure(BenchContext(n=args.n, repeat=args.repeat), args)
    print_figures(figures)
    return 0 if all(f.ok is not False for f in figures) else 1


def print_figures(figures: list[Figure]) -> None:
    for f in figures:
        verdict = "" if f.ok is None else ("  [ok]" if f.ok else "  [MISSED]")
        goal = f"  (goal {f.goal})" if f.goal else ""
        print(f"{f.bench:10} {f.metric:48} {f.value:>14}{goal}{verdict}")


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def fmt_mib(n_bytes: int) -> str:
    return f"{n_bytes / 1024**2:.0f} MiB"
