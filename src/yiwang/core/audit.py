"""The audit chain: append-only records, each carrying the SM3 hash of its content and of the
previous record, and a verifier that names the first record that was altered or removed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core.crypto import sm3_hex
from yiwang.core.models import AuditChainHead, AuditRecord

GENESIS_HASH = "0" * 64
SYSTEM_ACTOR = "system"


def actor_label(user: Any) -> str:
    """How a user appears in the audit chain: `user:<id>:<username>`, or `anonymous`."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return f"user:{user.pk}:{user.get_username()}"


def record_digest(
    *,
    seq: int,
    created_at: dt.datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    source_ip: str | None,
    detail: Mapping[str, Any],
    prev_hash: str,
) -> str:
    """SM3 over a canonical JSON form of the record's content and the previous hash."""
    content = {
        "seq": seq,
        "created_at": created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "source_ip": source_ip or "",
        "detail": detail,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return sm3_hex(canonical.encode("utf-8"))


def _digest_of(record: AuditRecord) -> str:
    return record_digest(
        seq=record.seq,
        created_at=record.created_at,
        actor=record.actor,
        action=record.action,
        object_type=record.object_type,
        object_id=record.object_id,
        source_ip=record.source_ip,
        detail=record.detail,
        prev_hash=record.prev_hash,
    )


def audit_record(
    *,
    actor: str,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    source_ip: str | None = None,
    detail: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> AuditRecord:
    """Append one record to the chain, in the caller's transaction (or its own).

    `detail` must carry no personal data in clear: mask ID numbers and phones first.
    """
    with transaction.atomic():
        head = _locked_head()
        created_at = (now or timezone.now()).astimezone(dt.UTC)
        fields: dict[str, Any] = {
            "seq": head.last_seq + 1,
            "created_at": created_at,
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "source_ip": source_ip or None,
            "detail": json.loads(json.dumps(dict(detail or {}), ensure_ascii=False, default=str)),
            "prev_hash": head.last_hash,
        }
        record = AuditRecord(**fields, hash=record_digest(**fields))
        record.save(force_insert=True)
        head.last_seq, head.last_hash = record.seq, record.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return record


def _locked_head() -> AuditChainHead:
    try:
        return AuditChainHead.objects.select_for_update().get(pk=1)
    except AuditChainHead.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(pk=1, last_seq=0, last_hash=GENESIS_HASH)
    except IntegrityError:
        pass  # another process created it first
    return AuditChainHead.objects.select_for_update().get(pk=1)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def audit_verify() -> ChainReport:
    """Walk the chain in order; report the first record altered, removed or out of place."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    records = AuditRecord.objects.order_by("seq").iterator(chunk_size=2000)
    for record in records:
        if record.seq != expected_seq:
            return ChainReport(
                False, checked, expected_seq, f"第 {expected_seq} 条审计记录已被删除"
            )
        if record.prev_hash != prev_hash:
            return ChainReport(
                False, checked, record.seq, f"第 {record.seq} 条审计记录的前序摘要不符，链条被改动"
            )
        if _digest_of(record) != record.hash:
            return ChainReport(
                False, checked, record.seq, f"第 {record.seq} 条审计记录的内容已被篡改"
            )
        checked += 1
        expected_seq, prev_hash = record.seq + 1, record.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq >= expected_seq:
        return ChainReport(
            False, checked, expected_seq, f"第 {expected_seq} 条及之后的审计记录已被删除"
        )
    if head is not None and head.last_seq and head.last_hash != prev_hash:
        return ChainReport(False, checked, head.last_seq, "审计链头与最后一条记录不符")
    return ChainReport(True, checked)
