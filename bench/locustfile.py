"""The mixed scenario of `make bench` (docs/performance.md): what Qingyang's users do.

- Visitors (most traffic, no login): the home page, themes, search and browse matters, open
  guides, the matters API (list and detail with its ETag), the public progress query.
- Citizens on the portal: log in, their page, my cases, a case's detail, a guide.
- Citizens in the app (REST API): obtain a token, my cases, a case, apply with a small PDF.
- Officers on the workbench: log in (password + TOTP), the to-do list, open a case, accept,
  pass, approve or deliver it.
- The reference views (/bench/constant, /bench/row/<pk>), to compare with in the same run.

Requests go to 127.0.0.1 only, through the same production server, as if behind a TLS proxy
(`X-Forwarded-Proto: https`). The plan (matters, people, officers, case numbers) is written by
`bench/plan.py`; its path is in BENCH_PLAN.
"""

from __future__ import annotations

import json
import os
import random
import re
import uuid
from typing import Any
from urllib.parse import urlsplit

from locust import between, tag, task
from locust.contrib.fasthttp import FastHttpUser
from payloads import PDF, totp

PLAN: dict[str, Any] = json.loads(open(os.environ["BENCH_PLAN"], encoding="utf-8").read())  # noqa: SIM115
SESSION_REQUESTS = int(os.environ.get("BENCH_SESSION_REQUESTS", "30"))
WAIT = tuple(float(x) for x in os.environ.get("BENCH_WAIT", "0.05-0.3").split("-"))
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')
TODO_LINK = re.compile(r'href="/workbench/cases/(\d+)/"')
ACTION = re.compile(r'action="(/workbench/cases/\d+/act/(accept|pass|approve|deliver)/)"')
BUSY_ITEMS = PLAN["items"][:100]
# How often a visitor's matter is one of the busiest 100 (the rest: any published matter).
BUSY_SHARE = float(os.environ.get("BENCH_BUSY_SHARE", "0.8"))
RNG = random.Random()  # noqa: S311 - picks test data, not secrets


def _matter() -> dict[str, Any]:
    return RNG.choice(BUSY_ITEMS if RNG.random() < BUSY_SHARE else PLAN["items"])


class _Web(FastHttpUser):
    abstract = True
    wait_time = between(*WAIT)

    def on_start(self) -> None:
        origin = "https://" + urlsplit(self.host).netloc
        self.client.default_headers = {  # type: ignore[attr-defined]
            "X-Forwarded-Proto": "https",
            "Origin": origin,
            "Referer": origin + "/",
            "Accept-Language": "zh-CN",
        }

    def csrf(self) -> str:
        for cookie in self.client.cookiejar:  # type: ignore[attr-defined]
            if cookie.name == "csrftoken":
                return str(cookie.value)
        return ""

    def cookies(self) -> dict[str, str]:
        """The session's cookies as a header. The production cookies are `Secure`; the client
        would not send them over plain HTTP to 127.0.0.1 (the TLS proxy is only pretended)."""
        jar = self.client.cookiejar  # type: ignore[attr-defined]
        return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in jar)}

    def get(self, path: str, name: str, **kwargs: Any) -> Any:
        return self.client.get(path, name=name, headers=self.cookies(), **kwargs)

    def post_form(self, path: str, name: str, data: dict[str, str]) -> Any:
        data = {"csrfmiddlewaretoken": self.csrf(), **data}
        return self.client.post(
            path, name=name, data=data, headers=self.cookies(), allow_redirects=False
        )


class Visitor(_Web):
    """Someone reading the service guide (no login): most of the traffic."""

    weight = 12

    @tag("home")
    @task(2)
    def home(self) -> None:
        self.get("/", "home")

    @tag("themes")
    @task(1)
    def themes(self) -> None:
        self.get("/themes/", "themes")

    @tag("search")
    @task(3)
    def search(self) -> None:
        term = RNG.choice(PLAN["terms"])
        self.get(f"/matters/?q={term}", "matters: search")

    @tag("browse")
    @task(2)
    def browse(self) -> None:
        theme = RNG.choice(PLAN["themes"]) if PLAN["themes"] else ""
        self.get(f"/matters/?audience=person&theme={theme}", "matters: theme")

    @tag("guide")
    @task(6)
    def guide(self) -> None:
        self.get(f"/guide/{_matter()['code']}/", "guide")

    @tag("matter_api")
    @task(3)
    def matter_api(self) -> None:
        self.get(f"/api/matters/{_matter()['code']}", "api: matter detail")

    @tag("matter_api_list")
    @task(1)
    def matter_api_list(self) -> None:
        term = RNG.choice(PLAN["terms"])
        self.get(f"/api/matters/?q={term}&limit=20", "api: matter search")

    @tag("progress")
    @task(2)
    def progress(self) -> None:
        case = RNG.choice(PLAN["progress"])
        self.get(
            f"/api/cases/progress?number={case['number']}&password={case['password']}",
            "api: progress query",
        )


class Reference(_Web):
    """The two reference views, a small share of the same run."""

    weight = 1

    @tag("constant")
    @task(1)
    def constant(self) -> None:
        self.get("/bench/constant", "ref: constant view")

    @tag("one_row")
    @task(1)
    def one_row(self) -> None:
        item = RNG.choice(PLAN["items"])
        self.get(f"/bench/row/{item['pk']}", "ref: one-row view")


class Citizen(_Web):
    """A person on the portal: logs in, looks at their cases, reads a guide; a new session
    every BENCH_SESSION_REQUESTS requests."""

    weight = 3

    def on_start(self) -> None:
        super().on_start()
        self.phone = RNG.choice(PLAN["persons"])
        self.done = 0
        self.case_ids: list[str] = []
        self.login()

    def login(self) -> None:
        self.client.cookiejar.clear()  # type: ignore[attr-defined]
        self.get("/login/", "portal: login page")
        data = {"method": "password", "identifier": self.phone, "password": PLAN["password"]}
        with self.client.post(
            "/login/",
            name="portal: log in",
            data={"csrfmiddlewaretoken": self.csrf(), **data},
            headers=self.cookies(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}")
        self.done = 0

    def _session(self) -> None:
        self.done += 1
        if self.done >= SESSION_REQUESTS:
            self.login()

    @tag("me")
    @task(1)
    def me(self) -> None:
        self._session()
        self.get("/me/", "portal: me")

    @tag("mine")
    @task(3)
    def mine(self) -> None:
        self._session()
        response = self.get("/cases/mine/", "portal: my cases")
        self.case_ids = CASE_LINK.findall(response.text or "")[:10]

    @tag("case")
    @task(3)
    def case(self) -> None:
        self._session()
        if self.case_ids:
            self.get(f"/cases/{RNG.choice(self.case_ids)}/", "portal: my case")

    @tag("guide")
    @task(2)
    def guide(self) -> None:
        self._session()
        self.get(f"/guide/{RNG.choice(BUSY_ITEMS)['code']}/", "guide")


class AppCitizen(_Web):
    """A person in the mobile app (REST API with a bearer token): applies with a small PDF."""

    weight = 2

    def on_start(self) -> None:
        super().on_start()
        self.phone = RNG.choice(PLAN["persons"])
        self.token = ""
        self.done = 0
        self.case_ids: list[int] = []

    def _auth(self) -> dict[str, str]:
        self.done += 1
        if not self.token or self.done >= SESSION_REQUESTS:
            body = {"client": "app", "identifier": self.phone, "password": PLAN["password"]}
            response = self.client.post("/api/auth/token", name="api: token", json=body)
            self.token = (response.json() or {}).get("access_token", "") if response.ok else ""
            self.done = 0
        return {"Authorization": f"Bearer {self.token}"}

    @tag("api_mine")
    @task(4)
    def mine(self) -> None:
        headers = self._auth()
        response = self.client.get(
            "/api/cases/mine?limit=20", name="api: my cases", headers=headers
        )
        if response.ok:
            self.case_ids = [c["id"] for c in response.json().get("items", [])][:10]

    @tag("api_case")
    @task(3)
    def case(self) -> None:
        headers = self._auth()
        if self.case_ids:
            case_id = RNG.choice(self.case_ids)
            self.client.get(f"/api/cases/mine/{case_id}", name="api: my case", headers=headers)

    @tag("apply")
    @task(1)
    def apply(self) -> None:
        if not PLAN["apply_items"]:
            return
        headers = {**self._auth(), "Idempotency-Key": f"bench-{uuid.uuid4().hex}"}
        item = RNG.choice(PLAN["apply_items"])
        files = [
            {"material_seq": seq, "name": f"材料{seq}.pdf", "content": PDF}
            for seq in item["materials"]
        ]
        body = {"item": item["code"], "form_data": {}, "delivery": "pickup", "files": files}
        self.client.post(
            "/api/cases/applications", name="api: apply (PDF)", json=body, headers=headers
        )


OFFICERS = list(PLAN["officers"])


class Officer(_Web):
    """An officer on the workbench: the to-do list, a case, and the action it waits for."""

    weight = 2

    def on_start(self) -> None:
        super().on_start()
        self.officer = OFFICERS.pop() if OFFICERS else RNG.choice(PLAN["officers"])
        self.case_ids: list[str] = []
        self.get("/workbench/login/", "workbench: login page")
        data = {"username": self.officer["username"], "password": PLAN["password"]}
        self.post_form("/workbench/login/", "workbench: log in", data)
        data = {"method": "totp", "token": totp(PLAN["totp_secret"])}
        with self.client.post(
            "/workbench/login/second/",
            name="workbench: second factor",
            data={"csrfmiddlewaretoken": self.csrf(), **data},
            headers=self.cookies(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"second factor answered {response.status_code}")

    @tag("todo")
    @task(3)
    def todo(self) -> None:
        response = self.get("/workbench/cases/", "workbench: to-do list")
        self.case_ids = TODO_LINK.findall(response.text or "")[:20]

    @tag("act")
    @task(2)
    def act(self) -> None:
        if not self.case_ids:
            return
        case_id = self.case_ids.pop(0)
        page = self.get(f"/workbench/cases/{case_id}/", "workbench: case")
        found = ACTION.search(page.text or "")
        if found is None:
            return
        path, action = found.groups()
        fields = {
            "accept": {"accept-opinion": "材料齐全，予以受理"},
            "pass": {"pass-opinion": "同意"},
            "approve": {"approve-opinion": "准予", "approve-result_name": ""},
            "deliver": {"deliver-note": "已领取"},
        }[action]
        with self.client.post(
            path,
            name=f"workbench: {action}",
            data={"csrfmiddlewaretoken": self.csrf(), **fields},
            headers=self.cookies(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code in (403, 409):
                # A colleague with the same to-do list claimed (403) or moved (409) the case
                # first: the right answer, counted apart, not as an error.
                response.success()
                self.environment.events.request.fire(
                    request_type="NOTE",
                    name="workbench: refused, a colleague was first (403/409)",
                    response_time=0,
                    response_length=0,
                    exception=None,
                    context={},
                )
            elif response.status_code >= 400:
                response.failure(f"{action} answered {response.status_code}")
