"""The file backend: the development stand-in for the provincial platform."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_django.fixtures import Settings as SettingsWrapper

from yiwang.reporting.backends import (
    FileReportingBackend,
    HttpReportingBackend,
    get_reporting_backend,
    read_reported,
)
from yiwang.reporting.conf import reporting_settings
from yiwang.reporting.rules import envelope_problems
from yiwang.reporting.tests.factories import CASE_NUMBER, acceptance, application

RECORD_ID = "0b6f3f8e-7d0c-4a55-9c34-2b1e0c8f5a10"


def test_each_record_is_one_json_line_holding_the_envelope(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "outbox.jsonl"
    backend = FileReportingBackend(path)
    receipt = backend.send(
        record_id=RECORD_ID, dataset="application", case_number=CASE_NUMBER, data=application()
    )
    backend.send(
        record_id="5d1c7a36-1f0e-4c2b-8a8e-3f0b5b8f9e21", dataset="acceptance",
        case_number=CASE_NUMBER, data=acceptance(),
    )  # fmt: skip
    assert receipt == f"file-{RECORD_ID}"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert "张三丰" in lines[0]  # UTF-8, not ASCII-escaped
    first, second = read_reported(path)
    assert {key: first[key] for key in ("record_id", "dataset", "case_number")} == {
        "record_id": RECORD_ID, "dataset": "application", "case_number": CASE_NUMBER,
    }  # fmt: skip
    assert first["data"] == application() and second["dataset"] == "acceptance"
    assert first["written_at"]
    # What the file holds is what the platform would receive.
    assert envelope_problems({k: v for k, v in first.items() if k != "written_at"}) == []


def test_nothing_written_reads_as_empty(tmp_path: Path) -> None:
    assert read_reported(tmp_path / "none.jsonl") == []


def test_the_default_file_is_under_the_data_dir(settings: SettingsWrapper) -> None:
    settings.REPORTING = {}
    conf = reporting_settings()
    assert conf.file == Path(settings.DATA_DIR) / "reporting" / "outbox.jsonl"
    assert isinstance(get_reporting_backend(), FileReportingBackend)


def test_the_settings_choose_the_backend(settings: SettingsWrapper) -> None:
    settings.REPORTING = {
        "BACKEND": "yiwang.reporting.backends.HttpReportingBackend",
        "URL": "http://127.0.0.1:9/report/v1/records", "APP_ID": "a", "APP_SECRET": "s",
    }  # fmt: skip
    backend = get_reporting_backend()
    assert isinstance(backend, HttpReportingBackend)
    assert backend.path == "/report/v1/records"
    settings.REPORTING = {"BACKEND": "yiwang.reporting.tests.test_file_backend.NotABackend"}
    with pytest.raises(ImproperlyConfigured, match="not a ReportingBackend"):
        get_reporting_backend()


class NotABackend:
    """Something configured by mistake."""
