"""The `yiwang` command: demo data, the production checks, and a real server answering."""

from __future__ import annotations

import functools
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import call_command

from yiwang.accounts.models import Person, User
from yiwang.core.models import AuditRecord
from yiwang.ops.demo import CITIZEN_ID, DEMO_PASSWORD, DEMO_STAFF
from yiwang.regions.models import Department, Region

BIN = Path(sys.executable).parent


@pytest.mark.django_db
def test_demo_loads_once_and_if_empty_skips(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo", "--if-empty")
    out = capsys.readouterr().out
    assert "庆阳市演示数据已加载" in out
    assert "sysadmin / Yiwang@2026：系统管理员" in out
    assert Region.objects.filter(level="county").count() == 8
    assert Department.objects.count() == 701
    for username, *_ in DEMO_STAFF:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    citizen = Person.objects.get(resident_id=CITIZEN_ID)
    assert citizen.real_name_level == 2
    assert citizen.user.check_password(DEMO_PASSWORD)
    assert AuditRecord.objects.filter(action="demo.load").count() == 1
    call_command("demo", "--if-empty")
    assert "跳过" in capsys.readouterr().out
    assert AuditRecord.objects.filter(action="demo.load").count() == 1


@functools.cache
def _rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _production_env(tmp_path: Path) -> dict[str, str]:
    drop = {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        YIWANG_ENV="production",
        SECRET_KEY="test-only-" + "x7Qp2Lr9Vw" * 6,
        ALLOWED_HOSTS="127.0.0.1,zwfw.example.cn",
        YIWANG_DATA_DIR=str(tmp_path),
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        OIDC_ISSUER="https://zwfw.example.cn/o",
        OIDC_RSA_PRIVATE_KEY=_rsa_pem(),
    )
    return env


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    result = subprocess.run(
        [BIN / "yiwang", "check", "--deploy", "--fail-level", "WARNING"],
        env={**_production_env(tmp_path), "SECURE_SSL_REDIRECT": "true"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]
    result = subprocess.run(
        [BIN / "yiwang", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_wsgi_module_loads_every_view_and_freezes_what_it_loaded(tmp_path: Path) -> None:
    code = (
        "import gc, sys\n"
        "import yiwang.wsgi\n"
        "print(gc.get_freeze_count() > 0, gc.get_threshold()[0],\n"
        "      'yiwang.cases.views' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "7000", "True"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_production_answers_healthz_and_the_home_page(tmp_path: Path) -> None:
    env = _production_env(tmp_path)
    subprocess.run([BIN / "yiwang", "migrate", "-v0"], env=env, check=True, timeout=300)
    subprocess.run([BIN / "yiwang", "demo"], env=env, check=True, timeout=300, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [BIN / "yiwang", "serve", "--production", "--workers", "1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = ""
        deadline = time.monotonic() + 240  # collectstatic compresses every file first
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.3)
        assert '"status": "ok"' in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            html = response.read().decode()
        assert "镇原县" in html
        # Static files are collected and served with a hashed name in production.
        assert "/static/yiwang/site." in html
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"http://127.0.0.1:{port}/" in output
