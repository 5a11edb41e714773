"""`make bench`: how fast is fast enough, decided by measurement (issue 5).

    python -m bench.run              full run: 1k/10k/100k providers, several minutes
    python -m bench.run --smoke      ~20 s, 1k providers: checks that the harness works
    python -m bench.run --reference  full run, and also writes bench/results/reference.md

Everything is measured in one run on one machine, and only ratios measured side by side are
judged: machines differ, ratios travel. Sections:

  http     gunicorn (serve's threaded workers, one per CPU) on 127.0.0.1, the largest directory,
           loaded by wrk at concurrency 1, 4 and 32, /bench/floor and /v1/search alternated
  scaling  find_nearest latency at every size, for a common and a rare category
  import   `directory-api import` of the largest CSV into SQLite (and PostgreSQL when
           TEST_DATABASE_URL is set) against a plain csv.reader pass; peak RSS
  memory   RSS of one serving worker holding the largest directory; index build time
  practice /v1/referral (three care types) against one search, CPU per request; the CSV
           export of the largest directory against a plain csv.writer pass (bench/practice.py)

Results: bench/results/latest.json and latest.md (git-ignored). wrk is Debian's package: a full
run installs it with apt-get when it is missing and this runs as root; the smoke run skips the
HTTP load without it and says so. Only 127.0.0.1 is loaded; every process started is stopped.
"""

from __future__ import annotations

import argparse
import csv
import gc
import hashlib
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from bench import generate, practice
from bench.probe import rss_kib

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
LUA = BENCH_DIR / "search.lua"
SECTIONS = (
    "machine",
    "plan",
    "http",
    "scaling",
    "import",
    "memory",
    "as_of",
    "practice",
    "targets",
)
SCHEME = "uninsurable"
PACKAGES = (
    "flask",
    "flask-smorest",
    "webargs",
    "marshmallow",
    "werkzeug",
    "shapely",
    "numpy",
    "geopy",
    "SQLAlchemy",
    "psycopg",
    "gunicorn",
)


@dataclass(frozen=True)
class Plan:
    mode: str
    sizes: tuple[int, ...]  # scaling sizes; the largest is imported and served
    concurrencies: tuple[int, ...]
    wrk_seconds: int  # per wrk run
    wrk_warmup_seconds: int
    rounds: int  # floor/search pairs per concurrency (alternating order); medians reported
    queries: int  # in-process find_nearest calls per size and category
    client_queries: int  # Flask test-client searches per size
    index_repeat: int
    scaling_rounds: int  # interleaved rounds over the sizes

    @property
    def largest(self) -> int:
        return max(self.sizes)

    @property
    def smoke(self) -> bool:
        return self.mode == "smoke"


# Five rounds of each side-by-side pair: the median then holds when two of a side's 8 s
# windows fall in a slow spell of the machine (its speed drifts by a quarter over seconds).
FULL = Plan("full", (1_000, 10_000, 100_000), (1, 4, 32), 8, 3, 5, 3000, 600, 3, 6)
SMOKE = Plan("smoke", (250, 1_000), (1, 4, 32), 1, 1, 1, 200, 50, 1, 2)


# -- small helpers ------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def pct(values: Any, q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q))


def mib(kib: float | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else round(a / b, 3)


def directory_api_cmd() -> list[str]:
    """The console script next to this interpreter (as installed by `make install`)."""
    script = Path(sys.executable).parent / "directory-api"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from directory_api.cli import main; main()"]


@dataclass
class Measured:
    returncode: int
    wall_s: float
    maxrss_kib: int
    stdout: str
    stderr: str


def run_measured(cmd: list[str], env: dict[str, str], timeout: float) -> Measured:
    """Run a child to the end; its wall time and its own peak RSS (wait4's ru_maxrss)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=out, stderr=err, text=True)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(proc.returncode, wall, usage.ru_maxrss, out.read(), err.read())


def tagged_json(text: str, tag: str) -> dict[str, Any]:
    for line in text.splitlines():
        if line.startswith(tag + " "):
            return json.loads(line[len(tag) + 1 :])  # type: ignore[no-any-return]
    raise RuntimeError(f"no {tag} line in the output:\n{text[-2000:]}")


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DIRECTORY_BENCH_MODE", None)
    env.update(extra)
    return env


# -- machine --------------------------------------------------------------------------------


def machine_facts(wrk: str | None) -> dict[str, Any]:
    cpu_model = None
    mem_total = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_total = int(line.split()[1])
    except OSError:
        pass
    packages: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    wrk_version = None
    if wrk:
        probe = subprocess.run([wrk, "--version"], capture_output=True, text=True)
        text = (probe.stdout + probe.stderr).split()
        wrk_version = " ".join(text[:2]) if text else None
    git = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True
    )
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": cpu_model,
        "mem_total_mib": mib(mem_total),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "sqlite": sqlite3.sqlite_version,
        "packages": packages,
        "wrk": wrk_version,
        "loadavg_start": loadavg(),
        "git_commit": git.stdout.strip() or None,
        "git_dirty": bool(dirty.stdout.strip()),
    }


# -- wrk ------------------------------------------------------------------------------------


def find_wrk(install: bool) -> tuple[str | None, str | None]:
    """(path to wrk, note). Installs Debian's wrk when allowed, missing and root."""
    found = shutil.which("wrk")
    if found:
        return found, None
    how = "install it with: apt-get install -y wrk (Debian package)"
    if not install:
        return None, f"wrk not installed: HTTP load skipped ({how})"
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, f"wrk not installed and cannot install it here: {how}"
    log("wrk is missing: installing Debian's wrk with apt-get")
    env = child_env(DEBIAN_FRONTEND="noninteractive")
    for cmd in (
        ["apt-get", "install", "-y", "-qq", "wrk"],
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "wrk"],
    ):
        subprocess.run(cmd, env=env, capture_output=True, timeout=600)
        if shutil.which("wrk"):
            return shutil.which("wrk"), "wrk was installed by this run (apt-get install wrk)"
    return None, f"wrk could not be installed: {how}"


def run_wrk(
    wrk: str, port: int, mode: str, concurrency: int, seconds: int, origins_file: Path, care: str
) -> dict[str, Any]:
    cmd = [
        wrk,
        "-t",
        "1",
        "-c",
        str(concurrency),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}",
        "--",
        mode,
        str(origins_file),
        care,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-1000:]}")
    raw = tagged_json(done.stdout, "BENCH_JSON")
    seconds_run = raw["duration_us"] / 1e6
    lat = raw["latency_us"]
    errors = raw["errors"]
    return {
        "endpoint": mode,
        "concurrency": concurrency,
        "requests": raw["requests"],
        "seconds": round(seconds_run, 3),
        "rps": round(raw["requests"] / seconds_run, 1) if seconds_run else 0.0,
        "p50_ms": round(lat["p50"] / 1000, 3),
        "p90_ms": round(lat["p90"] / 1000, 3),
        "p99_ms": round(lat["p99"] / 1000, 3),
        "max_ms": round(lat["max"] / 1000, 3),
        "errors": errors,
        "bad": sum(errors.values()),
    }


# -- gunicorn -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(port: int, path: str, timeout: float = 30.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes, in seconds (/proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return total / ticks


def loadavg() -> list[float] | None:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return None


class Server:
    """`directory-api serve` (gunicorn, its threaded workers) in its own process group."""

    def __init__(self, env: dict[str, str], workers: int, log_path: Path) -> None:
        self.port = free_port()
        self.workers = workers
        self.log_path = log_path
        self._log = log_path.open("w")
        cmd = [
            *directory_api_cmd(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
        ]
        self.proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=REPO,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}): {self.tail()}")
            try:
                status, _ = http_get(self.port, "/health", timeout=2)
                if status == 200 and len(children_of(self.proc.pid)) >= self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn not ready after {timeout} s: {self.tail()}")

    def worker_pids(self) -> list[int]:
        return children_of(self.proc.pid)

    def tail(self) -> str:
        self._log.flush()
        return self.log_path.read_text()[-2000:]

    def stop(self) -> None:
        """TERM the whole process group (master and workers), KILL it if it lingers."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        self._log.close()


def bench_http(
    plan: Plan,
    env: dict[str, str],
    wrk: str | None,
    wrk_note: str | None,
    origins_file: Path,
    tmp: Path,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(http section, the serving worker's part of the memory section)."""
    workers = os.cpu_count() or 1
    server = Server(env | {"DIRECTORY_BENCH_MODE": "1"}, workers, tmp / "gunicorn.log")
    http: dict[str, Any] = {
        "providers": plan.largest,
        "workers": workers,
        "worker_class": "gthread",
        "care": generate.COMMON[1],
        "scheme": SCHEME,
        "wrk_threads": 1,
        "seconds_per_run": plan.wrk_seconds,
        "rounds": plan.rounds,
        "order": "per concurrency and round: floor then search, next round search then floor; "
        "the median over rounds is reported",
    }
    memory: dict[str, Any] = {}
    try:
        started = time.perf_counter()
        server.wait_ready()
        http["startup_s"] = round(time.perf_counter() - started, 3)
        status, body = http_get(server.port, "/bench/floor")
        if status != 200 or len(json.loads(body)) != 10:
            raise RuntimeError(f"/bench/floor answered {status}: {body[:200]!r}")
        lat, lon = (float(x) for x in origins_file.read_text().splitlines()[0].split(","))
        first = time.perf_counter()
        status, body = http_get(server.port, f"/v1/search?care=pharmacy&lat={lat}&lon={lon}")
        http["first_search_s"] = round(time.perf_counter() - first, 3)  # includes index build
        if status != 200 or len(json.loads(body)["results"]) != 10:
            raise RuntimeError(f"/v1/search answered {status}: {body[:300]!r}")

        if wrk is None:
            http["skipped"] = wrk_note
            _warm_without_wrk(server, origins_file, workers)
            wait_idle(server)
        else:
            if wrk_note:
                http["note"] = wrk_note
            care = generate.COMMON[1]
            http["warmup_s"] = warm_up(server, wrk, plan, origins_file, care)
            runs = []
            for c in plan.concurrencies:
                for r in range(plan.rounds):
                    for mode in ("floor", "search") if r % 2 == 0 else ("search", "floor"):
                        pids = server.worker_pids()
                        before = cpu_seconds(pids)
                        result = run_wrk(
                            wrk, server.port, mode, c, plan.wrk_seconds, origins_file, care
                        )
                        spent = cpu_seconds(pids) - before
                        result["worker_cpu_ms_per_request"] = (
                            round(spent * 1000 / result["requests"], 4)
                            if result["requests"]
                            else None
                        )
                        result["round"] = r
                        runs.append(result)
                        log(
                            f"  wrk c={c:<3} {mode:<6} {result['rps']:>8.1f} req/s  "
                            f"p50 {result['p50_ms']:.2f} ms  p99 {result['p99_ms']:.2f} ms  "
                            f"worker CPU {result['worker_cpu_ms_per_request']} ms/req"
                        )
            http["runs"] = runs
            http["by_concurrency"] = _summarise_runs(runs, plan.concurrencies)
            http["fhir_near"] = bench_fhir_near(server, wrk, plan, origins_file)
            http["open_at"] = bench_open_at(server, wrk, plan, origins_file)
        memory = _worker_memory(server)
        if server.proc.poll() is not None:
            raise RuntimeError(f"gunicorn died during the run: {server.tail()}")
    finally:
        server.stop()
    return http, memory


FHIR_CONCURRENCY = 4


def bench_fhir_near(server: Server, wrk: str, plan: Plan, origins_file: Path) -> dict[str, Any]:
    """GET /fhir/Location?near=lat|lon&type=pharmacy&_count=10 (issue 13) against the
    equivalent GET /v1/search?care=pharmacy (10 results), measured as the floor/search pairs:
    wrk at concurrency 4, alternating order per round, the workers' CPU per request, medians."""
    category, care = generate.COMMON
    status, body = http_get(server.port, f"/fhir/Location?near=52.09%7C5.12&type={category}")
    if status != 200 or not json.loads(body).get("entry"):
        raise RuntimeError(f"/fhir/Location answered {status}: {body[:300]!r}")
    warm = run_wrk(
        wrk,
        server.port,
        "fhir",
        2 * server.workers,
        plan.wrk_warmup_seconds,
        origins_file,
        category,
    )
    wait_idle(server)
    runs = []
    for r in range(plan.rounds):
        for mode in ("search", "fhir") if r % 2 == 0 else ("fhir", "search"):
            pids = server.worker_pids()
            before = cpu_seconds(pids)
            result = run_wrk(
                wrk,
                server.port,
                mode,
                FHIR_CONCURRENCY,
                plan.wrk_seconds,
                origins_file,
                category if mode == "fhir" else care,
            )
            spent = cpu_seconds(pids) - before
            done = result["requests"]
            result["worker_cpu_ms_per_request"] = round(spent * 1000 / done, 4) if done else None
            runs.append(result)
            log(
                f"  wrk c={FHIR_CONCURRENCY} {mode:<6} {result['rps']:>8.1f} req/s  p50 "
                f"{result['p50_ms']:.2f} ms  worker CPU {result['worker_cpu_ms_per_request']}"
            )
    found: dict[str, Any] = {"concurrency": FHIR_CONCURRENCY, "warmup_requests": warm["requests"]}
    for mode in ("search", "fhir"):
        mine = [r for r in runs if r["endpoint"] == mode]
        cpu = [r["worker_cpu_ms_per_request"] for r in mine if r["worker_cpu_ms_per_request"]]
        found[mode] = {
            "rps": round(float(np.median([r["rps"] for r in mine])), 1),
            "p50_ms": round(float(np.median([r["p50_ms"] for r in mine])), 3),
            "cpu_ms": round(float(np.median(cpu)), 4) if cpu else None,
            "bad": sum(r["bad"] for r in mine),
        }
    found["ratios"] = {
        "cpu": ratio(found["fhir"]["cpu_ms"], found["search"]["cpu_ms"]),
        "p50": ratio(found["fhir"]["p50_ms"], found["search"]["p50_ms"]),
    }
    found["runs"] = runs
    return found


def bench_open_at(server: Server, wrk: str, plan: Plan, origins_file: Path) -> dict[str, Any]:
    """GET /v1/search?care=pharmacy&...&open_at=Tuesday 11:00 (issue 12) against the same
    search without open_at, as bench_fhir_near measures: c=4, alternating order per round,
    the workers' CPU per request, medians."""
    care = generate.COMMON[1]
    lat, lon = (float(x) for x in origins_file.read_text().splitlines()[0].split(","))
    moment = "2026-12-08T11:00:00%2B01:00"
    status, body = http_get(
        server.port, f"/v1/search?care={care}&lat={lat}&lon={lon}&open_at={moment}"
    )
    if status != 200 or not json.loads(body)["results"]:
        raise RuntimeError(f"/v1/search?open_at answered {status}: {body[:300]!r}")
    wait_idle(server)
    runs = []
    for r in range(plan.rounds):
        for mode in ("search", "open_at") if r % 2 == 0 else ("open_at", "search"):
            pids = server.worker_pids()
            before = cpu_seconds(pids)
            result = run_wrk(
                wrk, server.port, mode, FHIR_CONCURRENCY, plan.wrk_seconds, origins_file, care
            )
            spent = cpu_seconds(pids) - before
            done = result["requests"]
            result["worker_cpu_ms_per_request"] = round(spent * 1000 / done, 4) if done else None
            runs.append(result)
            log(
                f"  wrk c={FHIR_CONCURRENCY} {mode:<7} {result['rps']:>8.1f} req/s  p50 "
                f"{result['p50_ms']:.2f} ms  worker CPU {result['worker_cpu_ms_per_request']}"
            )
    found: dict[str, Any] = {"concurrency": FHIR_CONCURRENCY, "open_at": moment}
    for mode in ("search", "open_at"):
        mine = [r for r in runs if r["endpoint"] == mode]
        cpu = [r["worker_cpu_ms_per_request"] for r in mine if r["worker_cpu_ms_per_request"]]
        found[mode] = {
            "rps": round(float(np.median([r["rps"] for r in mine])), 1),
            "p50_ms": round(float(np.median([r["p50_ms"] for r in mine])), 3),
            "cpu_ms": round(float(np.median(cpu)), 4) if cpu else None,
            "bad": sum(r["bad"] for r in mine),
        }
    found["ratios"] = {
        "cpu": ratio(found["open_at"]["cpu_ms"], found["search"]["cpu_ms"]),
        "p50": ratio(found["open_at"]["p50_ms"], found["search"]["p50_ms"]),
    }
    found["runs"] = runs
    return found


def wait_idle(server: Server, timeout: float = 120.0) -> None:
    """Until the workers use no CPU: a worker still building its index keeps running after
    the load that started the build has stopped."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds(server.worker_pids())
        time.sleep(0.5)
        if cpu_seconds(server.worker_pids()) - before < 0.05:
            return
    raise RuntimeError(f"gunicorn workers still busy after {timeout} s")


def warm_up(server: Server, wrk: str, plan: Plan, origins_file: Path, care: str) -> float:
    """Load searches until every worker holds its index (their RSS agree), then the floor."""
    started = time.perf_counter()
    concurrency = max(2 * server.workers, 4)
    for _ in range(10):
        run_wrk(
            wrk, server.port, "search", concurrency, plan.wrk_warmup_seconds, origins_file, care
        )
        wait_idle(server)
        rss = [rss_kib("VmRSS", pid) or 0 for pid in server.worker_pids()]
        if rss and min(rss) >= 0.85 * max(rss):
            break
    else:
        log("  warning: the workers' RSS still differ after warm-up; some may lack an index")
    run_wrk(wrk, server.port, "floor", concurrency, plan.wrk_warmup_seconds, origins_file, care)
    wait_idle(server)
    return round(time.perf_counter() - started, 1)


def _warm_without_wrk(server: Server, origins_file: Path, workers: int) -> None:
    """Without wrk: enough concurrent searches that every worker has loaded its index."""
    lines = origins_file.read_text().splitlines()[: 8 * workers]

    def one(line: str) -> None:
        http_get(server.port, f"/v1/search?care=pharmacy&lat={line.replace(',', '&lon=')}")

    threads = [threading.Thread(target=one, args=(line,)) for line in lines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _summarise_runs(runs: list[dict[str, Any]], concurrencies: tuple[int, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in concurrencies:
        row: dict[str, Any] = {}
        for mode in ("floor", "search"):
            mine = [r for r in runs if r["concurrency"] == c and r["endpoint"] == mode]
            cpu = [
                r["worker_cpu_ms_per_request"] for r in mine if r.get("worker_cpu_ms_per_request")
            ]
            row[mode] = {
                "rps": round(float(np.median([r["rps"] for r in mine])), 1),
                "p50_ms": round(float(np.median([r["p50_ms"] for r in mine])), 3),
                "p99_ms": round(float(np.median([r["p99_ms"] for r in mine])), 3),
                "cpu_ms": round(float(np.median(cpu)), 4) if cpu else None,
                "bad": sum(r["bad"] for r in mine),
            }
        row["ratios"] = {
            "rps": ratio(row["search"]["rps"], row["floor"]["rps"]),
            "p50": ratio(row["search"]["p50_ms"], row["floor"]["p50_ms"]),
            "p99": ratio(row["search"]["p99_ms"], row["floor"]["p99_ms"]),
            "cpu": ratio(row["search"]["cpu_ms"], row["floor"]["cpu_ms"]),
        }
        out[str(c)] = row
    return out


def _worker_memory(server: Server) -> dict[str, Any]:
    workers = []
    for pid in server.worker_pids():
        workers.append(
            {"pid": pid, "rss_kib": rss_kib("VmRSS", pid), "hwm_kib": rss_kib("VmHWM", pid)}
        )
    rss = [w["rss_kib"] for w in workers if w["rss_kib"]]
    return {
        "workers": workers,
        "master_rss_mib": mib(rss_kib("VmRSS", server.proc.pid)),
        "worker_rss_max_mib": mib(max(rss)) if rss else None,
        "worker_rss_min_mib": mib(min(rss)) if rss else None,
        "measured": "VmRSS of each gunicorn worker after the load runs (all have served searches)",
    }


# -- scaling (in-process) ------------------------------------------------------------------


def providers_from_csv(path: Path) -> list[Any]:
    """The generator's rows as Providers, without the importer (the directory is the same)."""
    from directory_api.hours.normalise import normalise_hours
    from directory_api.models import Provider

    contract = {"true": True, "false": False, "": None}
    hours = {text: normalise_hours(text) for text in generate.hours_pool()} | {"": None}
    found = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            found.append(
                Provider(
                    id=hashlib.sha1(row["id"].encode()).hexdigest()[:12],
                    name=row["name"],
                    category=row["category"],
                    cak_contracted=contract[row["cak_contracted"]],
                    lat=float(row["lat"]),
                    lon=float(row["lon"]),
                    location_precision="coordinates",
                    source="synthetic",
                    source_version=1,
                    external_id=row["id"],
                    street=row["street"],
                    house_number=row["house_number"],
                    postcode=row["postcode"],
                    city=row["city"],
                    phone=row["phone"],
                    website=row["website"],
                    opening_hours=hours[row["opening_hours"]],
                )
            )
    return found


def _latencies(call: Callable[[Any], Any], items: list[Any], warm: int) -> tuple[list[float], Any]:
    last = None
    for item in items[:warm]:
        call(item)
    times = []
    for item in items:
        start = time.perf_counter_ns()
        last = call(item)
        times.append((time.perf_counter_ns() - start) / 1e6)
    return times, last


def _stats(times: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(pct(times, 50), 4),
        "p99_ms": round(pct(times, 99), 4),
        "mean_ms": round(float(np.mean(times)), 4),
    }


def _loader(providers: list[Any]) -> Callable[[], tuple[int, list[Any]]]:
    return lambda: (1, providers)


def bench_scaling(
    plan: Plan, csv_paths: dict[int, Path], origins: list[tuple[float, float]], tmp: Path
) -> dict[str, Any]:
    """find_nearest and test-client latency per size. Every size is held at once and the
    sizes are measured in interleaved rounds (order reversed every other round), so drift in
    the machine's load falls on all sizes alike."""
    from directory_api import create_app
    from directory_api.models import Origin
    from directory_api.search.directory import DirectoryHolder
    from directory_api.search.ranking import eligible_keys, find_nearest
    from directory_api.search.rules_file import load_rules

    rules = load_rules(None)
    kinds = {"common": generate.COMMON, "rare": generate.RARE}
    points = [
        Origin(lat, lon, "coordinates", "coordinates") for lat, lon in origins[: plan.queries]
    ]
    client_points = origins[: plan.client_queries]
    # The app logs one line per search to stderr; send those to /dev/null (still formatted
    # and written, so their cost is measured) instead of flooding the bench's output.
    saved_stderr, sys.stderr = sys.stderr, open(os.devnull, "w")  # noqa: SIM115
    try:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": f"sqlite:///{tmp / 'client.sqlite3'}",
                "DIRECTORY_INSTANCE_PATH": str(tmp / "client-instance"),
                "DIRECTORY_GEODATA_PATH": str(generate.default_geodata_dir()),
            }
        )
    finally:
        sys.stderr = saved_stderr
    services = app.extensions["directory"]
    client = app.test_client()
    # Each directory is built by a DirectoryHolder, which the Flask app serves from as well.
    holders = {
        size: DirectoryHolder(lambda: 1, _loader(providers_from_csv(csv_paths[size])))
        for size in plan.sizes
    }
    directories = {size: holder.get() for size, holder in holders.items()}
    rounds = plan.scaling_rounds
    gc.collect()
    samples: dict[int, dict[str, list[float]]] = {s: {} for s in plan.sizes}
    results_seen: dict[int, dict[str, int]] = {s: {} for s in plan.sizes}

    def fetch(o: tuple[float, float], care: str = kinds["common"][1]) -> int:
        response = client.get(f"/v1/search?care={care}&lat={o[0]:.6f}&lon={o[1]:.6f}")
        if response.status_code != 200:
            raise RuntimeError(f"test client search answered {response.status_code}")
        return response.status_code

    for r in range(rounds):
        for size in plan.sizes if r % 2 == 0 else tuple(reversed(plan.sizes)):
            directory = directories[size]
            for kind, (_category, care) in kinds.items():
                rule = rules.rule(care, SCHEME)

                def search(o: Any, rule: Any = rule, d: Any = directory) -> Any:
                    return find_nearest(d, rule, o, limit=10)

                chunk = points[r::rounds]
                times, last = _latencies(search, chunk, min(50, len(chunk)))
                samples[size].setdefault(kind, []).extend(times)
                results_seen[size][kind] = len(last)
            services.holder = holders[size]  # a public field of Services
            chunk_c = client_points[r::rounds]
            times, _ = _latencies(fetch, chunk_c, min(20, len(chunk_c)))
            samples[size].setdefault("client_common", []).extend(times)
    services.holder = None
    services.store.dispose()

    result: dict[str, Any] = {
        "queries": len(points),
        "client_queries": len(client_points),
        "rounds": rounds,
        "scheme": SCHEME,
        "categories": {
            k: {"category": v[0], "care": v[1], "share_percent": generate.CATEGORY_SHARES[v[0]]}
            for k, v in kinds.items()
        },
        "measured": "find_nearest(directory, rule, origin, limit=10) per call; client = Flask "
        "test client GET /v1/search (common care type); sizes interleaved in rounds",
        "sizes": {},
    }
    for size in plan.sizes:
        directory = directories[size]
        entry: dict[str, Any] = {}
        for kind, (_category, care) in kinds.items():
            rule = rules.rule(care, SCHEME)
            selectable = sum(
                len(directory.indexes[k]) for k in eligible_keys(rule) if k in directory.indexes
            )
            entry[kind] = {
                **_stats(samples[size][kind]),
                "selectable": selectable,
                "results": results_seen[size][kind],
            }
        entry["client_common"] = _stats(samples[size]["client_common"])
        result["sizes"][str(size)] = entry
        log(
            f"  scaling {size:>7}: common p50 {entry['common']['p50_ms']:.3f} ms, "
            f"rare p50 {entry['rare']['p50_ms']:.3f} ms, client p50 "
            f"{entry['client_common']['p50_ms']:.3f} ms"
        )
    del holders, directories
    gc.collect()
    small, large = str(min(plan.sizes)), str(max(plan.sizes))
    result["ratios"] = {
        f"{kind}_{q}": ratio(
            result["sizes"][large][kind][f"{q}_ms"], result["sizes"][small][kind][f"{q}_ms"]
        )
        for kind in ("common", "rare", "client_common")
        for q in ("p50", "p99")
    }
    result["ratio_of"] = f"{large} providers / {small} providers"
    return result


# -- import ---------------------------------------------------------------------------------


def csv_reader_pass(path: Path, repeat: int = 3) -> dict[str, Any]:
    """The floor for an import: read the file and split every row with csv.reader."""
    times = []
    rows = 0
    for _ in range(repeat):
        start = time.perf_counter()
        with path.open(encoding="utf-8", newline="") as handle:
            rows = sum(1 for _ in csv.reader(handle)) - 1
        times.append(time.perf_counter() - start)
    return {"rows": rows, "best_s": round(min(times), 4), "times_s": [round(t, 4) for t in times]}


def cli_import(
    path: Path, database_url: str, env: dict[str, str], timeout: float
) -> dict[str, Any]:
    cmd = [*directory_api_cmd(), "import", str(path), "--source", "Synthetic providers"]
    done = run_measured(cmd, env | {"DATABASE_URL": database_url}, timeout)
    if done.returncode != 0:
        raise RuntimeError(
            f"directory-api import failed ({done.returncode}): "
            f"{(done.stdout + done.stderr)[-2000:]}"
        )
    return {
        "wall_s": round(done.wall_s, 3),
        "peak_rss_mib": mib(done.maxrss_kib),
        "output": done.stdout.splitlines()[:2],
    }


def bench_import(
    plan: Plan, path: Path, serve_url: str, env: dict[str, str], tmp: Path
) -> dict[str, Any]:
    rows = plan.largest
    timeout = 900.0
    baseline = csv_reader_pass(path)
    log(f"  csv.reader pass over {rows} rows: {baseline['best_s']:.3f} s")
    sqlite_cli = cli_import(path, serve_url, env, timeout)
    sqlite_cli["rows_per_s"] = round(rows / sqlite_cli["wall_s"], 1)
    log(
        f"  directory-api import into SQLite: {sqlite_cli['wall_s']:.2f} s, "
        f"peak RSS {sqlite_cli['peak_rss_mib']} MiB"
    )
    # Measured like the csv.reader pass: best of `repeat` runs, each a fresh process and an
    # empty database (a second import of the same file would take the re-import path). A
    # csv.reader pass runs just before each, so the floor is also taken in the moments the
    # imports ran in (this machine's speed drifts over seconds), and its best is the floor.
    samples = []
    for n in range(plan.index_repeat):
        again = csv_reader_pass(path, repeat=1)
        baseline["times_s"] += again["times_s"]
        baseline["best_s"] = min(baseline["best_s"], again["best_s"])
        probe_url = f"sqlite:///{tmp / f'import-probe-{n}.sqlite3'}"
        done = run_measured(
            [
                sys.executable,
                "-m",
                "bench.probe",
                "import",
                str(path),
                "--database-url",
                probe_url,
                "--geodata",
                str(generate.default_geodata_dir()),
            ],
            env,
            timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"import probe failed: {(done.stdout + done.stderr)[-2000:]}")
        sample = tagged_json(done.stdout, "PROBE_JSON")
        # For the side-by-side figure only (the target keeps the floor above): the passes
        # just before and after this run, the best of the two.
        after = csv_reader_pass(path, repeat=1)["best_s"]
        sample["csv_beside_s"] = min(again["best_s"], after)
        samples.append(sample)
    beside = [ratio(sample["import_file_s"], sample["csv_beside_s"]) for sample in samples]
    phases = min(samples, key=lambda sample: sample["import_file_s"])
    phases["runs"] = len(samples)
    phases["import_file_s_all"] = [round(sample["import_file_s"], 4) for sample in samples]
    phases = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in phases.items()}
    log(
        f"  import_file {phases['import_file_s']:.2f} s: validate {phases['validate_s']:.2f} s, "
        f"publish {phases['publish_s']:.2f} s; csv.reader best {baseline['best_s']:.3f} s"
    )
    result: dict[str, Any] = {
        "rows": rows,
        "file_mib": round(path.stat().st_size / 2**20, 2),
        "csv_reader": baseline,
        "sqlite_cli": sqlite_cli,
        "sqlite_import_file": phases,
        "ratios": {
            "import_file_vs_csv_reader": ratio(phases["import_file_s"], baseline["best_s"]),
            "import_file_vs_csv_reader_beside": beside,
            "cli_vs_csv_reader": ratio(sqlite_cli["wall_s"], baseline["best_s"]),
            "validate_vs_csv_reader": ratio(phases["validate_s"], baseline["best_s"]),
            "publish_vs_csv_reader": ratio(phases["publish_s"], baseline["best_s"]),
        },
    }
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if pg_url:
        from directory_api.store.store import Store

        store = Store(pg_url)
        store.drop_schema()  # TEST_DATABASE_URL is a scratch database (tests drop it too)
        try:
            pg = cli_import(path, pg_url, env, timeout)
            pg["rows_per_s"] = round(rows / pg["wall_s"], 1)
            result["postgresql_cli"] = pg
            log(f"  directory-api import into PostgreSQL: {pg['wall_s']:.2f} s")
        finally:
            store.drop_schema()
            store.dispose()
    else:
        result["postgresql_cli"] = {"skipped": "TEST_DATABASE_URL is not set"}
    return result


def bench_index(plan: Plan, database_url: str, env: dict[str, str]) -> dict[str, Any]:
    done = run_measured(
        [
            sys.executable,
            "-m",
            "bench.probe",
            "index",
            "--database-url",
            database_url,
            "--repeat",
            str(plan.index_repeat),
            "--geodata",
            str(generate.default_geodata_dir()),
        ],
        env,
        600.0,
    )
    if done.returncode != 0:
        raise RuntimeError(f"index probe failed: {(done.stdout + done.stderr)[-2000:]}")
    found = tagged_json(done.stdout, "PROBE_JSON")
    return {
        "providers": found["providers"],
        "snapshot_median_s": round(found["snapshot_median_s"], 3),
        "build_median_s": round(found["build_median_s"], 3),
        "total_median_s": round(found["total_median_s"], 3),
        "total_first_s": round(found["total_first_s"], 3),
        "repeat": found["repeat"],
        "process_rss_app_mib": mib(found["rss_app_kib"]),
        "process_rss_holding_mib": mib(found["rss_holding_kib"]),
        "process_peak_rss_mib": mib(found["peak_rss_kib"]),
        "measured": "fresh process: create_app, then store.snapshot() + Directory.build()",
    }


def bench_as_of(csv_path: Path, env: dict[str, str], tmp: Path) -> dict[str, Any]:
    """bench/as_of.py in a fresh process: 300 as_of dates (2 version sets) vs plain search."""
    workdir = tmp / "as_of"
    workdir.mkdir(exist_ok=True)
    cmd = [sys.executable, "-m", "bench.as_of", str(csv_path), str(workdir)]
    done = run_measured(cmd, env, 600.0)
    if done.returncode != 0:
        raise RuntimeError(f"as_of probe failed: {(done.stdout + done.stderr)[-2000:]}")
    return tagged_json(done.stdout, "AS_OF")


# -- targets --------------------------------------------------------------------------------


def _get(data: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


TARGETS: tuple[tuple[str, str, tuple[str, ...], str, float, str], ...] = (
    # (name, description, path in results, comparison, limit, unit)
    (
        "http_throughput_c4",
        "search req/s at concurrency 4 / floor req/s",
        ("http", "by_concurrency", "4", "ratios", "rps"),
        ">=",
        0.6,
        "x",
    ),
    (
        "http_p50_c1",
        "search p50 at concurrency 1 / floor p50",
        ("http", "by_concurrency", "1", "ratios", "p50"),
        "<=",
        2.0,
        "x",
    ),
    (
        "fhir_near_cpu",
        "FHIR Location?near CPU per request / /v1/search's (pharmacy, 10 results, c=4)",
        ("http", "fhir_near", "ratios", "cpu"),
        "<=",
        2.0,
        "x",
    ),
    (
        "search_open_at_cpu",
        "/v1/search with open_at CPU per request / the same search without (pharmacy, c=4)",
        ("http", "open_at", "ratios", "cpu"),
        "<=",
        1.3,
        "x",
    ),
    (
        "scaling_common",
        "find_nearest p50, largest / smallest directory (pharmacy)",
        ("scaling", "ratios", "common_p50"),
        "<=",
        1.3,
        "x",
    ),
    (
        "scaling_rare",
        "find_nearest p50, largest / smallest directory (youth_health, 1 %)",
        ("scaling", "ratios", "rare_p50"),
        "<=",
        1.3,
        "x",
    ),
    (
        "import_seconds",
        "directory-api import into SQLite, wall time",
        ("import", "sqlite_cli", "wall_s"),
        "<=",
        15.0,
        "s",
    ),
    (
        "import_vs_csv",
        "import_file (validate + publish) / plain csv.reader pass",
        ("import", "ratios", "import_file_vs_csv_reader"),
        "<=",
        10.0,
        "x",
    ),
    (
        "import_peak_rss",
        "peak RSS of directory-api import",
        ("import", "sqlite_cli", "peak_rss_mib"),
        "<=",
        500.0,
        "MiB",
    ),
    (
        "as_of_p50",
        "search p50 with 300 distinct as_of dates (2 version sets) / plain search p50",
        ("as_of", "ratios", "p50"),
        "<=",
        3.0,
        "x",
    ),
    (
        "as_of_rss_growth",
        "RSS growth over those 300 as_of searches",
        ("as_of", "rss_growth_mib"),
        "<=",
        60.0,
        "MiB",
    ),
    (
        "worker_rss",
        "RSS of one gunicorn worker holding the directory, opening hours on every provider",
        ("memory", "worker_rss_max_mib"),
        "<=",
        250.0,
        "MiB",
    ),
    (
        "referral_cpu",
        "/v1/referral CPU per request (pharmacy,hospital,gp; 3 each) / one /v1/search's",
        ("practice", "referral", "ratio"),
        "<=",
        1.6,
        "x",
    ),
    (
        "export_csv_seconds",
        "GET /v1/providers.csv of the largest directory, wall time",
        ("practice", "export", "http_best_s"),
        "<=",
        3.0,
        "s",
    ),
    (
        "export_vs_csv_writer",
        "GET /v1/providers.csv / a plain csv.writer pass over the same rows",
        ("practice", "export", "ratio"),
        "<=",
        3.0,
        "x",
    ),
    (
        "index_build",
        "store.snapshot() + Directory.build() (median)",
        ("memory", "index", "total_median_s"),
        "<=",
        3.0,
        "s",
    ),
)


def judge(results: dict[str, Any], plan: Plan) -> list[dict[str, Any]]:
    judged = []
    for name, what, path, op, limit, unit in TARGETS:
        value = _get(results, *path)
        if plan.smoke:
            verdict = "NOT JUDGED (smoke)"
        elif value is None:
            verdict = "NOT MEASURED"
        else:
            ok = value >= limit if op == ">=" else value <= limit
            verdict = "PASS" if ok else "FAIL"
        judged.append(
            {
                "name": name,
                "what": what,
                "value": value,
                "op": op,
                "limit": limit,
                "unit": unit,
                "result": verdict,
            }
        )
    return judged


# -- report ---------------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _load(values: list[float] | None) -> str:
    return "/".join(f"{v:.2f}" for v in values) if values else "–"


def _table(header: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    """Markdown table; `align` has one letter per column, l or r (default: l then r)."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---" if a == "l" else "---:" for a in align]
    return ["| " + " | ".join(cells) + " |" for cells in (header, rule, *rows)]


def _machine_line(m: dict[str, Any]) -> str:
    packages = ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
    dirty = " (dirty)" if m["git_dirty"] else ""
    return (
        f"Machine: {m['cpu_count']} CPUs ({m['cpu_model']}), {m['mem_total_mib']} MiB RAM, "
        f"{m['platform']}; Python {m['python']}, SQLite {m['sqlite']}; {packages}; "
        f"{m['wrk'] or 'no wrk'}; commit {m['git_commit']}{dirty}; load average "
        f"{_load(m.get('loadavg_start'))} at the start, {_load(m.get('loadavg_end'))} at the end."
    )


def _md_targets(results: dict[str, Any]) -> list[str]:
    rows = [
        [
            t["what"],
            f"{_fmt(t['value'])} {t['unit']}",
            f"{t['op']} {t['limit']:g} {t['unit']}",
            t["result"],
        ]
        for t in results["targets"]
    ]
    return _table(["target", "measured", "limit", "result"], rows, "lrrl")


def _md_http(http: dict[str, Any]) -> list[str]:
    if "error" in http:
        return [f"Error: {http['error']}"]
    if "by_concurrency" not in http:
        return [f"Skipped: {http.get('skipped')}"]
    lines = [
        f"gunicorn {http['workers']} {http['worker_class']} workers, {http['providers']:,} "
        f"providers, GET /v1/search?care={http['care']} from random origins; wrk "
        f"{http['wrk_threads']} thread, {http['seconds_per_run']} s per run, {http['rounds']} "
        "round(s) per endpoint, alternating, medians. Latency in ms; CPU = the gunicorn "
        "workers' user + system CPU ms per request. The first search a fresh worker answered "
        f"took {_fmt(http.get('first_search_s'))} s (it builds its index inline).",
        "",
    ]
    header = ["conc."]
    for what in ("req/s", "p50", "p99", "CPU"):
        header += [f"floor {what}", f"search {what}", "ratio"]
    rows = []
    for c, row in http["by_concurrency"].items():
        f, s, r = row["floor"], row["search"], row["ratios"]
        cells = [c]
        for key, ratio_key, digits in (
            ("rps", "rps", 0),
            ("p50_ms", "p50", 2),
            ("p99_ms", "p99", 2),
            ("cpu_ms", "cpu", 3),
        ):
            cells += [_fmt(f[key], digits), _fmt(s[key], digits), _fmt(r[ratio_key])]
        rows.append(cells + [str(f["bad"] + s["bad"])])
    table = lines + _table(header + ["errors"], rows, "r" * (len(header) + 1))
    fhir = http.get("fhir_near")
    if fhir:
        table += [
            "",
            f"FHIR `Location?near` vs `/v1/search` (c={fhir['concurrency']}): "
            f"{_fmt(fhir['fhir']['rps'], 0)} vs {_fmt(fhir['search']['rps'], 0)} req/s, "
            f"CPU {_fmt(fhir['fhir']['cpu_ms'], 3)} vs {_fmt(fhir['search']['cpu_ms'], 3)} "
            f"ms/req (ratio {_fmt(fhir['ratios']['cpu'])}).",
        ]
    return table


def _md_scaling(sc: dict[str, Any]) -> list[str]:
    if "error" in sc:
        return [f"Error: {sc['error']}"]
    common, rare = sc["categories"]["common"], sc["categories"]["rare"]
    lines = [
        f"{sc['queries']} random origins per series; common = care={common['care']} "
        f"({common['category']}, {common['share_percent']:g} % of rows, contracted only under "
        f"{sc['scheme']}), rare = care={rare['care']} ({rare['category']}, "
        f"{rare['share_percent']:g} % of rows). Client = Flask test client, common care type.",
        "",
    ]
    kinds = ("common", "rare", "client_common")
    header = ["providers"]
    for kind in ("common", "rare", "client"):
        header += [f"{kind} p50", f"{kind} p99"]
    rows = [
        [f"{int(size):,}"] + [_fmt(e[k][f"{q}_ms"], 3) for k in kinds for q in ("p50", "p99")]
        for size, e in sc["sizes"].items()
    ]
    rt = sc["ratios"]
    rows.append(
        [f"ratio ({sc['ratio_of']})"]
        + [_fmt(rt[f"{k}_{q}"]) for k in kinds for q in ("p50", "p99")]
    )
    return lines + _table(header, rows)


def _md_import(im: dict[str, Any]) -> list[str]:
    if "error" in im:
        return [f"Error: {im['error']}"]
    ph, cli, rt = im["sqlite_import_file"], im["sqlite_cli"], im["ratios"]
    csv_s = im["csv_reader"]["best_s"]
    rows = [
        ["plain csv.reader pass", _fmt(csv_s, 3), "1.00"],
        [
            f"`directory-api import` into SQLite (wall; {cli['rows_per_s']:,.0f} rows/s, peak RSS "
            f"{cli['peak_rss_mib']} MiB)",
            _fmt(cli["wall_s"], 3),
            _fmt(rt["cli_vs_csv_reader"]),
        ],
        [
            "read_provider_file (the validation in import_file; same run)",
            _fmt(ph["validate_s"], 3),
            _fmt(rt["validate_vs_csv_reader"]),
        ],
        [
            "publish (import_file − read_provider_file)",
            _fmt(ph["publish_s"], 3),
            _fmt(rt["publish_vs_csv_reader"]),
        ],
        [
            f"import_file (validate + publish, no process start; best of {ph.get('runs', 1)} "
            "runs, as the csv.reader pass)",
            _fmt(ph["import_file_s"], 3),
            _fmt(rt["import_file_vs_csv_reader"]),
        ],
    ]
    pg = im.get("postgresql_cli", {})
    if "wall_s" in pg:
        rows.append(
            [
                f"`directory-api import` into PostgreSQL ({pg['rows_per_s']:,.0f} rows/s, peak RSS "
                f"{pg['peak_rss_mib']} MiB)",
                _fmt(pg["wall_s"], 3),
                _fmt(ratio(pg["wall_s"], csv_s)),
            ]
        )
    lines = [f"{im['rows']:,} rows with coordinates ({im['file_mib']} MiB CSV).", ""]
    lines += _table(["step", "seconds", "× csv.reader"], rows)
    if "wall_s" not in pg:
        lines += ["", f"PostgreSQL: {pg.get('skipped') or pg.get('error')}"]
    beside = rt.get("import_file_vs_csv_reader_beside")
    if beside:
        lines += [
            "",
            "Side by side (not a target): each import_file run / the better of the csv.reader "
            f"passes just before and after it: {', '.join(f'{r:.2f}x' for r in beside)}. "
            "The target takes the best import_file run against the best pass of the whole "
            "run, as above; where the machine's speed drifts, the two figures differ.",
        ]
    return lines


def _md_memory(me: dict[str, Any]) -> list[str]:
    lines = [f"Error: {me['error']}"] if "error" in me else []
    if me.get("worker_rss_max_mib") is not None:
        lines.append(
            f"- gunicorn workers after the load: VmRSS {me['worker_rss_min_mib']}–"
            f"{me['worker_rss_max_mib']} MiB each (master {me['master_rss_mib']} MiB)."
        )
    idx = me.get("index")
    if idx:
        lines.append(
            f"- Index from the store, {idx['providers']:,} providers (fresh process, median of "
            f"{idx['repeat']}): snapshot {idx['snapshot_median_s']} s + build "
            f"{idx['build_median_s']} s = {idx['total_median_s']} s; process RSS "
            f"{idx['process_rss_app_mib']} MiB after create_app, "
            f"{idx['process_rss_holding_mib']} MiB holding the directory."
        )
    return lines


def markdown(results: dict[str, Any]) -> str:
    plan = results["plan"]
    lines = [
        f"# directory-api benchmark ({plan['mode']} run, {results['finished_at']})",
        "",
        _machine_line(results["machine"]),
        "",
        f"Sizes {', '.join(f'{s:,}' for s in plan['sizes'])} providers; the run took "
        f"{results['elapsed_s']:.0f} s. Only ratios measured side by side in this run are judged.",
        "",
        "## Targets",
        "",
        *_md_targets(results),
        "",
        "## HTTP: floor vs search",
        "",
        *_md_http(results["http"]),
        "",
        "## Scaling: in-process search latency (ms)",
        "",
        *_md_scaling(results["scaling"]),
        "",
        "## Import",
        "",
        *_md_import(results["import"]),
        "",
        "## Memory",
        "",
        *_md_memory(results["memory"]),
        "",
        *practice.markdown(results.get("practice", {})),
    ]
    if results["notes"]:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in results["notes"]]
    return "\n".join(lines) + "\n"


# -- main -----------------------------------------------------------------------------------


def section(results: dict[str, Any], name: str, work: Callable[[], dict[str, Any]]) -> None:
    log(f"{name} ...")
    start = time.perf_counter()
    try:
        results[name] = work()
    except Exception as error:  # a failing section is reported, the others still run
        traceback.print_exc()
        results[name] = {"error": f"{type(error).__name__}: {error}"}
        results["errors"].append(name)
    results.setdefault("section_seconds", {})[name] = round(time.perf_counter() - start, 1)


def run(plan: Plan, results_dir: Path, install_wrk: bool) -> dict[str, Any]:
    started = time.perf_counter()
    wrk, wrk_note = find_wrk(install_wrk)
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(wrk),
        "plan": asdict(plan),
        "errors": [],
        "notes": [],
    }
    if wrk_note:
        results["notes"].append(wrk_note)
    with tempfile.TemporaryDirectory(prefix="directory-bench-") as tmp_name:
        tmp = Path(tmp_name)
        centroids = generate.load_centroids()
        log(
            f"generating {', '.join(map(str, plan.sizes))} synthetic providers "
            f"({len(centroids)} PC4 centroids)"
        )
        csv_paths = {
            n: generate.write_csv(tmp / f"synthetic-{n}.csv", n, centroids) for n in plan.sizes
        }
        origins = generate.origins(max(plan.queries, 2000), centroids)
        origins_file = tmp / "origins.txt"
        origins_file.write_text("".join(f"{lat:.6f},{lon:.6f}\n" for lat, lon in origins))
        serve_url = f"sqlite:///{tmp / 'serve.sqlite3'}"
        env = child_env(
            DIRECTORY_INSTANCE_PATH=str(tmp / "instance"),
            DIRECTORY_GEODATA_PATH=str(generate.default_geodata_dir()),
            DATABASE_URL=serve_url,
        )
        largest = csv_paths[plan.largest]

        section(results, "import", lambda: bench_import(plan, largest, serve_url, env, tmp))
        memory: dict[str, Any] = {}

        def index() -> dict[str, Any]:
            memory["index"] = bench_index(plan, serve_url, env)
            return memory

        section(results, "memory", index)
        section(results, "scaling", lambda: bench_scaling(plan, csv_paths, origins, tmp))
        as_of_list = csv_paths[sorted(plan.sizes)[len(plan.sizes) // 2]]  # 10k in a full run
        section(results, "as_of", lambda: bench_as_of(as_of_list, env, tmp))
        section(
            results,
            "practice",
            lambda: practice.bench_practice(
                largest,
                origins,
                tmp,
                rounds=plan.scaling_rounds,
                queries=2 * plan.client_queries,
                providers_from_csv=providers_from_csv,
            ),
        )

        def http() -> dict[str, Any]:
            if "import" in results["errors"]:
                raise RuntimeError("nothing to serve: the import failed")
            found, worker_memory = bench_http(plan, env, wrk, wrk_note, origins_file, tmp)
            results["memory"].update(worker_memory)
            return found

        section(results, "http", http)
    results["machine"]["loadavg_end"] = loadavg()
    start_load = (results["machine"]["loadavg_start"] or [0.0])[0]
    if start_load >= 0.5 * (os.cpu_count() or 1):
        results["notes"].append(
            f"the machine was busy when the run started (1-min load {start_load:.2f} on "
            f"{os.cpu_count()} CPUs): other processes share the CPUs, so absolute figures are "
            "noisy; the side-by-side ratios are less affected"
        )
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["elapsed_s"] = round(time.perf_counter() - started, 1)
    results["targets"] = judge(results, plan)
    if plan.smoke:
        results["notes"].append(
            "smoke run: checks that the harness works, not how fast; "
            "targets are judged by the full run (make bench)"
        )
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (results_dir / "latest.md").write_text(markdown(results))
    return results


REFERENCE_HEADER = (
    "<!-- A real `make bench` run kept for comparison: written by `python -m bench.run "
    "--reference` (or --render of a results file). Compare ratios, not absolute figures. -->\n"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="directory-api benchmarks (issue 5)")
    parser.add_argument("--smoke", action="store_true", help="~20 s, 1k providers, not judged")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument(
        "--reference",
        action="store_true",
        help="also write bench/results/reference.md from this run",
    )
    parser.add_argument("--no-install", action="store_true", help="never apt-get install wrk")
    parser.add_argument(
        "--render", type=Path, metavar="JSON", help="only print the Markdown of a results file"
    )
    args = parser.parse_args(argv)
    if args.render:
        print(markdown(json.loads(args.render.read_text())), end="")
        return 0
    plan = SMOKE if args.smoke else FULL
    results = run(plan, args.results_dir, install_wrk=not (args.smoke or args.no_install))
    text = markdown(results)
    if args.reference:
        (RESULTS_DIR / "reference.md").write_text(REFERENCE_HEADER + text)
    print(text)
    print(f"results: {args.results_dir / 'latest.json'}, {args.results_dir / 'latest.md'}")
    if results["errors"]:
        print(f"sections with errors: {', '.join(results['errors'])}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
