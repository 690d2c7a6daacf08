"""The most frequent queries of the mixed scenario, and their plans on the bench database.

Replays one request of each type of the mix through Django's test client (in process, same
settings as the server), counts each query shape weighted by how often the mix sent that
request, and runs EXPLAIN ANALYZE on the most frequent ones. Run by `bench/run.py`:

    python bench/queries.py var/bench/plan.json var/bench/mixed_stats.csv var/bench/queries.md
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_PLAN", sys.argv[1] if len(sys.argv) > 1 else "")

from locustfile import totp

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


def capture(client: Any, method: str, path: str, **options: Any) -> tuple[int, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(path, **options)
    return response.status_code, [q["sql"] for q in captured.captured_queries]


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
    per_request: dict[str, list[str]] = {}
    anonymous = Client(**headers)
    for name, method, path, options in requests_of_the_mix(plan):
        per_request[name] = capture(anonymous, method, path, **options)[1]

    citizen = Client(**headers)
    phone = plan["persons"][0]
    citizen.get("/login/")
    login = {"method": "password", "identifier": phone, "password": plan["password"]}
    per_request["portal: log in"] = capture(citizen, "post", "/login/", data=login)[1]
    per_request["portal: me"] = capture(citizen, "get", "/me/")[1]
    per_request["portal: my cases"] = capture(citizen, "get", "/cases/mine/")[1]
    page = citizen.get("/cases/mine/").content.decode()
    found = re.search(r'href="/cases/(\d+)/"', page)
    if found:
        per_request["portal: my case"] = capture(citizen, "get", f"/cases/{found[1]}/")[1]

    app = Client(**headers)
    body = {"client": "app", "identifier": phone, "password": plan["password"]}
    _, queries = capture(app, "post", "/api/auth/token", data=body,
                              content_type="application/json")  # fmt: skip
    per_request["api: token"] = queries
    token = app.post("/api/auth/token", data=body, content_type="application/json").json()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token.get('access_token', '')}"}
    per_request["api: my cases"] = capture(app, "get", "/api/cases/mine?limit=20", **bearer)[1]
    mine = app.get("/api/cases/mine?limit=20", **bearer).json().get("items", [])
    if mine:
        path = f"/api/cases/mine/{mine[0]['id']}"
        per_request["api: my case"] = capture(app, "get", path, **bearer)[1]

    officer = plan["officers"][0]["username"]
    staff = Client(**headers)
    staff.post("/workbench/login/", data={"username": officer, "password": plan["password"]})
    staff.post(
        "/workbench/login/second/", data={"method": "totp", "token": totp(plan["totp_secret"])}
    )
    per_request["workbench: to-do list"] = capture(staff, "get", "/workbench/cases/")[1]
    page = staff.get("/workbench/cases/").content.decode()
    found = re.search(r'href="/workbench/cases/(\d+)/"', page)
    if found:
        per_request["workbench: case"] = capture(staff, "get", f"/workbench/cases/{found[1]}/")[1]

    frequency: Counter[str] = Counter()
    example: dict[str, str] = {}
    sources: dict[str, set[str]] = defaultdict(set)
    for name, queries in per_request.items():
        for sql in queries:
            key = shape(sql)
            frequency[key] += counts.get(name, 0)
            example.setdefault(key, sql)
            sources[key].add(name)
    lines = [
        "| request | queries |",
        "|---|---:|",
        *(f"| {name} | {len(queries)} |" for name, queries in per_request.items()),
        "",
    ]
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
