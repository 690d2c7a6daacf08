"""Where the mixed scenario's time goes, per request type, and its most frequent queries with
their plans on the bench database.

Replays one request of each type of the mix through Django's test client (in process, same
settings as the server): counts its queries, times it (CPU and database, warm), weights each
by how often the mix sent that request, and runs EXPLAIN ANALYZE on the most frequent query
shapes. Run by `bench/run.py`:

    python bench/queries.py var/bench/plan.json var/bench/mixed_stats.csv var/bench/queries.md
"""

from __future__ import annotations

import csv
import gc
import json
import os
import re
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_PLAN", sys.argv[1] if len(sys.argv) > 1 else "")

from payloads import PDF, totp

REPEATS = 50  # timed calls of each request type, after one untimed
LOGIN_REPEATS = 5  # password checks (argon2): few
APPLY_REPEATS = 20  # each creates a case in the bench database


@dataclass(frozen=True)
class Request:
    call: Callable[[], Any]
    repeats: int = REPEATS


SHAPE = [
    (re.compile(r"'(?:[^']|'')*'"), "?"),
    (re.compile(r"\b\d+(\.\d+)?\b"), "?"),
    (re.compile(r"\(\s*\?(\s*,\s*\?)*\s*\)"), "(?…)"),
    (re.compile(r"\s+"), " "),
]


# Tables whose size grows with the city's cases and people: no request may read them whole
# (once they hold at least SMALL rows: below that, reading a table whole is what any plan does).
SMALL = 1000
GROWING = re.compile(
    r"cases_\w+|accounts_(?:person|enterprise|user|agentgrant|apitoken)|reviews_\w+"
    r"|notify_outboxmessage|reporting_reportrecord"
)


def shape(sql: str) -> str:
    for pattern, replacement in SHAPE:
        sql = pattern.sub(replacement, sql)
    return sql.strip()


def requests_of_the_mix(plan: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(request name in the stats, method, path, options) — one of each type."""
    item = plan["items"][0]
    term = plan["terms"][0]
    theme = plan["themes"][0] if plan["themes"] else ""
    case = plan["progress"][0]
    return [
        ("home", "get", "/", {}),
        ("themes", "get", "/themes/", {}),
        ("matters: search", "get", f"/matters/?q={term}", {}),
        ("matters: theme", "get", f"/matters/?audience=person&theme={theme}", {}),
        ("guide", "get", f"/guide/{item['code']}/", {}),
        ("api: matter detail", "get", f"/api/matters/{item['code']}", {}),
        ("api: matter search", "get", f"/api/matters/?q={term}&limit=20", {}),
        ("api: progress query", "get",
         f"/api/cases/progress?number={case['number']}&password={case['password']}", {}),
        ("ref: one-row view", "get", f"/bench/row/{item['pk']}", {}),
    ]  # fmt: skip


def capture(call: Callable[[], Any]) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return [q["sql"] for q in captured.captured_queries]


def cost(call: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """(CPU ms, database ms) per call in this process, warm: the CPU is this process's only
    (Python, with the test client's own small share); the database time is the wall time of
    the statements (sent, run by PostgreSQL, answered)."""
    from django.db import connection

    waited = [0.0]

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            waited[0] += time.perf_counter() - start

    call()
    # The garbage of what ran before is collected now, not charged to this request type (a
    # full collection after the first calls of every type had put 3 ms on `home`, the first).
    gc.collect()
    with connection.execute_wrapper(timed):
        started = time.process_time()
        for _ in range(repeats):
            call()
        cpu = time.process_time() - started
    return 1000 * cpu / repeats, 1000 * waited[0] / repeats


def requests_signed_in(plan: dict[str, Any], headers: dict[str, str]) -> dict[str, Request]:
    """The signed-in requests of the mix, each as a call (the logins done once, first)."""
    from django.test import Client

    calls: dict[str, Request] = {}
    citizen = Client(**headers)
    phone = plan["persons"][0]
    citizen.get("/login/")
    login = {"method": "password", "identifier": phone, "password": plan["password"]}
    # The login is captured on its own client (a second login of the same client is a no-op).
    calls["portal: log in"] = Request(
        lambda: Client(**headers).post("/login/", data=login), repeats=LOGIN_REPEATS
    )
    citizen.post("/login/", data=login)
    calls["portal: me"] = Request(lambda: citizen.get("/me/"))
    calls["portal: my cases"] = Request(lambda: citizen.get("/cases/mine/"))
    found = re.search(r'href="/cases/(\d+)/"', citizen.get("/cases/mine/").content.decode())
    if found:
        calls["portal: my case"] = Request(lambda: citizen.get(f"/cases/{found[1]}/"))

    app = Client(**headers)
    body = {"client": "app", "identifier": phone, "password": plan["password"]}
    calls["api: token"] = Request(
        lambda: app.post("/api/auth/token", data=body, content_type="application/json"),
        repeats=LOGIN_REPEATS,
    )
    token = app.post("/api/auth/token", data=body, content_type="application/json").json()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token.get('access_token', '')}"}
    calls["api: my cases"] = Request(lambda: app.get("/api/cases/mine?limit=20", **bearer))
    mine = app.get("/api/cases/mine?limit=20", **bearer).json().get("items", [])
    if mine:
        calls["api: my case"] = Request(
            lambda: app.get(f"/api/cases/mine/{mine[0]['id']}", **bearer)
        )
    if plan["apply_items"]:
        item = plan["apply_items"][0]
        files = [
            {"material_seq": seq, "name": f"材料{seq}.pdf", "content": PDF}
            for seq in item["materials"]
        ]
        application = {"item": item["code"], "form_data": {}, "delivery": "pickup",
                       "files": files}  # fmt: skip
        # Another person applies: the cases made here would otherwise pile up, run after run,
        # in the lists measured above.
        other = {**body, "identifier": plan["persons"][-1]}
        applicant = Client(**headers).post(
            "/api/auth/token", data=other, content_type="application/json"
        )
        applying = {"HTTP_AUTHORIZATION": f"Bearer {applicant.json().get('access_token', '')}"}
        calls["api: apply (PDF)"] = Request(
            lambda: app.post(
                "/api/cases/applications",
                data=application,
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=f"bench-{uuid.uuid4().hex}",
                **applying,
            ),
            repeats=APPLY_REPEATS,
        )

    officer = plan["officers"][0]["username"]
    staff = Client(**headers)
    staff.post("/workbench/login/", data={"username": officer, "password": plan["password"]})
    staff.post(
        "/workbench/login/second/", data={"method": "totp", "token": totp(plan["totp_secret"])}
    )
    calls["workbench: to-do list"] = Request(lambda: staff.get("/workbench/cases/"))
    found_case = re.search(
        r'href="/workbench/cases/(\d+)/"', staff.get("/workbench/cases/").content.decode()
    )
    if found_case:
        calls["workbench: case"] = Request(lambda: staff.get(f"/workbench/cases/{found_case[1]}/"))
    return calls


def cost_table(
    per_request: dict[str, list[str]],
    costs: dict[str, tuple[float, float]],
    counts: dict[str, int],
) -> list[str]:
    """Queries and in-process cost of each request type, and its share of the mix's CPU (its
    cost times how often the mix sent it)."""
    weighted = {name: costs[name][0] * counts.get(name, 0) for name in costs}
    total = sum(weighted.values()) or 1.0
    sent = sum(counts.get(name, 0) for name in costs) or 1
    database = sum(costs[name][1] * counts.get(name, 0) for name in costs)
    return [
        "| request | queries | CPU ms | database ms | share of the mix's CPU |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {name} | {len(queries)} | {costs[name][0]:.1f} | {costs[name][1]:.1f} "
            f"| {100 * weighted[name] / total:.0f} % |"
            for name, queries in per_request.items()
        ),
        "",
        f"Weighted by the mix: {total / sent:.1f} ms of CPU and {database / sent:.1f} ms in the "
        "database per request, one request at a time in one process.",
    ]


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
    django.setup()
    from django.db import connection
    from django.test import Client

    plan = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    with open(sys.argv[2], encoding="utf-8") as f:
        for row in csv.DictReader(f):
            counts[row["Name"]] = int(row["Request Count"])
    headers = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "127.0.0.1"}
    anonymous = Client(**headers)
    calls = {
        name: Request(lambda method=method, path=path: getattr(anonymous, method)(path))
        for name, method, path, _ in requests_of_the_mix(plan)
    }
    calls.update(requests_signed_in(plan, headers))
    # First the queries of each (cold caches: the first request of its kind), then the cost.
    per_request = {name: capture(request.call) for name, request in calls.items()}
    costs = {name: cost(request.call, request.repeats) for name, request in calls.items()}

    frequency: Counter[str] = Counter()
    example: dict[str, str] = {}
    sources: dict[str, set[str]] = defaultdict(set)
    for name, queries in per_request.items():
        for sql in queries:
            key = shape(sql)
            frequency[key] += counts.get(name, 0)
            example.setdefault(key, sql)
            sources[key].add(name)
    lines = [*cost_table(per_request, costs, counts), ""]
    for rank, (key, weight) in enumerate(frequency.most_common(5), start=1):
        sql = example[key]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan_lines = [row[0] for row in cursor.fetchall()]
        lines += [
            f"**{rank}. {weight} times in the mix** (from: {', '.join(sorted(sources[key]))})",
            "",
            "```sql",
            sql if len(sql) < 1500 else sql[:1500] + " …",
            "```",
            "",
            "```",
            *plan_lines,
            "```",
            "",
        ]
    # A table of a few rows is read whole by any plan; what matters is the large ones.
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")
        rows = {name: int(count) for name, count in cursor.fetchall()}
    scans = []
    for key in sorted(frequency):
        if not GROWING.search(key):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + example[key])
            text = "\n".join(row[0] for row in cursor.fetchall())
        for table in sorted(set(re.findall(r"Seq Scan on (\w+)", text))):
            if GROWING.fullmatch(table) and rows.get(table, 0) >= SMALL:
                names = ", ".join(sorted(sources[key]))
                scans.append(f"- `{table}` scanned by a query of {names}")
    lines += [
        "Sequential scans of tables that grow with the data (cases and their rows, persons,",
        f"enterprises, accounts, grants, tokens, ratings) of {SMALL:,} rows or more, among all",
        "the queries above:",
        "",
        *(scans or ["- none"]),
        "",
    ]
    Path(sys.argv[3]).write_text("\n".join(lines), encoding="utf-8")
    print(f"queries written to {sys.argv[3]}")


if __name__ == "__main__":
    main()
