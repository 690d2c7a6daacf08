"""`make bench`: the production server against PostgreSQL with Qingyang-scale data, a bounded
locust run of the mixed scenario (bench/locustfile.py), the reference views measured in the same
run, the CPU split, a profile of the slowest request type; results into docs/performance.md.

Everything runs on this machine and talks to 127.0.0.1 only. Settings (environment):

    BENCH_DATABASE_URL  postgres://postgres@127.0.0.1:5432/yiwang_bench  (created if missing)
    BENCH_SCALE         1      data scale (`yiwang demo --scale`), generated when missing
    BENCH_SECONDS       60     length of the mixed run
    BENCH_USERS         100    simulated users (closed loop, BENCH_WAIT seconds between requests)
    BENCH_WAIT          0.05-0.3
    BENCH_RAMP          10     seconds to start the users of the mixed runs, not counted
    BENCH_PHASE_SECONDS 10     length of each single-request saturation phase (ratios)
    BENCH_PORT          8077
    BENCH_WORKERS       0      web workers (0: one per core)
    BENCH_THREADS       0      threads per web worker (0: what `serve --production` chooses)
    BENCH_PACED         1      run the mix again at half the load it carried (latencies)
    BENCH_PACED_SECONDS 180    length of that run: long enough for a few hundred submissions,
                               so that their p99 is not just the slowest one
    BENCH_REDIS         1      start a private redis-server for cache and sessions when installed
    BENCH_PROFILE       1      py-spy profile of the slowest request type
    BENCH_WRITE_DOCS    1      write the results into docs/performance.md
    BENCH_PREPARE_ONLY  0      only create and fill the database
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "bench"
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"


def setting(name: str, default: str) -> str:
    return os.environ.get(name, default)


DATABASE_URL = setting("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yiwang_bench")
SCALE = float(setting("BENCH_SCALE", "1"))
SECONDS = int(setting("BENCH_SECONDS", "60"))
USERS = int(setting("BENCH_USERS", "100"))
PHASE_SECONDS = int(setting("BENCH_PHASE_SECONDS", "10"))
PACED_SECONDS = int(setting("BENCH_PACED_SECONDS", "180"))
PORT = int(setting("BENCH_PORT", "8077"))
WORKERS = int(setting("BENCH_WORKERS", "0")) or (os.cpu_count() or 1)
THREADS = int(setting("BENCH_THREADS", "0"))  # 0: what `serve --production` chooses
RAMP = int(setting("BENCH_RAMP", "10"))
HOST = f"http://127.0.0.1:{PORT}"
REDIS_PORT = PORT + 1


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Environment of the server and of the Django commands --------------------------------------


def _secret(path: Path, make: Any) -> str:
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text()


def _rsa_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def server_env(redis_url: str) -> dict[str, str]:
    """Production settings, as behind a TLS proxy on this machine. The secret key is kept in
    var/bench: the generated cases' query passwords are keyed with it."""
    OUT.mkdir(parents=True, exist_ok=True)
    drop = {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        DJANGO_SETTINGS_MODULE="yiwang.settings",
        YIWANG_ENV="production",
        SECRET_KEY=_secret(OUT / "secret_key", lambda: secrets.token_urlsafe(50)),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=DATABASE_URL,
        YIWANG_DATA_DIR=str(OUT / "data"),
        OIDC_ISSUER="https://127.0.0.1/o",
        OIDC_RSA_PRIVATE_KEY=_secret(OUT / "oidc.pem", _rsa_pem),
        YIWANG_BENCH_VIEWS="1",
        LOG_LEVEL=setting("BENCH_LOG_LEVEL", "WARNING"),
        REDIS_URL=redis_url,
        # Generated persons and staff share one password; do not lock them out by address.
        LOGIN_FAILURE_LIMIT="1000",
    )
    return env


def yiwang(env: dict[str, str], *args: str, timeout: int = 7200) -> None:
    subprocess.run([str(BIN / "yiwang"), *args], env=env, check=True, timeout=timeout)


# --- The database -----------------------------------------------------------------------------


def database_ensure(env: dict[str, str]) -> float:
    """Create the bench database when missing, migrate, load the demo and the scale data.
    Returns the seconds the scale data took to generate (0 when it was there)."""
    import psycopg

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        loaded = None
        if exists:
            loaded = _scale_in(env)
            if loaded is not None and loaded != SCALE:
                if "bench" not in name:
                    raise SystemExit(f"{name} holds scale {loaded}, not {SCALE}: use another db")
                log(f"{name} holds scale {loaded}; recreating it for scale {SCALE}")
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = None
        if not exists:
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')
    yiwang(env, "migrate", "--noinput", "-v0")
    if _scale_in(env) == SCALE:
        return 0.0
    started = time.monotonic()
    log(f"generating scale {SCALE} data (yiwang demo --if-empty --scale {SCALE})")
    yiwang(env, "demo", "--if-empty", "--scale", str(SCALE))
    return time.monotonic() - started


def _scale_in(env: dict[str, str]) -> float | None:
    code = (
        "import django;django.setup()\n"
        "from django.db.utils import DatabaseError\n"
        "from yiwang.ops.scale import scale_loaded\n"
        "try:\n    print(scale_loaded())\nexcept DatabaseError:\n    print(None)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    value = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "None"
    return None if value == "None" else float(value)


def password_hash_seconds(env: dict[str, str]) -> float:
    """What one login's password check costs with the production hasher (argon2)."""
    code = (
        "import django,time;django.setup()\n"
        "from django.contrib.auth.hashers import make_password, check_password\n"
        "h = make_password('Yiwang@2026'); t = time.process_time()\n"
        "for _ in range(3): check_password('Yiwang@2026', h)\n"
        "print((time.process_time() - t) / 3)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    try:
        return float(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return 0.0


def database_vacuum() -> float:
    """VACUUM (ANALYZE) the bench database, so that each run starts from the same state even
    where autovacuum is off (earlier runs leave dead rows behind). Returns the seconds taken."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return time.monotonic() - started


def database_facts(env: dict[str, str]) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(DATABASE_URL) as conn:
        facts: dict[str, Any] = {
            "version": conn.execute("SHOW server_version").fetchone()[0],  # type: ignore[index]
        }
        for name in (
            "shared_buffers",
            "work_mem",
            "max_connections",
            "synchronous_commit",
            "autovacuum",
            "random_page_cost",
        ):
            facts[name] = conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
        rows = conn.execute(
            "SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE relname IN "
            "('cases_case','cases_caseevent','cases_casestep','accounts_person',"
            "'accounts_enterprise','accounts_staff','catalog_implementationitem')"
        ).fetchall()
        facts["rows"] = {name: count for name, count in rows}
        # What the platform's own connections use instead (settings: DB_RANDOM_PAGE_COST).
        facts["platform_random_page_cost"] = os.environ.get("DB_RANDOM_PAGE_COST") or "1.1"
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        facts["size"] = size.fetchone()[0]  # type: ignore[index]
    return facts


# --- Processes --------------------------------------------------------------------------------


@contextmanager
def redis_server() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if setting("BENCH_REDIS", "1") != "1" or binary is None:
        yield ""
        return
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        yield f"redis://127.0.0.1:{REDIS_PORT}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def web_server(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    log(f"starting yiwang serve --production ({WORKERS} workers) on {HOST}")
    with open(OUT / "server.log", "wb") as output:
        process = subprocess.Popen(
            [
                str(BIN / "yiwang"),
                "serve",
                "--production",
                "--host",
                "127.0.0.1",
                "--port",
                str(PORT),
                "--workers",
                str(WORKERS),
                *(["--threads", str(THREADS)] if THREADS else []),
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 900  # collectstatic runs first
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(HOST + "/healthz", timeout=2) as response:  # noqa: S310
                        if response.status == 200:
                            break
                except OSError:
                    time.sleep(0.5)
            else:
                raise SystemExit("the server did not answer /healthz within 900 s")
            yield process
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


class CpuSampler:
    """CPU seconds per group of processes (server, database, load generator, redis) over a run,
    sampled every half second from /proc (psutil), plus the whole machine's."""

    def __init__(self, server_pid: int, database: str) -> None:
        self.server_pid, self.database = server_pid, database
        self.locust_pid = 0
        self.seen: dict[int, tuple[str, float]] = {}
        self.first: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _group(self, process: psutil.Process) -> str | None:
        try:
            name = process.name()
            if name.startswith("postgres"):
                line = " ".join(process.cmdline())
                if f" {self.database} " in f" {line} ":
                    return "database"
                if "postgres:" in line and "(" not in line:  # checkpointer, WAL writer …
                    return "database (shared background)"
                return None
            if name.startswith("redis-server"):
                return "redis"
            if name.startswith("py-spy"):
                return "profiler (py-spy)"
            parents = {p.pid for p in process.parents()} | {process.pid}
            if self.server_pid in parents:
                return "server"
            if self.locust_pid and self.locust_pid in parents:
                return "load generator"
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return None
        return None

    def _sample(self) -> None:
        for process in psutil.process_iter():
            group = self._group(process)
            if group is None:
                continue
            try:
                times = process.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            used = times.user + times.system
            self.first.setdefault(process.pid, used)
            self.seen[process.pid] = (group, used)

    def _loop(self) -> None:
        while not self.stop.wait(0.5):
            self._sample()

    def __enter__(self) -> CpuSampler:
        self._sample()
        self.machine_before = psutil.cpu_times()
        self.started = time.monotonic()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self._sample()
        self.elapsed = time.monotonic() - self.started
        after = psutil.cpu_times()
        busy = sum(
            getattr(after, f) - getattr(self.machine_before, f)
            for f in ("user", "nice", "system", "irq", "softirq")
        )
        self.machine_busy = busy
        self.steal = getattr(after, "steal", 0.0) - getattr(self.machine_before, "steal", 0.0)

    def split(self) -> dict[str, float]:
        """CPU seconds per group, and what the rest of the machine used meanwhile."""
        groups: dict[str, float] = defaultdict(float)
        for pid, (group, used) in self.seen.items():
            groups[group] += used - self.first.get(pid, used)
        groups["rest of the machine"] = max(0.0, self.machine_busy - sum(groups.values()))
        if self.steal > 0.05:
            groups["taken by the hypervisor (steal)"] = self.steal
        return dict(groups)


def locust(
    name: str,
    *,
    seconds: int,
    users: int,
    classes: list[str],
    tags: list[str],
    env: dict[str, str],
    ramp: int = 0,
) -> tuple[dict[str, Any], subprocess.Popen[bytes]]:
    """Locust headless for `seconds`; with `ramp`, the users start over `ramp` seconds first and
    the figures count only from when the last one is running (`--reset-stats`)."""
    prefix = OUT / name
    for stale in OUT.glob(f"{name}_*.csv"):  # an earlier run's figures must not be read as these
        stale.unlink()
    rate = users / ramp if ramp else max(1, users // 2)
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        HOST,
        "-u",
        str(users),
        "-r",
        f"{rate:g}",
        "-t",
        f"{seconds + ramp}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "5",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    if ramp:
        command.append("--reset-stats")
    # The user classes go before `--tags`, which would take them for tags.
    command[3:3] = classes
    if tags:
        command += ["--tags", *tags]
    with open(f"{prefix}.log", "wb") as errors:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
    return {"prefix": prefix}, process


def locust_stats(prefix: Path) -> list[dict[str, Any]]:
    import csv

    rows = []
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows.append(
                {
                    "name": row["Name"] if row["Name"] != "Aggregated" else "all requests",
                    "method": row["Type"],
                    "count": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": float(row["Requests/s"]),
                    "mean": float(row["Average Response Time"]),
                    "p50": _ms(row["50%"]),
                    "p95": _ms(row["95%"]),
                    "p99": _ms(row["99%"]),
                    "max": float(row["Max Response Time"]),
                }
            )
    return rows


def _ms(value: str) -> float:
    return float(value) if value not in ("", "N/A") else 0.0


def locust_failures(prefix: Path) -> list[dict[str, str]]:
    import csv

    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def run_locust(
    name: str,
    *,
    seconds: int,
    users: int,
    classes: list[str],
    tags: list[str],
    env: dict[str, str],
    sampler: CpuSampler | None = None,
    ramp: int = 0,
) -> list[dict[str, Any]]:
    """One locust run; `sampler` (not yet started) measures the CPU while the figures count."""
    info, process = locust(
        name, seconds=seconds, users=users, classes=classes, tags=tags, env=env, ramp=ramp
    )
    if sampler is None:
        process.wait(timeout=seconds + ramp + 120)
    else:
        sampler.locust_pid = process.pid
        _wait_until_running(info["prefix"], users, process, timeout=ramp + 60)
        with sampler:
            process.wait(timeout=seconds + 120)
    return locust_stats(info["prefix"])


def _wait_until_running(
    prefix: Path, users: int, process: subprocess.Popen[bytes], *, timeout: int
) -> None:
    """Until locust's history (one row a second) shows every user running: the moment its
    figures are reset after the ramp."""
    history = Path(f"{prefix}_stats_history.csv")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if history.exists():
            lines = history.read_text(encoding="utf-8").splitlines()
            if len(lines) > 1 and lines[-1].split(",")[1:2] == [str(users)]:
                return
        time.sleep(0.2)


# --- Profile ----------------------------------------------------------------------------------


def profile(
    server: subprocess.Popen[bytes], *, name: str, seconds: int, run: Any
) -> dict[str, list[tuple[str, float]]]:
    """py-spy on the server's workers while `run` loads them. Returns where the samples were:
    `own`, the innermost frame grouped by package (what the CPU was doing), and `ours`, our
    functions on the stack (inclusive)."""
    spy = shutil.which("py-spy", path=str(BIN)) or shutil.which("py-spy")
    if spy is None:
        log("py-spy is not installed: no profile")
        run()
        return {}
    raw = OUT / f"profile-{name}.txt"
    command = [spy, "record", "--pid", str(server.pid), "--subprocesses", "--format", "raw",
               "--output", str(raw), "--duration", str(seconds), "--rate", "100",
               "--nonblocking"]  # fmt: skip
    spy_process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run()
    spy_process.wait(timeout=seconds + 60)
    if not raw.exists():
        return {}
    own: dict[str, int] = defaultdict(int)
    ours: dict[str, int] = defaultdict(int)
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit() or not stack:
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        own[_package(frames[-1])] += n
        # Our functions, but the middleware, which wraps every request.
        for frame in {_frame(f) for f in frames if "yiwang/" in f and "middleware" not in f}:
            ours[frame] += n
    if not total:
        return {}

    def top(counts: dict[str, int], k: int) -> list[tuple[str, float]]:
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:k]
        return [(key, 100.0 * n / total) for key, n in ranked]

    return {"own": top(own, 12), "ours": top(ours, 15)}


def _package(frame: str) -> str:
    """The package of a frame's file: "django.db", "psycopg", "yiwang.cases" …"""
    path = frame.partition(" (")[2].rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "src/"):
        path = path.split(marker, 1)[-1]
    parts = path.split("/")
    if len(parts) == 1:
        return f"python ({parts[0]})"
    depth = 2 if parts[0] in ("django", "yiwang") and len(parts) > 2 else 1
    return ".".join(parts[:depth])


def _frame(frame: str) -> str:
    # "function (path/to/file.py:123)" → "function (…/package/file.py)"
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "src/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})"


# --- Report -----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for package in ("django", "granian", "locust", "psycopg"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:
            versions[package] = "?"
    return {
        "cpu": f"{model} × {os.cpu_count()} logical cores",
        "memory": f"{psutil.virtual_memory().total / 2**30:.0f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        **versions,
    }


def _table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| request | count | failures | req/s | mean ms | p50 | p95 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(rows, key=lambda r: (r["name"] == "all requests", -r["count"])):
        lines.append(
            f"| {r['name']} | {r['count']} | {r['failures']} | {r['rps']:.1f} | "
            f"{r['mean']:.0f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | "
            f"{r['max']:.0f} |"
        )
    return lines


def report(results: dict[str, Any]) -> str:
    mixed = results["mixed"]
    total = next(r for r in mixed if r["name"] == "all requests")
    by_name = {r["name"]: r for r in mixed}
    m = results["machine"]
    db = results["database"]
    lines = [
        START,
        f"## Latest run: {results['date']}",
        "",
        f"- Machine: {m['cpu']}, {m['memory']}, {m['os']}; Python {m['python']}, "
        f"Django {m['django']}, granian {m['granian']}, locust {m['locust']}, "
        f"PostgreSQL {db['version']} (shared_buffers {db['shared_buffers']}, work_mem "
        f"{db['work_mem']}, synchronous_commit {db['synchronous_commit']}, autovacuum "
        f"{db.get('autovacuum', '?')}, random_page_cost {db.get('random_page_cost', '?')} "
        f"(the platform's connections: {db.get('platform_random_page_cost', '?')}); vacuumed and "
        f"analysed before the run in {results.get('vacuum_seconds', 0):.0f} s), "
        f"Redis for cache and sessions: {'yes' if results['redis'] else 'no'}.",
        f"- Server: `yiwang serve --production`, {results['workers']} granian WSGI workers "
        f"({results.get('threads') or 'default'} threads each), "
        "YIWANG_ENV=production, as behind a TLS proxy (X-Forwarded-Proto: https).",
        f"- Data: scale {results['scale']} (database {db['size']}: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(db["rows"].items()))
        + ")."
        + (
            f" Generated in this run in {results['generated_seconds']:.0f} s."
            if results["generated_seconds"]
            else ""
        ),
        f"- Load: {results['users']} simulated users, {results['wait']} s between a user's "
        f"requests, {results['seconds']} s, a new login every {results['session']} requests "
        "of a citizen; load generator on the same machine."
        + (
            f" The users of the mixed and paced runs start over {results['ramp']} s first, not "
            "counted (their first logins all at once are no part of the mix)."
            if results.get("ramp")
            else ""
        ),
        "",
        "### Mixed scenario",
        "",
        f"**{total['rps']:.0f} requests/s**, p50 {total['p50']:.0f} ms, p95 "
        f"{total['p95']:.0f} ms, p99 {total['p99']:.0f} ms, **{total['failures']} errors** "
        f"of {total['count']} requests.",
        "",
        *_table(mixed),
        "",
    ]
    paced = results.get("paced") or []
    if paced:
        paced_total = next(r for r in paced if r["name"] == "all requests")
        lines += [
            f"### The same mix at half that load (about {results['paced_target']:.0f} "
            f"requests/s offered, {results.get('paced_seconds', results['seconds'])} s)",
            "",
            f"**{paced_total['rps']:.0f} requests/s**, p50 {paced_total['p50']:.0f} ms, p95 "
            f"{paced_total['p95']:.0f} ms, p99 {paced_total['p99']:.0f} ms, "
            f"**{paced_total['failures']} errors** of {paced_total['count']} requests.",
            "",
            *_table(paced),
            "",
        ]
    failures = results.get("failures") or []
    if failures:
        lines += ["Errors:", ""]
        for f in failures[:10]:
            lines.append(f"- {f.get('Name')}: {f.get('Error', '')[:160]} ({f.get('Occurrences')}×)")
        lines.append("")
    logins = sum(
        r["count"]
        for r in mixed
        if r["name"] in ("portal: log in", "api: token", "workbench: log in")
    )
    lines += [
        f"Logging in: one password check (argon2id with the production parameters) costs "
        f"{results['hash_seconds']:.2f} CPU-seconds on this machine; the run had {logins} "
        f"logins, about {logins * results['hash_seconds']:.0f} CPU-seconds.",
        "",
    ]
    cpu = results["cpu"]
    wall = results["cpu_wall"]
    capacity = wall * (os.cpu_count() or 1)
    lines += [
        f"CPU during the mixed run ({wall:.0f} s × {os.cpu_count()} cores = {capacity:.0f} "
        "CPU-seconds available):",
        "",
        "| process group | CPU seconds | share of the machine |",
        "|---|---:|---:|",
    ]
    for group, used in sorted(cpu.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {group} | {used:.1f} | {100 * used / capacity:.0f} % |")
    idle = max(0.0, capacity - sum(cpu.values()))
    lines += [f"| idle | {idle:.1f} | {100 * idle / capacity:.0f} % |", ""]
    phases = results["phases"]
    if phases:
        lines += [
            "### Reference points (same run, one request type at a time, "
            f"{results['phase_users']} users without pause, {results['phase_seconds']} s each)",
            "",
            "| request | req/s | mean ms | p99 ms |",
            "|---|---:|---:|---:|",
        ]
        for phase, row in phases.items():
            lines.append(f"| {phase} | {row['rps']:.0f} | {row['mean']:.1f} | {row['p99']:.0f} |")
        lines.append("")
        ratios = results["ratios"]
        lines += [
            f"- guide page / constant view: **{ratios['guide/constant']:.2f}×** (target ≥ 0.5×)",
            f"- matter API / one-row view: **{ratios['matter/one-row']:.2f}×** (target ≥ 0.8×)",
        ]
        if "ref: constant view" in by_name and "guide" in by_name:
            lines.append(
                "- in the mix, mean latency: constant "
                f"{by_name['ref: constant view']['mean']:.0f} ms, one-row "
                f"{by_name.get('ref: one-row view', {}).get('mean', 0):.0f} ms, guide "
                f"{by_name['guide']['mean']:.0f} ms, matter API "
                f"{by_name.get('api: matter detail', {}).get('mean', 0):.0f} ms"
            )
        lines.append("")
    for key, title in (
        ("profile_mix", f"the paced mix ({results.get('profile_mix_seconds', 0)} s)"),
        ("profile", f"{results.get('profile_target', '')} alone "
                    f"({results.get('profile_seconds', 0)} s)"),
    ):  # fmt: skip
        prof = results.get(key) or {}
        if not prof:
            continue
        lines += [
            f"### Profile: {title}, py-spy on the server's workers",
            "",
            "| where the workers were (innermost frame, by package; waiting on PostgreSQL "
            "counts) | share | our functions on the stack | share |",
            "|---|---:|---|---:|",
        ]
        own, ours = prof.get("own", []), prof.get("ours", [])
        for i in range(max(len(own), len(ours))):
            left = f"{own[i][0]} | {own[i][1]:.0f} %" if i < len(own) else " | "
            right = f"`{ours[i][0]}` | {ours[i][1]:.0f} %" if i < len(ours) else " | "
            lines.append(f"| {left} | {right} |")
        lines.append("")
    lines += growth(results)
    if results.get("queries"):
        lines += [
            "### Cost and queries of each request type, and the five most frequent queries "
            f"with their plans (scale {results['scale']})",
            "",
            "Each request type replayed in one process through Django's test client after the "
            "run (queries: its first, cold; cost: the mean of 50 more, warm; 5 for the logins, "
            "20 for the application). Its share is its cost times how often the mix sent it.",
            "",
            results["queries"],
            "",
        ]
    lines.append(END)
    return "\n".join(lines)


def growth(results: dict[str, Any]) -> list[str]:
    """Cost per request at each scale measured on this machine (`results-scale-*.json`), the
    CPU of the server and of PostgreSQL divided by the requests of the mixed run."""
    runs = []
    for path in sorted(OUT.glob("results-scale-*.json")):
        run = json.loads(path.read_text())
        if run.get("cost_ms") and run["scale"] != results["scale"]:
            runs.append(run)
    runs.append(results)
    if len(runs) < 2:
        return []
    runs.sort(key=lambda r: float(r["scale"]))
    lines = [
        "### Growth with the data (cost per request of the mixed run, by scale)",
        "",
        "| scale | run | cases | requests | server CPU ms / request | PostgreSQL CPU ms / "
        "request | together |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        cost = run["cost_ms"]
        count = next(r for r in run["mixed"] if r["name"] == "all requests")["count"]
        cases = run["database"]["rows"].get("cases_case", 0)
        lines.append(
            f"| {run['scale']} | {run['date']} | {cases:,} | {count:,} | {cost['server']:.1f} | "
            f"{cost['database']:.1f} | {cost['server'] + cost['database']:.1f} |"
        )
    low, high = runs[0], runs[-1]
    ratio = sum(high["cost_ms"].values()) / max(sum(low["cost_ms"].values()), 1e-9)
    lines += [
        "",
        f"- scale {high['scale']} ÷ scale {low['scale']}: **{ratio:.2f}×** per request "
        "(target ≤ 1.3× from scale 1 to scale 10). Runs on different dates are not comparable "
        "on a shared machine: compare runs of the same day.",
        "",
    ]
    return lines


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Performance\n\n{START}\n{END}\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + section + tail
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")


# --- The run ----------------------------------------------------------------------------------

PHASES = {
    # name: (user class, tag, request name in the stats, share of the busiest 100 matters).
    # The targets compare the cached guide page and matter API with the reference views: the
    # busiest 100 matters, which the mix and the warm-up have put in the cache. The last phase
    # shows what a guide costs when any of the city's matters is asked for (mostly not cached
    # yet: the bench's Redis starts empty).
    "constant view": ("Reference", "constant", "ref: constant view", None),
    "one-row view": ("Reference", "one_row", "ref: one-row view", None),
    "guide page (cached)": ("Visitor", "guide", "guide", "1"),
    "matter API (cached)": ("Visitor", "matter_api", "api: matter detail", "1"),
    "guide page, any matter (mostly not cached)": ("Visitor", "guide", "guide", "0"),
}
# Which request type of the mix each tag-able task stands for (for the profile).
PROFILE_TARGETS = {
    "api: apply (PDF)": ("AppCitizen", "apply"),
    "portal: my cases": ("Citizen", "mine"),
    "guide": ("Visitor", "guide"),
    "matters: search": ("Visitor", "search"),
    "matters: theme": ("Visitor", "browse"),
    "themes": ("Visitor", "themes"),
    "home": ("Visitor", "home"),
    "api: matter search": ("Visitor", "matter_api_list"),
    "api: progress query": ("Visitor", "progress"),
    "api: my cases": ("AppCitizen", "api_mine"),
    "workbench: to-do list": ("Officer", "todo"),
    "workbench: case": ("Officer", "act"),
}


def _ratio(ours: dict[str, Any], reference: dict[str, Any]) -> float:
    return float(ours["rps"]) / max(float(reference["rps"]), 1e-9)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "scale": SCALE,
        "seconds": SECONDS,
        "paced_seconds": PACED_SECONDS,
        "ramp": RAMP,
        "users": USERS,
        "wait": setting("BENCH_WAIT", "0.05-0.3"),
        "session": setting("BENCH_SESSION_REQUESTS", "30"),
        "workers": WORKERS,
        "threads": THREADS,
        "machine": machine(),
    }
    with redis_server() as redis_url:
        results["redis"] = bool(redis_url)
        env = server_env(redis_url)
        results["generated_seconds"] = database_ensure(env)
        if setting("BENCH_PREPARE_ONLY", "0") == "1":
            log(f"database ready (generated in {results['generated_seconds']:.0f} s)")
            return
        log("VACUUM (ANALYZE) of the bench database")
        results["vacuum_seconds"] = database_vacuum()
        results["database"] = database_facts(env)
        results["hash_seconds"] = password_hash_seconds(env)
        plan_path = OUT / "plan.json"
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "plan.py"), str(plan_path)],
            env=env,
            check=True,
            timeout=600,
        )
        load_env = {
            **os.environ,
            "BENCH_PLAN": str(plan_path),
            "BENCH_WAIT": results["wait"],
            "BENCH_SESSION_REQUESTS": results["session"],
        }
        with web_server(env) as server:
            log("warming up (5 s)")
            # Not the officers: a TOTP code is good once per 30 s, and they log in for the mix.
            run_locust(
                "warmup",
                seconds=5,
                users=8,
                tags=[],
                env=load_env,
                classes=["Visitor", "Reference", "Citizen", "AppCitizen"],
            )
            log(f"mixed scenario: {USERS} users for {SECONDS} s")
            database = urlsplit(DATABASE_URL).path.lstrip("/")
            profiling = setting("BENCH_PROFILE", "1") == "1"
            # No profiler here: py-spy sampling two workers took a fifth of the machine.
            sampler = CpuSampler(server.pid, database)
            results["mixed"] = run_locust("mixed", seconds=SECONDS, users=USERS, classes=[],
                                          tags=[], env=load_env, sampler=sampler,
                                          ramp=RAMP)  # fmt: skip
            mixed = results["mixed"]
            results["failures"] = locust_failures(OUT / "mixed")
            results["cpu"] = sampler.split()
            results["cpu_wall"] = sampler.elapsed
            phase_users = int(setting("BENCH_PHASE_USERS", "16"))
            results["phase_users"], results["phase_seconds"] = phase_users, PHASE_SECONDS
            phases: dict[str, dict[str, Any]] = {}
            phase_env = {**load_env, "BENCH_WAIT": "0-0"}
            for phase, (user_class, phase_tag, request, busy) in PHASES.items():
                log(f"reference phase: {phase} ({PHASE_SECONDS} s)")
                rows = run_locust(
                    f"phase-{phase_tag}" + ("-any" if busy == "0" else ""),
                    seconds=PHASE_SECONDS,
                    users=phase_users,
                    classes=[user_class],
                    tags=[phase_tag],
                    env={**phase_env, **({"BENCH_BUSY_SHARE": busy} if busy else {})},
                )
                phases[phase] = next(
                    (r for r in rows if r["name"] == request), {"rps": 0, "mean": 0, "p99": 0}
                )
            results["phases"] = phases
            if setting("BENCH_PACED", "1") == "1":
                # The same mix offered at half of what the saturated run carried: latencies
                # without the queueing of a saturated server (the "while the mix runs" targets).
                total_rps = next(r for r in mixed if r["name"] == "all requests")["rps"]
                target = max(1.0, 0.5 * float(total_rps))
                pause = USERS / target
                log(f"paced mix: {USERS} users, about {target:.0f} requests/s ({PACED_SECONDS} s)")
                results["paced_target"] = target

                paced_env = {**load_env, "BENCH_WAIT": f"{0.5 * pause:.2f}-{1.5 * pause:.2f}"}
                results["paced"] = run_locust(
                    "paced",
                    seconds=PACED_SECONDS,
                    users=USERS,
                    classes=[],
                    tags=[],
                    env=paced_env,
                    ramp=RAMP,
                )
                if profiling:
                    # Where the time of the mix goes: the paced mix once more under py-spy (the
                    # profiler takes a fifth of the machine, so not during the measured runs).
                    seconds = int(setting("BENCH_PROFILE_SECONDS", "20"))
                    log(f"profiling the paced mix ({seconds} s)")
                    results["profile_mix_seconds"] = seconds
                    results["profile_mix"] = profile(
                        server,
                        name="mix",
                        seconds=seconds,
                        run=lambda: run_locust("paced-profile", seconds=seconds, users=USERS,
                                               classes=[], tags=[], env=paced_env),
                    )  # fmt: skip
            results["ratios"] = {
                "guide/constant": _ratio(phases["guide page (cached)"], phases["constant view"]),
                "matter/one-row": _ratio(phases["matter API (cached)"], phases["one-row view"]),
            }
            if profiling:
                # Logging in is argon2 (measured on its own above); profile what else is slowest.
                slowest = max(
                    (r for r in mixed if r["name"] in PROFILE_TARGETS),
                    key=lambda r: r["mean"],
                    default=None,
                )
                if slowest is not None:
                    user_class, profile_tag = PROFILE_TARGETS[slowest["name"]]
                    seconds = int(setting("BENCH_PROFILE_SECONDS", "15"))
                    log(f"profiling {slowest['name']} ({seconds} s)")
                    results["profile_target"] = slowest["name"]
                    results["profile_seconds"] = seconds
                    results["profile"] = profile(
                        server,
                        name="slowest",
                        seconds=seconds,
                        run=lambda: run_locust(
                            "profile",
                            seconds=seconds,
                            users=8,
                            classes=[user_class],
                            tags=[profile_tag],
                            env=load_env,
                        ),
                    )
            if setting("BENCH_EXPLAIN", "1") == "1":
                log("the most frequent queries and their plans")
                explained = OUT / "queries.md"
                subprocess.run(
                    [sys.executable, str(ROOT / "bench" / "queries.py"), str(plan_path),
                     str(OUT / "mixed_stats.csv"), str(explained)],
                    env=env, check=False, timeout=900,
                )  # fmt: skip
                if explained.exists():
                    results["queries"] = explained.read_text(encoding="utf-8")
    total = next(r for r in results["mixed"] if r["name"] == "all requests")
    cpu = results["cpu"]
    requests = max(int(total["count"]), 1)
    results["cost_ms"] = {
        "server": 1000 * cpu.get("server", 0.0) / requests,
        "database": 1000 * cpu.get("database", 0.0) / requests,
    }
    raw = json.dumps(results, ensure_ascii=False, indent=1, default=str)
    (OUT / "results.json").write_text(raw)
    (OUT / f"results-scale-{SCALE:g}.json").write_text(raw)
    section = report(results)
    print(section)
    if setting("BENCH_WRITE_DOCS", "1") == "1":
        write_doc(section)
        log(f"results written to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
