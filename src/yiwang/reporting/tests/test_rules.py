"""The rules of each data set's payload, the envelope, times and masking."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from yiwang.reporting.codes import Dataset
from yiwang.reporting.rules import (
    SPECS,
    dataset_problems,
    envelope_problems,
    masked_payload,
    report_date,
    report_datetime,
    report_envelope,
)
from yiwang.reporting.tests.factories import (
    AGENT_ID,
    CASE_NUMBER,
    ENTERPRISE_USCC,
    MISSING,
    PAYLOADS,
    PHONE,
    RESIDENT_ID,
    acceptance,
    application,
    completion,
    resident_id,
    step,
)


def _fields(problems: list[str]) -> list[str]:
    return [problem.split("：", 1)[0] for problem in problems]


@pytest.mark.parametrize("dataset", list(Dataset))
def test_the_sample_payloads_are_valid(dataset: Dataset) -> None:
    assert dataset_problems(dataset, PAYLOADS[dataset]()) == []


@pytest.mark.parametrize(
    ("dataset", "field"),
    [
        (dataset, name)
        for dataset in Dataset
        for name, spec in SPECS[dataset].items()
        if spec.required
    ],
)
def test_each_required_field_is_required(dataset: Dataset, field: str) -> None:
    payload = PAYLOADS[dataset](**{field: MISSING})
    assert f"{field}：缺少该字段" in dataset_problems(dataset, payload)


@pytest.mark.parametrize(
    ("dataset", "field"),
    [
        (Dataset.APPLICATION, "agent_name"),
        (Dataset.APPLICATION, "address"),
        (Dataset.APPLICATION, "legal_representative"),
        (Dataset.STEP, "special_procedure"),
        (Dataset.COMPLETION, "license_number"),
        (Dataset.COMPLETION, "valid_until"),
    ],
)
def test_optional_fields_may_be_left_out_null_or_empty(dataset: Dataset, field: str) -> None:
    build = PAYLOADS[dataset]
    extra: dict[str, Any] = {"agent_id_number": MISSING} if field == "agent_name" else {}
    for absent in (MISSING, None, ""):
        assert dataset_problems(dataset, build(**{field: absent}, **extra)) == []


BAD_VALUES: list[tuple[Dataset, dict[str, Any], str]] = [
    # application
    (Dataset.APPLICATION, {"case_number": CASE_NUMBER[:-1]}, "case_number"),
    (Dataset.APPLICATION, {"case_number": CASE_NUMBER.lower()}, "case_number"),
    (Dataset.APPLICATION, {"case_number": 12345}, "case_number"),
    (Dataset.APPLICATION, {"item_code": "1162100001356712"}, "item_code"),
    (Dataset.APPLICATION, {"item_code": "X" * 31}, "item_code"),
    (Dataset.APPLICATION, {"item_name": "  "}, "item_name"),
    (Dataset.APPLICATION, {"item_name": "名" * 201}, "item_name"),
    (Dataset.APPLICATION, {"applicant_type": "3"}, "applicant_type"),
    (Dataset.APPLICATION, {"applicant_type": 1}, "applicant_type"),
    (Dataset.APPLICATION, {"applicant_name": None}, "applicant_name"),
    (Dataset.APPLICATION, {"applicant_id_type": "10"}, "applicant_id_type"),
    (Dataset.APPLICATION, {"applicant_id_number": RESIDENT_ID[:-1] + "0"}, "applicant_id_number"),
    (Dataset.APPLICATION, {"applicant_id_number": RESIDENT_ID[:17]}, "applicant_id_number"),
    (
        Dataset.APPLICATION,
        {"applicant_id_number": resident_id("62100220990101123")},  # born in the future
        "applicant_id_number",
    ),
    (Dataset.APPLICATION, {"applicant_id_type": "001"}, "applicant_id_type"),  # person + USCC
    (Dataset.APPLICATION, {"agent_id_number": "12345"}, "agent_id_number"),
    (Dataset.APPLICATION, {"agent_name": MISSING}, "agent_name"),
    (Dataset.APPLICATION, {"agent_id_type": "001"}, "agent_id_type"),
    (Dataset.APPLICATION, {"agent_id_number": MISSING, "agent_id_type": "111"}, "agent_id_number"),
    (Dataset.APPLICATION, {"phone": "1391234567"}, "phone"),
    (Dataset.APPLICATION, {"phone": "+8613912345678"}, "phone"),
    (Dataset.APPLICATION, {"phone": 13912345678}, "phone"),
    (Dataset.APPLICATION, {"channel": "5"}, "channel"),
    (Dataset.APPLICATION, {"applied_at": "2026-11-28T09:30:00"}, "applied_at"),
    (Dataset.APPLICATION, {"applied_at": "2026-11-28T01:30:00+00:00"}, "applied_at"),
    (Dataset.APPLICATION, {"applied_at": "2026-11-28 09:30:00+08:00"}, "applied_at"),
    (Dataset.APPLICATION, {"applied_at": "2026-02-30T09:30:00+08:00"}, "applied_at"),
    (Dataset.APPLICATION, {"region_code": "621002"}, "region_code"),
    (Dataset.APPLICATION, {"region_code": "991002000000"}, "region_code"),
    (Dataset.APPLICATION, {"nickname": "小张"}, "nickname"),
    # acceptance
    (Dataset.ACCEPTANCE, {"accepted": "true"}, "accepted"),
    (Dataset.ACCEPTANCE, {"accepted": 1}, "accepted"),
    (Dataset.ACCEPTANCE, {"department_code": ENTERPRISE_USCC[:-1] + "0"}, "department_code"),
    (Dataset.ACCEPTANCE, {"department_code": ENTERPRISE_USCC.lower()}, "department_code"),
    (Dataset.ACCEPTANCE, {"promised_completion_on": "2026/12/10"}, "promised_completion_on"),
    (Dataset.ACCEPTANCE, {"promised_completion_on": MISSING}, "promised_completion_on"),
    (Dataset.ACCEPTANCE, {"promised_completion_on": "2026-11-27"}, "promised_completion_on"),
    (Dataset.ACCEPTANCE, {"accepted": False}, "reason"),
    (Dataset.ACCEPTANCE, {"document_number": ""}, "document_number"),
    # step
    (Dataset.STEP, {"action": "3"}, "action"),
    (Dataset.STEP, {"step_state": "0"}, "step_state"),
    (Dataset.STEP, {"ended_at": "2026-11-28T09:59:59+08:00"}, "ended_at"),
    (Dataset.STEP, {"ended_at": MISSING}, "ended_at"),  # 已办 needs an end
    (Dataset.STEP, {"opinion": ""}, "opinion"),
    (Dataset.STEP, {"special_procedure": "听证"}, "special_procedure"),
    (Dataset.STEP, {"special_procedure": {"kind": "2"}}, "special_procedure.reason"),
    (
        Dataset.STEP,
        {
            "special_procedure": {
                "kind": "8",
                "reason": "x",
                "started_at": "2026-11-29T09:00:00+08:00",
            }
        },
        "special_procedure.kind",
    ),
    (
        Dataset.STEP,
        {
            "special_procedure": {
                "kind": "2",
                "reason": "申请人要求听证",
                "started_at": "2026-11-29T09:00:00+08:00",
                "ended_at": "2026-11-28T09:00:00+08:00",
            }
        },
        "special_procedure.ended_at",
    ),
    (
        Dataset.STEP,
        {
            "special_procedure": {
                "kind": "2",
                "reason": "x",
                "started_at": "2026-11-29T09:00:00+08:00",
                "by": "张",
            }
        },
        "special_procedure.by",
    ),
    # completion
    (Dataset.COMPLETION, {"approved": None}, "approved"),
    (Dataset.COMPLETION, {"approved": False}, "reason"),
    (Dataset.COMPLETION, {"delivered_by_courier": "否"}, "delivered_by_courier"),
    (Dataset.COMPLETION, {"charged": 0}, "charged"),
    (Dataset.COMPLETION, {"valid_until": "2026-11-30"}, "valid_until"),
    (Dataset.COMPLETION, {"completed_at": dt.datetime(2026, 12, 1, tzinfo=dt.UTC)}, "payload"),
]


@pytest.mark.parametrize(("dataset", "overrides", "field"), BAD_VALUES)
def test_bad_values_are_named_by_their_field(
    dataset: Dataset, overrides: dict[str, Any], field: str
) -> None:
    problems = dataset_problems(dataset, PAYLOADS[dataset](**overrides))
    assert field in _fields(problems), problems


def test_problems_never_quote_the_value() -> None:
    bad_id = RESIDENT_ID[:-1] + "0"
    problems = dataset_problems(
        Dataset.APPLICATION,
        application(applicant_id_number=bad_id, phone="1391234567", agent_id_number="62X"),
    )
    assert len(problems) == 3
    joined = "".join(problems)
    assert bad_id not in joined and "1391234567" not in joined and "62X" not in joined


def test_an_organization_applies_with_its_credit_code() -> None:
    payload = application(
        applicant_type="2", applicant_name="庆阳市某某科技有限公司", applicant_id_type="001",
        applicant_id_number=ENTERPRISE_USCC, legal_representative="周法人",
    )  # fmt: skip
    assert dataset_problems(Dataset.APPLICATION, payload) == []
    resident = application(applicant_type="2", applicant_id_type="111")
    assert _fields(dataset_problems(Dataset.APPLICATION, resident)) == ["applicant_id_type"]


def test_other_documents_are_checked_for_shape_only() -> None:
    passport = application(applicant_id_type="414", applicant_id_number="E12345678")
    assert dataset_problems(Dataset.APPLICATION, passport) == []
    spaced = application(applicant_id_type="414", applicant_id_number="E 1234")
    assert _fields(dataset_problems(Dataset.APPLICATION, spaced)) == ["applicant_id_number"]
    with_x = resident_id("62100219880501000")
    assert with_x.endswith("X")
    assert dataset_problems(Dataset.APPLICATION, application(applicant_id_number=with_x)) == []
    lower_x = application(applicant_id_number=with_x.lower())
    assert _fields(dataset_problems(Dataset.APPLICATION, lower_x)) == ["applicant_id_number"]


def test_landlines_and_a_fraction_of_a_second_are_accepted() -> None:
    payload = application(phone="0934-8123456", applied_at="2026-11-28T09:30:00.123456+08:00")
    assert dataset_problems(Dataset.APPLICATION, payload) == []


def test_refusals_need_a_reason_and_no_promise() -> None:
    refused = acceptance(accepted=False, reason="不属于本机关职权范围", promised_completion_on=None)
    assert dataset_problems(Dataset.ACCEPTANCE, refused) == []
    not_approved = completion(approved=False, reason="材料不真实", license_number=MISSING)
    assert dataset_problems(Dataset.COMPLETION, not_approved) == []


def test_a_pending_step_has_no_end_and_may_carry_a_special_procedure() -> None:
    payload = step(
        step_state="1", ended_at=None,
        special_procedure={"kind": "2", "reason": "申请人要求听证",
                           "started_at": "2026-11-29T09:00:00+08:00", "result": None},
    )  # fmt: skip
    assert dataset_problems(Dataset.STEP, payload) == []


def test_unknown_dataset_and_non_object_payload() -> None:
    assert _fields(dataset_problems("license", application())) == ["dataset"]
    assert _fields(dataset_problems(Dataset.STEP, ["case_number"])) == ["payload"]


def test_times_are_written_in_beijing_time() -> None:
    moment = dt.datetime(2026, 11, 28, 1, 30, 5, 123, tzinfo=dt.UTC)
    assert report_datetime(moment) == "2026-11-28T09:30:05+08:00"
    assert report_date(dt.date(2026, 12, 1)) == "2026-12-01"
    with pytest.raises(ValueError, match="aware"):
        report_datetime(dt.datetime(2026, 11, 28, 9, 30))
    payload = application(applied_at=report_datetime(moment))
    assert dataset_problems(Dataset.APPLICATION, payload) == []


class TestEnvelope:
    def _envelope(self, **changes: Any) -> dict[str, Any]:
        envelope = report_envelope(
            record_id="0b6f3f8e-7d0c-4a55-9c34-2b1e0c8f5a10",
            dataset=Dataset.APPLICATION,
            case_number=CASE_NUMBER,
            data=application(),
        )
        return {**envelope, **changes}

    def test_a_good_envelope(self) -> None:
        assert envelope_problems(self._envelope()) == []

    def test_problems_of_the_envelope_and_its_data(self) -> None:
        assert envelope_problems([]) == ["body：应为对象"]
        assert _fields(envelope_problems({"record_id": "x"})) == ["case_number", "data", "dataset"]
        assert _fields(envelope_problems(self._envelope(extra=1))) == ["extra"]
        assert _fields(envelope_problems(self._envelope(record_id="42"))) == ["record_id"]
        other = self._envelope(case_number=CASE_NUMBER[:-1] + "9")
        assert _fields(envelope_problems(other)) == ["case_number"]
        bad_data = self._envelope(data=application(phone="110"))
        assert _fields(envelope_problems(bad_data)) == ["data.phone"]
        assert _fields(envelope_problems(self._envelope(dataset="x"))) == ["data.dataset"]


class TestMasking:
    def test_ids_phones_names_and_addresses_are_masked(self) -> None:
        masked = masked_payload(application())
        assert masked["applicant_id_number"] == RESIDENT_ID[:6] + "********" + RESIDENT_ID[-4:]
        assert masked["agent_id_number"] == AGENT_ID[:6] + "********" + AGENT_ID[-4:]
        assert masked["phone"] == "139****5678"
        assert masked["applicant_name"] == "张**"
        assert masked["agent_name"] == "李*"
        assert masked["address"] == "甘肃省庆阳市****"
        assert masked["item_name"] == "普通护照签发（首次申领）"
        assert masked["case_number"] == CASE_NUMBER
        shown = repr(masked)
        assert RESIDENT_ID not in shown and AGENT_ID not in shown and PHONE not in shown

    def test_an_organization_keeps_its_name_and_masks_its_code(self) -> None:
        masked = masked_payload(
            application(
                applicant_type="2", applicant_name="庆阳市某某科技有限公司",
                applicant_id_type="001", applicant_id_number=ENTERPRISE_USCC,
            )
        )  # fmt: skip
        assert masked["applicant_name"] == "庆阳市某某科技有限公司"
        assert (
            masked["applicant_id_number"] == ENTERPRISE_USCC[:2] + "*" * 12 + ENTERPRISE_USCC[-4:]
        )

    def test_numbers_inside_free_text_are_masked(self) -> None:
        masked = masked_payload(
            step(
                opinion=f"经核实，申请人{RESIDENT_ID}电话{PHONE}",
                special_procedure={"kind": "2", "reason": f"联系{PHONE}",
                                   "started_at": "2026-11-29T09:00:00+08:00"},
            )
        )  # fmt: skip
        assert RESIDENT_ID not in repr(masked) and PHONE not in repr(masked)
        assert masked["special_procedure"]["reason"] == "联系139****5678"
