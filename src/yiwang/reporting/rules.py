"""Pure rules of upward reporting: what a data set's payload must hold, how it is masked for
display, how times are written, and the envelope a record travels in.

`dataset_problems` is shared by the sender (a non-empty list is a bug in the caller) and by the
local provincial receiver (which refuses the record as the real platform would). A problem reads
"<field>：<what is wrong>" and never quotes the value, so it may be logged.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from zoneinfo import ZoneInfo

from yiwang.catalog.rules import CodeError, check_implementation_code
from yiwang.core.identifiers import (
    IdentifierError,
    check_region_code,
    check_resident_id,
    check_uscc,
    organization_code_check_char,
)
from yiwang.core.masking import mask_name, mask_phone, mask_resident_id, mask_text, mask_uscc
from yiwang.notify.rules import retry_delay
from yiwang.reporting.codes import (
    ORGANIZATION_ID_TYPES,
    PERSON_ID_TYPES,
    ApplicantType,
    Dataset,
    HandlingForm,
    IdType,
    SpecialProcedureKind,
    StepAction,
    StepState,
)

__all__ = [
    "CASE_NUMBER_LENGTH",
    "dataset_problems",
    "envelope_problems",
    "masked_payload",
    "report_date",
    "report_datetime",
    "report_envelope",
    "retry_delay",
]

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
CASE_NUMBER_LENGTH: Final = 43
CASE_NUMBER_RE: Final = re.compile(r"[0-9A-Z]{43}")
# "2026-11-28T09:30:00+08:00", optionally with a fraction of a second.
DATETIME_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+08:00")
DATE_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
# A mobile number, or a landline with its area code ("0934-8123456", extension allowed).
PHONE_RE: Final = re.compile(r"1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?")
OTHER_ID_RE: Final = re.compile(r"[0-9A-Za-z()（）-]{1,32}")
NAME_MAX: Final = 100
TEXT_MAX: Final = 2000

# A check returns what is wrong with a present value, or None.
Check = Callable[[Any], str | None]


# --- Writing values -----------------------------------------------------------------------------


def report_datetime(value: dt.datetime) -> str:
    """An aware datetime as the payload writes it: "2026-11-28T09:30:00+08:00"."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("report_datetime needs an aware datetime")
    return value.astimezone(SHANGHAI).isoformat(timespec="seconds")


def report_date(value: dt.date) -> str:
    """A date as the payload writes it: "2026-12-18"."""
    return value.isoformat()


def parse_report_datetime(value: Any) -> dt.datetime | None:
    """The datetime a payload value stands for, or None if it is not written as required."""
    if not isinstance(value, str) or not DATETIME_RE.fullmatch(value):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def parse_report_date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not DATE_RE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


# --- Field checks -------------------------------------------------------------------------------


def _text(max_length: int = NAME_MAX) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return "应为字符串"
        if not value.strip():
            return "不能为空"
        if len(value) > max_length:
            return f"不能超过 {max_length} 个字符"
        return None

    return check


def _code(choices: type[Any]) -> Check:
    values: list[str] = list(choices.values)

    def check(value: Any) -> str | None:
        if not isinstance(value, str) or value not in values:
            return f"不在代码表中（可选：{'、'.join(values)}）"
        return None

    return check


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "应为布尔值（true 或 false）"


def _datetime(value: Any) -> str | None:
    if parse_report_datetime(value) is None:
        return "应为带 +08:00 的 ISO 8601 时间，如 2026-11-28T09:30:00+08:00"
    return None


def _date(value: Any) -> str | None:
    return None if parse_report_date(value) is not None else "应为日期，如 2026-12-18"


def _case_number(value: Any) -> str | None:
    if not isinstance(value, str) or not CASE_NUMBER_RE.fullmatch(value):
        return f"办件编号应为 {CASE_NUMBER_LENGTH} 位数字或大写字母"
    return None


def _item_code(value: Any) -> str | None:
    if not isinstance(value, str):
        return "实施编码应为字符串"
    try:
        normalized = check_implementation_code(value)
    except CodeError:
        return "不是有效的实施编码（31 位：实施主体统一社会信用代码 + 行使层级 + 基本编码）"
    return None if normalized == value else "实施编码应为规范写法（大写、无空格）"


def _uscc(value: Any) -> str | None:
    if not isinstance(value, str):
        return "应为字符串"
    try:
        normalized = check_uscc(value)
    except IdentifierError as exc:
        return f"不是有效的统一社会信用代码（{exc.code}）"
    return None if normalized == value else "统一社会信用代码应为规范写法（大写、无空格）"


def _region_code(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) != 12:
        return "行政区划代码应为 12 位数字"
    try:
        check_region_code(value)
    except IdentifierError as exc:
        return f"不是有效的行政区划代码（{exc.code}）"
    return None


def _phone(value: Any) -> str | None:
    if not isinstance(value, str) or not PHONE_RE.fullmatch(value):
        return "应为 11 位手机号码或带区号的固定电话"
    return None


def id_number_problem(id_type: str, value: Any) -> str | None:
    """What is wrong with a document number of this type (the value is never quoted)."""
    if not isinstance(value, str) or not value:
        return "应为非空字符串"
    if id_type in (IdType.RESIDENT_ID, IdType.TEMPORARY_RESIDENT_ID):
        try:
            normalized = check_resident_id(value)
        except IdentifierError as exc:
            return f"不是有效的居民身份证号码（{exc.code}）"
        return None if normalized == value else "身份证号码应为规范写法（末位 X 大写、无空格）"
    if id_type == IdType.USCC:
        return _uscc(value)
    if id_type == IdType.ORGANIZATION_CODE:
        body = value.replace("-", "")
        if not re.fullmatch(r"[0-9A-Z]{8}[0-9X]", body):
            return "组织机构代码应为 9 位数字或大写字母"
        return (
            None
            if organization_code_check_char(body[:8]) == body[8]
            else "组织机构代码校验位不正确"
        )
    if not OTHER_ID_RE.fullmatch(value):
        return "证件号码应为 1 至 32 位字母、数字、括号或连字符"
    return None


@dataclass(frozen=True)
class Field:
    check: Check
    required: bool = True


def _special_procedure(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return "应为对象（kind、reason、started_at、ended_at、result）"
    return None  # its members are checked by `_special_procedure_problems`


SPECS: Final[dict[str, dict[str, Field]]] = {
    Dataset.APPLICATION: {
        "case_number": Field(_case_number),
        "item_code": Field(_item_code),
        "item_name": Field(_text(200)),
        "applicant_type": Field(_code(ApplicantType)),
        "applicant_name": Field(_text(200)),
        "applicant_id_type": Field(_code(IdType)),
        "applicant_id_number": Field(_text(64)),  # by its type, in `_application_problems`
        "agent_name": Field(_text(), required=False),
        "agent_id_type": Field(_code(IdType), required=False),  # resident ID if absent
        "agent_id_number": Field(_text(64), required=False),
        "phone": Field(_phone),
        "address": Field(_text(200), required=False),
        "legal_representative": Field(_text(), required=False),
        "channel": Field(_code(HandlingForm)),
        "applied_at": Field(_datetime),
        "region_code": Field(_region_code),
    },
    Dataset.ACCEPTANCE: {
        "case_number": Field(_case_number),
        "accepted": Field(_boolean),
        "department_name": Field(_text(200)),
        "department_code": Field(_uscc),
        "handler_name": Field(_text()),
        "accepted_at": Field(_datetime),
        "document_number": Field(_text()),
        "promised_completion_on": Field(_date, required=False),
        "reason": Field(_text(TEXT_MAX), required=False),
    },
    Dataset.STEP: {
        "case_number": Field(_case_number),
        "step_name": Field(_text()),
        "action": Field(_code(StepAction)),
        "handler_name": Field(_text()),
        "opinion": Field(_text(TEXT_MAX)),
        "started_at": Field(_datetime),
        "ended_at": Field(_datetime, required=False),
        "step_state": Field(_code(StepState)),
        "special_procedure": Field(_special_procedure, required=False),
    },
    Dataset.COMPLETION: {
        "case_number": Field(_case_number),
        "approved": Field(_boolean),
        "handler_name": Field(_text()),
        "completed_at": Field(_datetime),
        "result_name": Field(_text(200)),
        "license_number": Field(_text(), required=False),
        "valid_until": Field(_date, required=False),
        "delivered_by_courier": Field(_boolean),
        "charged": Field(_boolean),
        "reason": Field(_text(TEXT_MAX), required=False),
    },
}

SPECIAL_PROCEDURE_SPEC: Final[dict[str, Field]] = {
    "kind": Field(_code(SpecialProcedureKind)),
    "reason": Field(_text(TEXT_MAX)),
    "started_at": Field(_datetime),
    "ended_at": Field(_datetime, required=False),
    "result": Field(_text(TEXT_MAX), required=False),
}


def _absent(value: Any) -> bool:
    """An optional field may be left out, null or ""."""
    return value is None or value == ""


def _fields_problems(
    spec: Mapping[str, Field], payload: Mapping[str, Any], *, prefix: str = ""
) -> tuple[list[str], set[str]]:
    """Problems of each field on its own, and the names of the fields that are present and fine."""
    problems: list[str] = []
    good: set[str] = set()
    for name in sorted(set(payload) - set(spec), key=str):
        problems.append(f"{prefix}{name}：未定义的字段")
    for name, field in spec.items():
        value = payload.get(name)
        if name not in payload or (not field.required and _absent(value)):
            if field.required:
                problems.append(f"{prefix}{name}：缺少该字段")
            continue
        problem = field.check(value)
        if problem:
            problems.append(f"{prefix}{name}：{problem}")
        else:
            good.add(name)
    return problems, good


def _not_before(
    payload: Mapping[str, Any], later: str, earlier: str, good: set[str], *, prefix: str = ""
) -> list[str]:
    if {later, earlier} <= good:
        end, start = parse_report_datetime(payload[later]), parse_report_datetime(payload[earlier])
        if end is not None and start is not None and end < start:
            return [f"{prefix}{later}：不能早于 {earlier}"]
    return []


def _date_not_before(
    payload: Mapping[str, Any], day_field: str, moment_field: str, good: set[str]
) -> list[str]:
    if {day_field, moment_field} <= good:
        day = parse_report_date(payload[day_field])
        moment = parse_report_datetime(payload[moment_field])
        if day is not None and moment is not None and day < moment.astimezone(SHANGHAI).date():
            return [f"{day_field}：不能早于 {moment_field} 的日期"]
    return []


def _application_problems(payload: Mapping[str, Any], good: set[str]) -> list[str]:
    problems: list[str] = []
    if {"applicant_type", "applicant_id_type"} <= good:
        allowed = (
            PERSON_ID_TYPES
            if payload["applicant_type"] == ApplicantType.PERSON
            else ORGANIZATION_ID_TYPES
        )
        if payload["applicant_id_type"] not in allowed:
            problems.append("applicant_id_type：与申请人类型不符")
    if {"applicant_id_type", "applicant_id_number"} <= good:
        problem = id_number_problem(payload["applicant_id_type"], payload["applicant_id_number"])
        if problem:
            problems.append(f"applicant_id_number：{problem}")
    agent_type = payload.get("agent_id_type") or IdType.RESIDENT_ID
    if "agent_id_number" in good:
        if agent_type not in PERSON_ID_TYPES:
            problems.append("agent_id_type：代理人应使用个人证件")
        else:
            problem = id_number_problem(agent_type, payload["agent_id_number"])
            if problem:
                problems.append(f"agent_id_number：{problem}")
        if "agent_name" not in good:
            problems.append("agent_name：填写代理人证件号码时必须填写代理人姓名")
    elif "agent_id_type" in good:
        problems.append("agent_id_number：填写代理人证件类型时必须填写证件号码")
    return problems


def _acceptance_problems(payload: Mapping[str, Any], good: set[str]) -> list[str]:
    problems: list[str] = []
    if "accepted" in good:
        if payload["accepted"] and _absent(payload.get("promised_completion_on")):
            problems.append("promised_completion_on：受理时必须填写承诺办结日期")
        if not payload["accepted"] and _absent(payload.get("reason")):
            problems.append("reason：不予受理时必须填写理由")
    problems += _date_not_before(payload, "promised_completion_on", "accepted_at", good)
    return problems


def _special_procedure_problems(value: Mapping[str, Any]) -> list[str]:
    prefix = "special_procedure."
    problems, good = _fields_problems(SPECIAL_PROCEDURE_SPEC, value, prefix=prefix)
    return problems + _not_before(value, "ended_at", "started_at", good, prefix=prefix)


def _step_problems(payload: Mapping[str, Any], good: set[str]) -> list[str]:
    problems = _not_before(payload, "ended_at", "started_at", good)
    if payload.get("step_state") == StepState.DONE and _absent(payload.get("ended_at")):
        problems.append("ended_at：已办环节必须填写结束时间")
    if "special_procedure" in good:
        problems += _special_procedure_problems(payload["special_procedure"])
    return problems


def _completion_problems(payload: Mapping[str, Any], good: set[str]) -> list[str]:
    problems: list[str] = []
    if "approved" in good and not payload["approved"] and _absent(payload.get("reason")):
        problems.append("reason：不予批准时必须填写理由")
    problems += _date_not_before(payload, "valid_until", "completed_at", good)
    return problems


_CROSS_CHECKS: Final[dict[str, Callable[[Mapping[str, Any], set[str]], list[str]]]] = {
    Dataset.APPLICATION: _application_problems,
    Dataset.ACCEPTANCE: _acceptance_problems,
    Dataset.STEP: _step_problems,
    Dataset.COMPLETION: _completion_problems,
}


def dataset_problems(dataset: Dataset | str, payload: Any) -> list[str]:
    """Everything wrong with `payload` as a record of `dataset`; empty when it may be reported.

    Checks presence, type and format of each field (unknown fields too), then the rules between
    fields (the ID number by its type, reasons required on a refusal, times in order).
    """
    if dataset not in Dataset.values:
        return [f"dataset：未知的数据集（可选：{'、'.join(Dataset.values)}）"]
    if not isinstance(payload, Mapping):
        return ["payload：应为对象"]
    try:
        json.dumps(payload, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return ["payload：无法写成 JSON（时间请用 report_datetime / report_date 写成字符串）"]
    problems, good = _fields_problems(SPECS[dataset], payload)
    return problems + _CROSS_CHECKS[dataset](payload, good)


# --- The envelope -------------------------------------------------------------------------------

ENVELOPE_KEYS: Final = frozenset({"record_id", "dataset", "case_number", "data"})


def report_envelope(
    *, record_id: str, dataset: str, case_number: str, data: Mapping[str, Any]
) -> dict[str, Any]:
    """The JSON object one record travels in (the body of the POST, a line of the file)."""
    return {
        "record_id": record_id,
        "dataset": dataset,
        "case_number": case_number,
        "data": dict(data),
    }


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def envelope_problems(envelope: Any) -> list[str]:
    """What the receiver finds wrong with a received envelope, its data included."""
    if not isinstance(envelope, Mapping):
        return ["body：应为对象"]
    problems = [f"{key}：缺少该字段" for key in sorted(ENVELOPE_KEYS - set(envelope))]
    problems += [f"{key}：未定义的字段" for key in sorted(set(envelope) - ENVELOPE_KEYS, key=str)]
    if problems:
        return problems
    if not _is_uuid(envelope["record_id"]):
        problems.append("record_id：应为 UUID 字符串")
    data = envelope["data"]
    if isinstance(data, Mapping) and data.get("case_number") != envelope["case_number"]:
        problems.append("case_number：与 data.case_number 不一致")
    return problems + [f"data.{p}" for p in dataset_problems(envelope["dataset"], data)]


# --- Masking for display ------------------------------------------------------------------------

_ID_NUMBER_FIELDS: Final = {
    "applicant_id_number": "applicant_id_type",
    "agent_id_number": "agent_id_type",
}
_PERSON_NAME_FIELDS: Final = frozenset({"agent_name", "legal_representative"})


def _mask_id_number(id_type: Any, value: str) -> str:
    if id_type in (IdType.USCC, IdType.ORGANIZATION_CODE):
        return mask_uscc(value)
    return mask_resident_id(value)  # 18 characters: 6 + 4 kept; otherwise the last 2


def _mask_address(value: str) -> str:
    return value[:6] + "****" if len(value) > 6 else "****"


def _masked_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {key: _masked_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked_value(item) for item in value]
    return value


def masked_payload(payload: Any) -> Any:
    """The payload as staff may see it: ID numbers, phones, addresses and the names of natural
    persons masked, and ID or mobile numbers inside free text masked too."""
    if not isinstance(payload, Mapping):
        return _masked_value(payload)
    masked: dict[str, Any] = {}
    for key, value in payload.items():
        if not isinstance(value, str) or not value:
            masked[key] = _masked_value(value)
        elif key in _ID_NUMBER_FIELDS:
            id_type = payload.get(_ID_NUMBER_FIELDS[key]) or IdType.RESIDENT_ID
            masked[key] = _mask_id_number(id_type, value)
        elif key == "phone":
            masked[key] = mask_phone(value)
        elif key == "address":
            masked[key] = _mask_address(value)
        elif key in _PERSON_NAME_FIELDS or (
            key == "applicant_name" and payload.get("applicant_type") == ApplicantType.PERSON
        ):
            masked[key] = mask_name(value)
        else:
            masked[key] = mask_text(value)
    return masked
