"""The audit chain: every record hashes its predecessor; edits and removals are found."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from yiwang.core.audit import GENESIS_HASH, audit_record, audit_verify, record_digest
from yiwang.core.crypto import sm3_hex
from yiwang.core.models import AuditChainHead, AuditRecord

pytestmark = pytest.mark.django_db


def _chain(n: int) -> list[AuditRecord]:
    return [
        audit_record(
            actor=f"user:{i}:officer{i}",
            action="case.accept",
            object_type="case",
            object_id=f"C{i}",
            source_ip="10.0.0.1",
            detail={"opinion": f"同意受理 {i}", "n": i},
        )
        for i in range(1, n + 1)
    ]


def test_sm3_matches_the_standard_test_vector() -> None:
    # GB/T 32905-2016, example 1: SM3("abc").
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_records_are_chained_from_genesis() -> None:
    first, second, third = _chain(3)
    assert [r.seq for r in (first, second, third)] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (3, third.hash)


def test_hash_is_recomputable_from_the_stored_row() -> None:
    _chain(1)
    stored = AuditRecord.objects.get(seq=1)
    assert stored.hash == record_digest(
        seq=1,
        created_at=stored.created_at,
        actor=stored.actor,
        action=stored.action,
        object_type=stored.object_type,
        object_id=stored.object_id,
        source_ip=stored.source_ip,
        detail=stored.detail,
        prev_hash=GENESIS_HASH,
    )


def test_intact_chain_verifies() -> None:
    _chain(5)
    report = audit_verify()
    assert report.ok
    assert report.checked == 5


def test_empty_chain_verifies() -> None:
    assert audit_verify().ok


@pytest.mark.parametrize(
    "change",
    [
        {"actor": "user:9:intruder"},
        {"detail": {"opinion": "不予受理", "n": 3}},
        {"created_at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
        {"source_ip": "10.9.9.9"},
    ],
)
def test_an_edited_record_is_named(change: dict[str, object]) -> None:
    _chain(5)
    AuditRecord.objects.filter(seq=3).update(**change)
    report = audit_verify()
    assert not report.ok
    assert report.first_bad_seq == 3
    assert "篡改" in report.problem


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link() -> None:
    _chain(5)
    record = AuditRecord.objects.get(seq=3)
    record.actor = "user:9:intruder"
    record.hash = record_digest(
        seq=3,
        created_at=record.created_at,
        actor=record.actor,
        action=record.action,
        object_type=record.object_type,
        object_id=record.object_id,
        source_ip=record.source_ip,
        detail=record.detail,
        prev_hash=record.prev_hash,
    )
    record.save()
    report = audit_verify()
    assert (report.ok, report.first_bad_seq) == (False, 4)


def test_a_deleted_record_is_named() -> None:
    _chain(5)
    AuditRecord.objects.filter(seq=2).delete()
    report = audit_verify()
    assert not report.ok
    assert report.first_bad_seq == 2
    assert "删除" in report.problem


def test_deleting_the_last_records_is_found_through_the_head() -> None:
    _chain(5)
    AuditRecord.objects.filter(seq__gte=4).delete()
    report = audit_verify()
    assert (report.ok, report.first_bad_seq) == (False, 4)


def test_command_reports_success_and_failure(capsys: pytest.CaptureFixture[str]) -> None:
    _chain(3)
    call_command("audit", "verify")
    assert "校验通过" in capsys.readouterr().out
    AuditRecord.objects.filter(seq=2).update(action="case.reject")
    with pytest.raises(CommandError, match="第 2 条"):
        call_command("audit", "verify")


def test_non_json_detail_values_are_stored_as_text() -> None:
    record = audit_record(actor="system", action="x", detail={"when": dt.date(2026, 1, 2)})
    assert AuditRecord.objects.get(pk=record.pk).detail == {"when": "2026-01-02"}
    assert audit_verify().ok
