"""Valid payloads of each data set, with overrides: `application(phone="0934-8123456")`;
`MISSING` removes a field."""

from __future__ import annotations

from typing import Any, Final

from yiwang.catalog.rules import implementation_code
from yiwang.core.identifiers import (
    organization_code_check_char,
    resident_id_check_char,
    uscc_complete,
)
from yiwang.reporting.codes import Dataset


def uscc(body8: str, region: str = "621000") -> str:
    return uscc_complete("11" + region + body8 + organization_code_check_char(body8))


def resident_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


DEPARTMENT_USCC: Final = uscc("01356712")
ENTERPRISE_USCC: Final = uscc_complete(
    "91621002" + "MA71X8Y2" + organization_code_check_char("MA71X8Y2")
)
ITEM_CODE: Final = implementation_code(uscc=DEPARTMENT_USCC, level="3", basic_code="000104002000")
RESIDENT_ID: Final = resident_id("62100219900101123")
AGENT_ID: Final = resident_id("62102119851231004")
PHONE: Final = "13912345678"
MISSING: Final = object()


def case_number(serial: int = 1) -> str:
    return f"{ITEM_CODE}20261128{serial:04d}"


CASE_NUMBER: Final = case_number(1)


def _build(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    payload = {**base, **overrides}
    return {key: value for key, value in payload.items() if value is not MISSING}


def application(**overrides: Any) -> dict[str, Any]:
    return _build(
        {
            "case_number": CASE_NUMBER,
            "item_code": ITEM_CODE,
            "item_name": "普通护照签发（首次申领）",
            "applicant_type": "1",
            "applicant_name": "张三丰",
            "applicant_id_type": "111",
            "applicant_id_number": RESIDENT_ID,
            "agent_name": "李四",
            "agent_id_number": AGENT_ID,
            "phone": PHONE,
            "address": "甘肃省庆阳市西峰区南大街1号",
            "channel": "2",
            "applied_at": "2026-11-28T09:30:00+08:00",
            "region_code": "621002000000",
        },
        overrides,
    )


def acceptance(**overrides: Any) -> dict[str, Any]:
    return _build(
        {
            "case_number": CASE_NUMBER,
            "accepted": True,
            "department_name": "庆阳市公安局",
            "department_code": DEPARTMENT_USCC,
            "handler_name": "王窗口",
            "accepted_at": "2026-11-28T10:00:00+08:00",
            "document_number": "庆公受〔2026〕0001号",
            "promised_completion_on": "2026-12-10",
        },
        overrides,
    )


def step(**overrides: Any) -> dict[str, Any]:
    return _build(
        {
            "case_number": CASE_NUMBER,
            "step_name": "审查",
            "action": "1",
            "handler_name": "赵审查",
            "opinion": "材料齐全，符合条件，同意。",
            "started_at": "2026-11-28T10:00:00+08:00",
            "ended_at": "2026-11-29T15:20:00+08:00",
            "step_state": "2",
        },
        overrides,
    )


def completion(**overrides: Any) -> dict[str, Any]:
    return _build(
        {
            "case_number": CASE_NUMBER,
            "approved": True,
            "handler_name": "钱决定",
            "completed_at": "2026-12-01T16:00:00+08:00",
            "result_name": "准予许可决定书",
            "license_number": "E62100000001",
            "valid_until": "2036-12-01",
            "delivered_by_courier": False,
            "charged": False,
        },
        overrides,
    )


PAYLOADS: Final = {
    Dataset.APPLICATION: application,
    Dataset.ACCEPTANCE: acceptance,
    Dataset.STEP: step,
    Dataset.COMPLETION: completion,
}
