"""The database connection as the platform configures it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

READ_OPTIONS = (
    "import json; from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
)


def _options(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DB_RANDOM_PAGE_COST"}
    environment.update(
        DJANGO_SETTINGS_MODULE="yiwang.settings",
        DATABASE_URL="postgres://yiwang@db.example:5432/yiwang",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", READ_OPTIONS],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_postgresql_connections_plan_for_a_working_set_in_memory() -> None:
    default = _options()
    assert json.loads(default.stdout) == {"options": "-c random_page_cost=1.1"}
    chosen = _options(DB_RANDOM_PAGE_COST="2")
    assert json.loads(chosen.stdout) == {"options": "-c random_page_cost=2"}
    # 0: the server's own setting (a pooler in transaction mode refuses options at connect).
    server = _options(DB_RANDOM_PAGE_COST="0")
    assert json.loads(server.stdout) == {}
    wrong = _options(DB_RANDOM_PAGE_COST="1,1")
    assert wrong.returncode != 0
    assert "DB_RANDOM_PAGE_COST must be a number" in wrong.stderr


@pytest.mark.django_db
def test_the_setting_reaches_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == 1.1
