"""Provincial catalog sync over real HTTP against the local provincial server: batches are
applied once, in order, each whole or not at all; the server's authentication and paging."""

from __future__ import annotations

import datetime as dt
import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests  # type: ignore[import-untyped,unused-ignore]
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings as SettingsWrapper

from yiwang.catalog.models import BasicItem, SyncBatch
from yiwang.catalog.provincial_server import ProvincialCatalogServer
from yiwang.catalog.sync import (
    BadRecordError,
    CatalogSyncError,
    ProvincialCatalogClient,
    SyncErrorCode,
    batch_apply,
    canonical_query,
    catalog_sync,
    parse_page,
    record_check,
    upstream_fields_locked,
)
from yiwang.catalog.tasks import catalog_sync_task
from yiwang.core.models import AuditRecord

APP_KEY = "qingyang-catalog"
APP_SECRET = "catalog-secret-3d9a71"
APPLIED, FAILED = SyncBatch.State.APPLIED, SyncBatch.State.FAILED
db = pytest.mark.django_db(transaction=True)

PASSPORT = "000104002000"
PASSPORT_FIRST = "000104002001"
IDCARD = "000201001000"
HUKOU = "000301001000"


def rec(
    op: str,
    code: str,
    name: str = "",
    *,
    matter_type: str = "01",
    level: str = "2",
    legal_basis: str = "",
    parent_code: str = "",
) -> dict[str, Any]:
    return {
        "op": op, "code": code, "name": name, "matter_type": matter_type, "level": level,
        "legal_basis": legal_basis, "parent_code": parent_code,
    }  # fmt: skip


def passport(op: str = "I", name: str = "普通护照签发") -> dict[str, Any]:
    return rec(op, PASSPORT, name, level="3", legal_basis="《中华人民共和国护照法》第五条")


def passport_first() -> dict[str, Any]:
    return rec("I", PASSPORT_FIRST, "普通护照签发（首次申领）", level="3", parent_code=PASSPORT)


def idcard(op: str = "I", name: str = "居民身份证首次申领", level: str = "4") -> dict[str, Any]:
    return rec(op, IDCARD, name, matter_type="20", level=level, legal_basis="《居民身份证法》")


def snapshot() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every basic item and sync batch as stored, to compare before and after."""
    items = BasicItem.objects.order_by("code").values_list(
        "code", "name", "matter_type", "legal_basis", "level", "parent__code", "source",
        "is_active", "upstream_batch", "synced_at", "local_note",
    )  # fmt: skip
    batches = SyncBatch.objects.order_by("batch_no").values_list(
        "batch_no", "batch_time", "state", "inserted", "updated", "deleted", "unchanged", "error",
        "applied_at",
    )  # fmt: skip
    return list(items), list(batches)


def audit_actions() -> list[str]:
    return list(AuditRecord.objects.order_by("seq").values_list("action", flat=True))


def counts(batch: SyncBatch) -> tuple[str, str, int, int, int, int]:
    return (
        batch.batch_no, batch.state, batch.inserted, batch.updated, batch.deleted, batch.unchanged
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server() -> Iterator[ProvincialCatalogServer]:
    with ProvincialCatalogServer(app_key=APP_KEY, app_secret=APP_SECRET) as running:
        yield running


@pytest.fixture
def configure(settings: SettingsWrapper, server: ProvincialCatalogServer) -> Callable[..., None]:
    """The sync points at the local server; `configure(APP_SECRET="…")` changes a setting."""
    settings.CATALOG_SYNC = {
        "URL": server.base_url, "APP_KEY": APP_KEY, "APP_SECRET": APP_SECRET,
        "TIMEOUT_SECONDS": 5, "BATCH_LIMIT": 20,
    }  # fmt: skip

    def apply(**changes: Any) -> None:
        settings.CATALOG_SYNC = {**settings.CATALOG_SYNC, **changes}

    return apply


# --- Applying batches -------------------------------------------------------------------------


@db
def test_first_sync_inserts(server: ProvincialCatalogServer, configure: Any) -> None:
    first = server.add_batch(
        [passport(), passport_first(), idcard()], batch_time="2026-11-28T10:00:00+08:00"
    )
    [batch] = catalog_sync()
    assert counts(batch) == (first, APPLIED, 3, 0, 0, 0)
    assert batch.batch_time == dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)
    assert batch.error == ""
    child = BasicItem.objects.get(code=PASSPORT_FIRST)
    assert (child.name, child.level, child.parent and child.parent.code) == (
        "普通护照签发（首次申领）", "3", PASSPORT
    )  # fmt: skip
    for item in BasicItem.objects.all():
        assert (item.source, item.is_active, item.upstream_batch) == ("provincial", True, first)
        assert item.synced_at is not None
    assert audit_actions() == ["catalog.basic_created"] * 3 + ["catalog.sync_batch_applied"]
    assert server.requests_seen == [{"after": "", "limit": 20}]


@db
def test_rerun_applies_nothing_and_changes_nothing(
    server: ProvincialCatalogServer, configure: Any
) -> None:
    first = server.add_batch([passport(), idcard()])
    catalog_sync()
    before, audits = snapshot(), audit_actions()
    assert catalog_sync() == []
    assert catalog_sync() == []
    assert snapshot() == before
    assert audit_actions() == audits
    assert server.requests_seen[-1] == {"after": first, "limit": 20}


@db
def test_a_batch_served_again_changes_nothing(
    server: ProvincialCatalogServer, configure: Any
) -> None:
    first = server.add_batch([passport(), idcard()])
    catalog_sync()
    server.ignore_after = True  # the province resends everything from its first batch
    second = server.add_batch([idcard("U", name="居民身份证申领")])
    assert [counts(b) for b in catalog_sync()] == [(second, APPLIED, 0, 1, 0, 0)]
    before, audits = snapshot(), audit_actions()
    assert catalog_sync() == []
    assert snapshot() == before
    assert audit_actions() == audits
    # The same batch handed to the apply step twice: applied once, then skipped.
    [again] = parse_page({"batches": server.batches()[:1], "has_more": False}).batches
    assert again.batch_no == first
    assert batch_apply(again) is None
    assert snapshot() == before


@db
def test_an_insert_of_an_item_with_the_same_values_counts_unchanged(
    server: ProvincialCatalogServer, configure: Any
) -> None:
    server.add_batch([passport()])
    catalog_sync()
    before_items, audits = snapshot()[0], audit_actions()
    second = server.add_batch([passport()])
    assert [counts(b) for b in catalog_sync()] == [(second, APPLIED, 0, 0, 0, 1)]
    assert snapshot()[0] == before_items  # not even upstream_batch moves: nothing changed
    assert audit_actions() == [*audits, "catalog.sync_batch_applied"]


@db
def test_update_changes_upstream_fields_and_keeps_the_local_note(
    server: ProvincialCatalogServer, configure: Any
) -> None:
    server.add_batch([passport(), idcard()])
    catalog_sync()
    BasicItem.objects.filter(code=IDCARD).update(local_note="西峰区窗口另需核验户口簿")
    second = server.add_batch(
        [rec("U", IDCARD, "居民身份证申领", matter_type="20", level="3",
             legal_basis="《居民身份证法》第八条", parent_code=PASSPORT)]
    )  # fmt: skip
    assert [counts(b) for b in catalog_sync()] == [(second, APPLIED, 0, 1, 0, 0)]
    item = BasicItem.objects.get(code=IDCARD)
    assert (item.name, item.level, item.legal_basis, item.parent and item.parent.code) == (
        "居民身份证申领", "3", "《居民身份证法》第八条", PASSPORT
    )  # fmt: skip
    assert item.local_note == "西峰区窗口另需核验户口簿"
    assert item.upstream_batch == second
    assert BasicItem.objects.get(code=PASSPORT).name == "普通护照签发"


@db
def test_delete_deactivates_and_keeps_the_item(
    server: ProvincialCatalogServer, configure: Any
) -> None:
    server.add_batch([passport(), idcard()])
    second = server.add_batch([rec("D", IDCARD)])
    assert [counts(b)[1:] for b in catalog_sync()] == [(APPLIED, 2, 0, 0, 0), (APPLIED, 0, 0, 1, 0)]
    item = BasicItem.objects.get(code=IDCARD)
    assert (item.is_active, item.upstream_batch, item.name) == (False, second, "居民身份证首次申领")
    assert BasicItem.objects.get(code=PASSPORT).is_active
    assert "catalog.basic_deactivated" in audit_actions()
    # Deleting again, or deleting what was never here, changes nothing.
    third = server.add_batch([rec("D", IDCARD), rec("D", "000999000000")])
    assert [counts(b) for b in catalog_sync()] == [(third, APPLIED, 0, 0, 0, 2)]
    # The province publishing it again brings it back.
    fourth = server.add_batch([idcard()])
    assert [counts(b) for b in catalog_sync()] == [(fourth, APPLIED, 0, 1, 0, 0)]
    assert BasicItem.objects.get(code=IDCARD).is_active


@db
def test_a_bad_record_fails_its_whole_batch_and_later_batches_wait(
    server: ProvincialCatalogServer, configure: Any
) -> None:
    first = server.add_batch([passport()])
    catalog_sync()
    bad = rec("I", HUKOU, "户口迁移", matter_type="99", level="4")
    second = server.add_batch([passport("U", name="普通护照签发（新）"), bad, idcard()])
    third = server.add_batch([rec("I", "000401001000", "机动车登记", level="3")])
    before, audits = snapshot(), audit_actions()

    [failed] = catalog_sync()
    assert counts(failed) == (second, FAILED, 0, 0, 0, 0)
    assert failed.error == (
        f"批次 {second} 第 2 条记录（{HUKOU}）：事项类型“99”不在代码表中"
        "（01、02、03、04、05、06、07、08、09、10、20）"
    )
    items_after = snapshot()[0]
    assert items_after == before[0]  # neither the update before the bad record nor the insert after
    assert not SyncBatch.objects.filter(batch_no=third).exists()
    assert audit_actions() == audits
    assert server.requests_seen[-1]["after"] == first

    # Retrying before the province fixes it: the same failure, still nothing applied.
    [still] = catalog_sync()
    assert (still.batch_no, still.state, still.error) == (second, FAILED, failed.error)
    assert snapshot()[0] == before[0]

    server.replace_records(second, [passport("U", name="普通护照签发（新）"),
                                    {**bad, "matter_type": "07"}, idcard()])  # fmt: skip
    applied = catalog_sync()
    assert [counts(b) for b in applied] == [
        (second, APPLIED, 2, 1, 0, 0),
        (third, APPLIED, 1, 0, 0, 0),
    ]
    row = SyncBatch.objects.get(batch_no=second)
    assert (row.state, row.error) == (APPLIED, "")
    assert BasicItem.objects.get(code=PASSPORT).name == "普通护照签发（新）"
    assert BasicItem.objects.get(code=HUKOU).matter_type == "07"


@db
@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (rec("X", HUKOU, "户口迁移"),
         f"第 2 条记录（{HUKOU}）：操作类型“X”无效，应为 I（新增）、U（更新）或 D（删除）"),
        (rec("I", "12345", "户口迁移"),
         "第 2 条记录（12345）：基本编码应为12位数字或大写字母，当前为“12345”"),
        (rec("I", HUKOU, "户口迁移", level="8"), "：行使层级“8”不在代码表中（1-7）"),
        (rec("I", HUKOU, "  "), "：事项名称不能为空"),
        (rec("I", HUKOU, "户口迁移", parent_code="000999999000"), "：主项“000999999000”不存在"),
        (rec("U", HUKOU, "户口迁移"), f"：基本编码 {HUKOU} 在本地不存在，无法更新"),
        ({**rec("I", HUKOU, "户口迁移"), "level": 4}, "：字段 level 应为字符串"),
        ("not a record", "第 2 条记录：应为 JSON 对象"),
    ],
)  # fmt: skip
def test_each_record_is_checked_and_named(
    server: ProvincialCatalogServer, configure: Any, bad: Any, message: str
) -> None:
    batch_no = server.add_batch([passport(), bad])
    [failed] = catalog_sync()
    assert failed.state == FAILED
    assert failed.error.startswith(f"批次 {batch_no} 第 2 条记录")
    assert message in failed.error
    assert not BasicItem.objects.exists()


def test_a_record_with_several_problems_lists_them_all() -> None:
    with pytest.raises(BadRecordError) as raised:
        record_check(rec("I", PASSPORT, "", matter_type="00", level="0"), batch_no="B1", index=3)
    assert raised.value.message == (
        f"批次 B1 第 3 条记录（{PASSPORT}）：事项名称不能为空；"
        "事项类型“00”不在代码表中（01、02、03、04、05、06、07、08、09、10、20）；"
        "行使层级“0”不在代码表中（1-7）"
    )
    record = record_check(
        {"op": "u", "code": " 000104002000 ", "name": " 护照 ", "matter_type": "01", "level": "3"},
        batch_no="B1",
        index=1,
    )
    assert (record.op, record.code, record.name, record.parent_code) == ("U", PASSPORT, "护照", "")
    # A delete needs only its code.
    assert record_check({"op": "D", "code": PASSPORT}, batch_no="B1", index=1).op == "D"


@db
def test_batches_are_paged(server: ProvincialCatalogServer, configure: Callable[..., None]) -> None:
    configure(BATCH_LIMIT=2)
    codes = [f"0005010010{n:02d}" for n in range(1, 6)]
    numbers = [server.add_batch([rec("I", code, f"事项{code}")]) for code in codes]
    assert [b.batch_no for b in catalog_sync()] == numbers
    assert [r["after"] for r in server.requests_seen] == ["", numbers[1], numbers[3]]
    assert BasicItem.objects.filter(code__in=codes).count() == 5


@db
def test_a_new_batch_numbered_before_an_applied_one_stops_the_run(
    server: ProvincialCatalogServer, configure: Any
) -> None:
    server.add_batch([passport()], batch_no="20261128-0002")
    catalog_sync()
    server.ignore_after = True
    server.add_batch([idcard()], batch_no="20261128-0001")
    with pytest.raises(CatalogSyncError) as raised:
        catalog_sync()
    assert raised.value.code == SyncErrorCode.OUT_OF_ORDER
    assert "批次 20261128-0001 排在已应用的批次 20261128-0002 之前" in raised.value.message
    assert not BasicItem.objects.filter(code=IDCARD).exists()


# --- Refusals and outages: a clear message, nothing changed ------------------------------------


@db
@pytest.mark.parametrize(
    ("key", "secret", "expected"),
    [
        ("another-app", APP_SECRET,
         "（HTTP 401 UNKNOWN_APP_KEY）：应用标识不被认可，请检查 CATALOG_SYNC_APP_KEY"),
        (APP_KEY, "not-the-secret",
         "（HTTP 401 BAD_SIGNATURE）：签名校验失败，请检查 CATALOG_SYNC_APP_SECRET"),
    ],
)  # fmt: skip
def test_wrong_app_key_or_secret_is_refused(
    server: ProvincialCatalogServer,
    configure: Callable[..., None],
    key: str,
    secret: str,
    expected: str,
) -> None:
    server.add_batch([passport()])
    configure(APP_KEY=key, APP_SECRET=secret)
    with pytest.raises(CatalogSyncError) as raised:
        catalog_sync()
    assert raised.value.code == SyncErrorCode.REFUSED
    assert raised.value.message == "省级事项目录服务拒绝了请求" + expected
    assert snapshot() == ([], [])
    assert audit_actions() == []


@db
def test_server_down_is_a_clear_error(configure: Callable[..., None]) -> None:
    base = f"http://127.0.0.1:{_free_port()}/catalog/v1"
    with pytest.raises(CatalogSyncError) as raised:
        catalog_sync(base_url=base)
    assert raised.value.code == SyncErrorCode.UNAVAILABLE
    assert raised.value.message == (
        f"无法连接省级事项目录服务（{base}），请确认服务地址和网络后重试"
    )
    assert raised.value.batches == []
    assert snapshot() == ([], [])


@db
def test_a_server_error_is_temporary(server: ProvincialCatalogServer, configure: Any) -> None:
    server.add_batch([passport()])
    server.fail_next(status=503)
    with pytest.raises(CatalogSyncError, match=r"暂时不可用（HTTP 503 UNAVAILABLE），请稍后重试"):
        catalog_sync()
    assert snapshot() == ([], [])
    assert [b.state for b in catalog_sync()] == [APPLIED]


def test_an_answer_out_of_protocol_is_refused() -> None:
    with pytest.raises(CatalogSyncError, match="应为含 batches 列表的 JSON 对象"):
        parse_page({"items": []})
    with pytest.raises(CatalogSyncError, match="批次 B1 的批次时间“yesterday”无效"):
        parse_page({"batches": [{"batch_no": "B1", "batch_time": "yesterday", "records": []}]})


@db
def test_not_configured(configure: Callable[..., None]) -> None:
    configure(URL="", APP_SECRET="")
    with pytest.raises(CatalogSyncError) as raised:
        catalog_sync()
    assert raised.value.code == SyncErrorCode.NOT_CONFIGURED
    assert raised.value.message == (
        "省级事项目录同步未配置：请设置 CATALOG_SYNC_URL、CATALOG_SYNC_APP_SECRET"
    )


# --- Local editing ------------------------------------------------------------------------------


def test_upstream_fields_of_provincial_items_are_locked() -> None:
    provincial = BasicItem(code=PASSPORT, source="provincial")
    assert upstream_fields_locked(provincial) == frozenset(
        {"name", "matter_type", "legal_basis", "level", "parent", "is_active"}
    )
    assert "local_note" not in upstream_fields_locked(provincial)
    assert upstream_fields_locked(BasicItem(code=PASSPORT, source="local")) == frozenset()
    assert upstream_fields_locked(BasicItem(code=PASSPORT, source="national")) == frozenset()


# --- The command and the periodic task ----------------------------------------------------------


@db
def test_the_command_prints_what_was_applied(
    server: ProvincialCatalogServer, configure: Any
) -> None:
    first = server.add_batch([passport(), idcard()])
    out = io.StringIO()
    call_command("catalog_sync", stdout=out)
    assert out.getvalue() == f"批次 {first} 已应用：新增 2，更新 0，删除（停用） 0，未变 0\n"
    out = io.StringIO()
    call_command("catalog_sync", stdout=out)
    assert out.getvalue() == "没有新的批次，基本目录已是最新。\n"
    second = server.add_batch([rec("U", HUKOU, "户口迁移")])
    err = io.StringIO()
    with pytest.raises(CommandError, match=f"批次 {second} 未能应用"):
        call_command("catalog_sync", stdout=io.StringIO(), stderr=err)
    assert f"批次 {second} 失败（未应用）：批次 {second} 第 1 条记录" in err.getvalue()


@db
def test_the_command_reports_a_refusal(
    server: ProvincialCatalogServer, configure: Callable[..., None]
) -> None:
    configure(APP_SECRET="not-the-secret")
    with pytest.raises(CommandError, match="签名校验失败"):
        call_command("catalog_sync", stdout=io.StringIO())


@db
def test_the_task_does_nothing_without_a_url(
    server: ProvincialCatalogServer, configure: Callable[..., None]
) -> None:
    server.add_batch([passport()])
    configure(URL="")
    assert catalog_sync_task.call() == 0
    assert server.requests_seen == []
    configure(URL=server.base_url)
    assert catalog_sync_task.call() == 1
    assert BasicItem.objects.filter(code=PASSPORT).exists()
    server.fail_next()
    assert catalog_sync_task.call() == 0  # logged, retried on the next run


# --- The local server ---------------------------------------------------------------------------


def test_the_server_checks_key_clock_signature_nonce_and_limit() -> None:
    feed = ProvincialCatalogServer(app_key=APP_KEY, app_secret=APP_SECRET)
    client = ProvincialCatalogClient(base_url=feed.base_url, app_key=APP_KEY, app_secret=APP_SECRET)

    def ask(query: str, *, signed_for: str | None = None, by: Any = client) -> Any:
        headers = by.signed_headers(query=signed_for if signed_for is not None else query)
        lowered = {name.lower(): value for name, value in headers.items()}
        return feed.handle_batches(path=client.path, query=query, headers=lowered), lowered

    query = canonical_query([("after", ""), ("limit", "5")])
    answer, headers = ask(query)
    assert (answer.status, answer.body) == (200, {"batches": [], "has_more": False})
    replayed = feed.handle_batches(path=client.path, query=query, headers=headers)
    assert (replayed.status, replayed.body["code"]) == (409, "NONCE_REPLAYED")
    tampered, _ = ask("after=&limit=100", signed_for=query)
    assert (tampered.status, tampered.body["code"]) == (401, "BAD_SIGNATURE")
    late = ProvincialCatalogClient(
        base_url=feed.base_url, app_key=APP_KEY, app_secret=APP_SECRET,
        clock=lambda: time.time() - 600,
    )  # fmt: skip
    stale, _ = ask(query, by=late)
    assert (stale.status, stale.body["code"]) == (401, "STALE_TIMESTAMP")
    too_many, _ = ask(canonical_query([("after", ""), ("limit", "101")]))
    assert (too_many.status, too_many.body["code"]) == (400, "BAD_REQUEST")
    elsewhere = feed.handle_batches(path="/catalog/v1/items", query=query, headers=headers)
    assert elsewhere.status == 404


def test_the_server_keeps_its_batches_in_a_json_file(tmp_path: Path) -> None:
    data = tmp_path / "feed.json"
    december = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    feed = ProvincialCatalogServer(
        app_key=APP_KEY, app_secret=APP_SECRET, data_file=data, clock=december.timestamp
    )
    first = feed.add_batch([passport()], batch_no="20261128-0001")
    assert feed.add_batch([idcard()]) == "20261201-0001"  # the next of that day's sequence
    assert feed.add_batch([idcard("U")]) == "20261201-0002"
    time.sleep(0.01)
    again = ProvincialCatalogServer(app_key=APP_KEY, app_secret=APP_SECRET, data_file=data)
    assert [b["batch_no"] for b in again.batches()] == [first, "20261201-0001", "20261201-0002"]
    again.replace_records(first, [passport("U")])
    assert feed.batches()[0]["records"][0]["op"] == "U"  # re-read after the file changed


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "yiwang"), "provincial_catalog_server",
        "--port", str(port), "--data", str(tmp_path / "feed.json"), "--sample",
        "--app-key", APP_KEY, "--app-secret", APP_SECRET,
    ]  # fmt: skip
    env = {**os.environ, "YIWANG_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}/catalog/v1"
    try:
        for _ in range(200):
            try:
                requests.get(base + "/batches", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@db
def test_the_command_serves_the_sample_feed(
    server_process: str, configure: Callable[..., None]
) -> None:
    applied = catalog_sync(base_url=server_process)
    assert [counts(b) for b in applied] == [
        ("20261128-0001", APPLIED, 3, 0, 0, 0),
        ("20261128-0002", APPLIED, 0, 1, 0, 0),
    ]
    assert BasicItem.objects.get(code=IDCARD).name == "居民身份证申领"
