"""Provincial catalog sync (省级事项目录同步): the client of the province's change feed and the
application of its batches to the basic catalog. The protocol is in docs/catalog.md
("Provincial sync"); `provincial_server.py` is a local server that speaks it.

    catalog_sync()  # pull every batch after the last applied one, apply each, return them

Each batch is applied in its own transaction, once: a batch already recorded as applied is
skipped. A batch with a bad record is rolled back whole, recorded as failed with the reason, and
stops the run, so later batches wait; a later run retries it once the province has fixed it.
Upstream fields of a provincial item are read-only here (`upstream_fields_locked`); `local_note`
is never touched by the sync.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

import requests  # type: ignore[import-untyped,unused-ignore]
from django.conf import settings
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone

from yiwang.catalog.codes import ExerciseLevel, ItemSource, MatterType
from yiwang.catalog.errors import CatalogError
from yiwang.catalog.models import BasicItem, SyncBatch
from yiwang.catalog.rules import CodeError, check_basic_code
from yiwang.catalog.services import SYSTEM, basic_item_save
from yiwang.core.audit import audit_record
from yiwang.core.pagecache import public_changed

logger = logging.getLogger(__name__)

BATCHES_PATH: Final = "/batches"
BATCH_NO_RE: Final = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$")
NAME_MAX: Final = 200  # BasicItem.name


# --- Settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncSettings:
    url: str
    app_key: str
    app_secret: str
    timeout_seconds: float
    batch_limit: int


def sync_settings() -> SyncSettings:
    """`settings.CATALOG_SYNC`, read on every use so tests can override it."""
    raw: dict[str, Any] = getattr(settings, "CATALOG_SYNC", {})
    return SyncSettings(
        url=str(raw.get("URL", "")).rstrip("/"),
        app_key=str(raw.get("APP_KEY", "")),
        app_secret=str(raw.get("APP_SECRET", "")),
        timeout_seconds=float(raw.get("TIMEOUT_SECONDS", 10)),
        batch_limit=max(1, int(raw.get("BATCH_LIMIT", 20))),
    )


# --- Errors -----------------------------------------------------------------------------------


class SyncErrorCode(StrEnum):
    NOT_CONFIGURED = "sync_not_configured"
    UNAVAILABLE = "sync_unavailable"  # not reachable, timed out, 5xx: try again later
    REFUSED = "sync_refused"  # 4xx: app key, secret, clock or URL is wrong
    BAD_RESPONSE = "sync_bad_response"  # the answer does not follow the protocol
    OUT_OF_ORDER = "sync_out_of_order"  # a new batch numbered before one already applied
    BAD_RECORD = "sync_bad_record"  # one record of a batch is invalid: the batch fails


class CatalogSyncError(CatalogError):
    """The run could not go on. `batches` lists what the run had processed before the error
    (each of them committed)."""

    def __init__(self, message: str, *, code: SyncErrorCode, status: int = 502) -> None:
        super().__init__(message, code=code, status=status)
        self.batches: list[SyncBatch] = []


class BadRecordError(CatalogSyncError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code=SyncErrorCode.BAD_RECORD, status=400)


# --- The protocol: signature, batches ---------------------------------------------------------


def canonical_query(params: Iterable[tuple[str, str]]) -> str:
    """The query string as signed: parameters sorted by name, then value, URL-encoded."""
    return urlencode(sorted(params))


def sync_signature(
    *, secret: str, method: str, path: str, query: str, timestamp: str, nonce: str
) -> str:
    """Hex HMAC-SHA256, keyed with the app secret, over
    "{METHOD}\\n{path}\\n{canonical query}\\n{timestamp}\\n{nonce}" (see docs/catalog.md)."""
    canonical = f"{method.upper()}\n{path}\n{query}\n{timestamp}\n{nonce}"
    return hmac.new(secret.encode("utf-8"), canonical.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ProvincialBatch:
    """One batch as served; its records are checked one by one when it is applied."""

    batch_no: str
    batch_time: dt.datetime
    records: list[Any]


@dataclass(frozen=True)
class BatchPage:
    batches: list[ProvincialBatch]
    has_more: bool


_REFUSAL_HINTS: Final = {
    "UNKNOWN_APP_KEY": "应用标识不被认可，请检查 CATALOG_SYNC_APP_KEY",
    "BAD_SIGNATURE": "签名校验失败，请检查 CATALOG_SYNC_APP_SECRET",
    "STALE_TIMESTAMP": "请求时间与服务器时间相差超过5分钟，请校准本机时钟",
    "BAD_REQUEST": "请求参数有误",
    "NOT_FOUND": "接口地址不存在，请检查 CATALOG_SYNC_URL",
}
_CODE_RE: Final = re.compile(r"[A-Z][A-Z0-9_]{0,39}")


class ProvincialCatalogClient:
    """Client of the provincial catalog's change feed: signed `GET {base}/batches`."""

    def __init__(
        self,
        *,
        base_url: str,
        app_key: str,
        app_secret: str,
        timeout: float = 10,
        clock: Callable[[], float] = time.time,
    ) -> None:
        missing = [
            name
            for name, value in (
                ("CATALOG_SYNC_URL", base_url),
                ("CATALOG_SYNC_APP_KEY", app_key),
                ("CATALOG_SYNC_APP_SECRET", app_secret),
            )
            if not value
        ]
        if missing:
            raise CatalogSyncError(
                f"省级事项目录同步未配置：请设置 {'、'.join(missing)}",
                code=SyncErrorCode.NOT_CONFIGURED,
                status=500,
            )
        self.base_url = base_url.rstrip("/")
        self.app_key = app_key
        self.app_secret = app_secret
        self.timeout = timeout
        self.clock = clock
        self.path = urlsplit(self.base_url).path.rstrip("/") + BATCHES_PATH

    @classmethod
    def from_settings(cls, *, base_url: str | None = None) -> ProvincialCatalogClient:
        conf = sync_settings()
        return cls(
            base_url=base_url if base_url is not None else conf.url,
            app_key=conf.app_key,
            app_secret=conf.app_secret,
            timeout=conf.timeout_seconds,
        )

    def signed_headers(self, *, query: str) -> dict[str, str]:
        timestamp = str(int(self.clock()))
        nonce = secrets.token_hex(16)
        signature = sync_signature(
            secret=self.app_secret,
            method="GET",
            path=self.path,
            query=query,
            timestamp=timestamp,
            nonce=nonce,
        )
        return {
            "Accept": "application/json",
            "X-App-Key": self.app_key,
            "X-Timestamp": timestamp,
            "X-Nonce": nonce,
            "X-Signature": signature,
        }

    def fetch(self, *, after: str, limit: int) -> BatchPage:
        """The batches numbered after `after` (at most `limit`), oldest first."""
        query = canonical_query([("after", after), ("limit", str(limit))])
        url = f"{self.base_url}{BATCHES_PATH}?{query}"
        try:
            response = requests.get(
                url,
                headers=self.signed_headers(query=query),
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise CatalogSyncError(
                f"省级事项目录服务在 {self.timeout:g} 秒内没有应答，请稍后重试",
                code=SyncErrorCode.UNAVAILABLE,
                status=503,
            ) from None
        except requests.ConnectionError:
            raise CatalogSyncError(
                f"无法连接省级事项目录服务（{self.base_url}），请确认服务地址和网络后重试",
                code=SyncErrorCode.UNAVAILABLE,
                status=503,
            ) from None
        except requests.RequestException as exc:
            raise CatalogSyncError(
                f"请求省级事项目录服务失败（{type(exc).__name__}），请稍后重试",
                code=SyncErrorCode.UNAVAILABLE,
                status=503,
            ) from None
        return self._page(response)

    @staticmethod
    def _page(response: Any) -> BatchPage:
        status = int(response.status_code)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if status != 200:
            raw_code = answer.get("code") if isinstance(answer, dict) else None
            code = raw_code if isinstance(raw_code, str) and _CODE_RE.fullmatch(raw_code) else ""
            if status in (408, 409, 429) or status >= 500:
                raise CatalogSyncError(
                    f"省级事项目录服务暂时不可用（HTTP {status}{' ' + code if code else ''}），"
                    "请稍后重试",
                    code=SyncErrorCode.UNAVAILABLE,
                    status=503,
                )
            hint = _REFUSAL_HINTS.get(code, "请检查同步配置")
            raise CatalogSyncError(
                f"省级事项目录服务拒绝了请求（HTTP {status}{' ' + code if code else ''}）：{hint}",
                code=SyncErrorCode.REFUSED,
            )
        return parse_page(answer)


def _bad_response(problem: str) -> CatalogSyncError:
    return CatalogSyncError(
        f"省级事项目录服务的应答不符合接口约定：{problem}", code=SyncErrorCode.BAD_RESPONSE
    )


def parse_page(answer: Any) -> BatchPage:
    """Check the shape of a `/batches` answer; records are checked later, one by one."""
    if not isinstance(answer, dict) or not isinstance(answer.get("batches"), list):
        raise _bad_response("应为含 batches 列表的 JSON 对象")
    has_more = answer.get("has_more", False)
    if not isinstance(has_more, bool):
        raise _bad_response("has_more 应为 true 或 false")
    batches: list[ProvincialBatch] = []
    for raw in answer["batches"]:
        if not isinstance(raw, dict):
            raise _bad_response("批次应为 JSON 对象")
        batch_no = raw.get("batch_no")
        if not isinstance(batch_no, str) or not BATCH_NO_RE.match(batch_no):
            raise _bad_response(f"批次号“{batch_no}”无效（1至40位字母、数字、点、横线或下划线）")
        batch_time = raw.get("batch_time")
        try:
            when = dt.datetime.fromisoformat(str(batch_time))
        except ValueError:
            raise _bad_response(f"批次 {batch_no} 的批次时间“{batch_time}”无效") from None
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        records = raw.get("records")
        if not isinstance(records, list):
            raise _bad_response(f"批次 {batch_no} 缺少 records 列表")
        batches.append(ProvincialBatch(batch_no=batch_no, batch_time=when, records=records))
    return BatchPage(batches=batches, has_more=has_more)


# --- Records ----------------------------------------------------------------------------------


class Op(StrEnum):
    INSERT = "I"
    UPDATE = "U"
    DELETE = "D"


@dataclass(frozen=True)
class SyncRecord:
    op: Op
    code: str
    name: str = ""
    matter_type: str = ""
    level: str = ""
    legal_basis: str = ""
    parent_code: str = ""


_TEXT_FIELDS: Final = ("op", "code", "name", "matter_type", "level", "legal_basis", "parent_code")


def record_where(*, batch_no: str, index: int, code: Any = "") -> str:
    """How an error names a record: its batch, its position (from 1) and its code."""
    label = f"批次 {batch_no} 第 {index} 条记录"
    return f"{label}（{code}）" if isinstance(code, str) and code.strip() else label


def record_check(raw: Any, *, batch_no: str, index: int) -> SyncRecord:
    """A record checked and normalized, or `BadRecordError` naming it and every problem."""
    if not isinstance(raw, dict):
        raise BadRecordError(f"{record_where(batch_no=batch_no, index=index)}：应为 JSON 对象")
    where = record_where(batch_no=batch_no, index=index, code=raw.get("code"))
    problems: list[str] = []
    values: dict[str, str] = {}
    for key in _TEXT_FIELDS:
        value = raw.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            problems.append(f"字段 {key} 应为字符串")
            value = ""
        values[key] = value.strip()
    op = values["op"].upper()
    if op not in {member.value for member in Op}:
        problems.append(f"操作类型“{values['op']}”无效，应为 I（新增）、U（更新）或 D（删除）")
    code = values["code"]
    try:
        code = check_basic_code(code)
    except CodeError as exc:
        problems.append(str(exc))
    if op in (Op.INSERT, Op.UPDATE):
        if not values["name"]:
            problems.append("事项名称不能为空")
        elif len(values["name"]) > NAME_MAX:
            problems.append(f"事项名称超过{NAME_MAX}字")
        if values["matter_type"] not in MatterType.values:
            problems.append(
                f"事项类型“{values['matter_type']}”不在代码表中（{'、'.join(MatterType.values)}）"
            )
        if values["level"] not in ExerciseLevel.values:
            problems.append(f"行使层级“{values['level']}”不在代码表中（1-7）")
        if values["parent_code"]:
            try:
                parent = check_basic_code(values["parent_code"])
            except CodeError as exc:
                problems.append(f"主项{exc}")
            else:
                if parent == code:
                    problems.append("主项不能是事项本身")
                values["parent_code"] = parent
    if problems:
        raise BadRecordError(f"{where}：{'；'.join(problems)}")
    return SyncRecord(
        op=Op(op),
        code=code,
        name=values["name"],
        matter_type=values["matter_type"],
        level=values["level"],
        legal_basis=values["legal_basis"],
        parent_code=values["parent_code"],
    )


# --- Writes -----------------------------------------------------------------------------------


def basic_item_deactivate(
    *, code: str, actor: str = SYSTEM, batch: str = "", now: dt.datetime | None = None
) -> tuple[BasicItem | None, bool]:
    """Mark a basic item inactive (a provincial D): never deleted, since implementation items
    and cases refer to it. Returns (item, changed); an unknown or inactive item is unchanged."""
    with transaction.atomic():
        item = BasicItem.objects.select_for_update().filter(code=code).first()
        if item is None or not item.is_active:
            return item, False
        item.is_active = False
        fields = ["is_active"]
        if batch:
            item.upstream_batch, item.synced_at = batch, now or timezone.now()
            fields += ["upstream_batch", "synced_at"]
        item.save(update_fields=fields)
        public_changed()
        audit_record(
            actor=actor,
            action="catalog.basic_deactivated",
            object_type="basic_item",
            object_id=code,
            detail={"batch": batch} if batch else {},
            now=now,
        )
    return item, True


class Outcome(StrEnum):
    INSERTED = "inserted"
    UPDATED = "updated"
    DELETED = "deleted"
    UNCHANGED = "unchanged"


def _record_apply(record: SyncRecord, *, batch_no: str, now: dt.datetime) -> Outcome:
    if record.op == Op.DELETE:
        _, changed = basic_item_deactivate(code=record.code, batch=batch_no, now=now)
        return Outcome.DELETED if changed else Outcome.UNCHANGED
    exists = BasicItem.objects.filter(code=record.code).exists()
    if record.op == Op.UPDATE and not exists:
        raise CatalogError(f"基本编码 {record.code} 在本地不存在，无法更新（缺少对应的新增记录）")
    _, changed = basic_item_save(
        code=record.code,
        name=record.name,
        matter_type=record.matter_type,
        level=record.level,
        legal_basis=record.legal_basis,
        parent_code=record.parent_code,
        source=ItemSource.PROVINCIAL,
        batch=batch_no,
    )
    if not changed:
        return Outcome.UNCHANGED
    return Outcome.UPDATED if exists else Outcome.INSERTED


def _lock_sync() -> None:
    """Serialize batch applications across processes. PostgreSQL: an advisory lock held to the
    end of the transaction; SQLite already serializes writing transactions."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(b"catalog.sync").digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)]
        )


def batch_apply(batch: ProvincialBatch, *, now: dt.datetime | None = None) -> SyncBatch | None:
    """Apply one batch in its own transaction and record it; None if it was applied before.

    A bad record rolls the whole batch back; the batch is then recorded as failed, with the
    reason, in a transaction of its own, and returned.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            _lock_sync()
            row = SyncBatch.objects.select_for_update().filter(batch_no=batch.batch_no).first()
            if row is not None and row.state == SyncBatch.State.APPLIED:
                return None
            counts: Counter[Outcome] = Counter()
            for index, raw in enumerate(batch.records, start=1):
                record = record_check(raw, batch_no=batch.batch_no, index=index)
                where = record_where(batch_no=batch.batch_no, index=index, code=record.code)
                try:
                    counts[_record_apply(record, batch_no=batch.batch_no, now=now)] += 1
                except BadRecordError:
                    raise
                except CatalogError as exc:
                    raise BadRecordError(f"{where}：{exc.message}") from exc
                except (IntegrityError, DataError) as exc:
                    first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                    raise BadRecordError(f"{where}：写入数据库失败（{first_line}）") from exc
            row = row or SyncBatch(batch_no=batch.batch_no)
            row.batch_time, row.state, row.error = batch.batch_time, SyncBatch.State.APPLIED, ""
            row.inserted = counts[Outcome.INSERTED]
            row.updated = counts[Outcome.UPDATED]
            row.deleted = counts[Outcome.DELETED]
            row.unchanged = counts[Outcome.UNCHANGED]
            row.save()
            audit_record(
                actor=SYSTEM,
                action="catalog.sync_batch_applied",
                object_type="sync_batch",
                object_id=batch.batch_no,
                detail={outcome.value: counts[outcome] for outcome in Outcome},
                now=now,
            )
            return row
    except BadRecordError as exc:
        return _batch_failed(batch, exc.message)


def _batch_failed(batch: ProvincialBatch, message: str) -> SyncBatch:
    with transaction.atomic():
        row = SyncBatch.objects.select_for_update().filter(batch_no=batch.batch_no).first()
        if row is not None and row.state == SyncBatch.State.APPLIED:
            return row  # another run applied it meanwhile
        row = row or SyncBatch(batch_no=batch.batch_no)
        row.batch_time, row.state, row.error = batch.batch_time, SyncBatch.State.FAILED, message
        row.inserted = row.updated = row.deleted = row.unchanged = 0
        row.save()
    logger.error("catalog sync: batch %s failed, not applied: %s", batch.batch_no, message)
    return row


# --- The run ----------------------------------------------------------------------------------


def last_applied_batch_no() -> str:
    """The highest batch number applied ("" before the first sync)."""
    last = (
        SyncBatch.objects.filter(state=SyncBatch.State.APPLIED)
        .order_by("-batch_no")
        .values_list("batch_no", flat=True)
        .first()
    )
    return last or ""


def catalog_sync(*, base_url: str | None = None, now: dt.datetime | None = None) -> list[SyncBatch]:
    """Pull and apply every batch after the last applied one, in order; return the batches this
    run applied, and last the failed one if a batch failed (the run stops there).

    Raises `CatalogSyncError` when the province cannot be reached, refuses the request or
    answers out of protocol; batches applied before that stay applied (see `.batches`).
    Call it outside any transaction: each batch commits on its own. `now` stamps the audit
    records and the `synced_at` of deactivated items (default: the current time).
    """
    client = ProvincialCatalogClient.from_settings(base_url=base_url)
    limit = sync_settings().batch_limit
    done: list[SyncBatch] = []
    after = last_applied_batch_no()
    try:
        while True:
            page = client.fetch(after=after, limit=limit)
            page_after = after
            for batch in page.batches:
                applied = SyncBatch.objects.filter(
                    batch_no=batch.batch_no, state=SyncBatch.State.APPLIED
                )
                if applied.exists():
                    continue  # served again: it was applied once, that is enough
                if batch.batch_no <= after:
                    raise CatalogSyncError(
                        f"省级事项目录返回的批次 {batch.batch_no} 排在已应用的批次 {after} 之前，"
                        "批次顺序错乱，本次同步停止，请联系省级平台核实",
                        code=SyncErrorCode.OUT_OF_ORDER,
                    )
                row = batch_apply(batch, now=now)
                if row is None:
                    continue  # applied by another run meanwhile
                done.append(row)
                if row.state != SyncBatch.State.APPLIED:
                    return done
                after = batch.batch_no
            if not page.has_more:
                break
            if not page.batches or max(b.batch_no for b in page.batches) <= page_after:
                logger.warning("catalog sync: has_more without newer batches after %s", after)
                break
    except CatalogSyncError as exc:
        exc.batches = done
        raise
    return done


# --- Local editing ----------------------------------------------------------------------------


def upstream_fields_locked(item: BasicItem) -> frozenset[str]:
    """The fields local editing must leave alone: the upstream fields of a provincial item."""
    if item.source == ItemSource.PROVINCIAL:
        return frozenset(BasicItem.UPSTREAM_FIELDS)
    return frozenset()
