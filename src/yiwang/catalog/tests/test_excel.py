"""Excel import and export of the catalog: the template, round trips, all-or-nothing imports with
row errors in Chinese, idempotent re-imports, and the two management commands."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from yiwang.accounts import services as accounts
from yiwang.accounts.models import Role, Staff
from yiwang.catalog import services
from yiwang.catalog.excel import (
    BASIC_SHEET,
    COLUMNS,
    ITEM_SHEET,
    MATERIAL_SHEET,
    NOT_XLSX,
    NOTES_SHEET,
    SHEETS,
    ImportReport,
    export_workbook,
    import_workbook,
    template_workbook,
)
from yiwang.catalog.models import (
    BasicItem,
    ImplementationItem,
    ItemStatus,
    ItemVersion,
    Material,
    VersionState,
)
from yiwang.core.identifiers import IdentifierError, check_uscc
from yiwang.core.models import AuditRecord
from yiwang.regions.models import Department
from yiwang.regions.rules import demo_uscc
from yiwang.regions.services import demo_load

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[4] / "docs" / "catalog.md"
PASSPORT = "000104002000"
PASSPORT_SUB = "000104002001"
RESIDENCE = "000104003000"
STEPS = "受理:window_officer:1；审核:reviewer:3；决定:approver:2"


# --- Building workbooks ---------------------------------------------------------------------------


def xlsx(
    sheets: dict[str, list[dict[str, Any]]], *, headers: dict[str, list[str]] | None = None
) -> bytes:
    """A workbook with these sheets; each row maps headers to values (missing cells are blank)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        titles = (headers or {}).get(name) or [c.header for c in COLUMNS.get(name, ())]
        sheet.append(titles)
        for row in rows:
            sheet.append([row.get(title) for title in titles])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def basic_row(**overrides: Any) -> dict[str, Any]:
    row = {
        "基本编码": PASSPORT, "事项名称": "普通护照签发", "事项类型代码": "01", "行使层级": "3",
        "设定依据": "《中华人民共和国护照法》第五条", "来源": "本地",
    }  # fmt: skip
    return {**row, **overrides}


def item_row(department: Department, **overrides: Any) -> dict[str, Any]:
    row = {
        "实施主体统一社会信用代码": department.uscc, "行使层级": "3", "基本编码": PASSPORT,
        "事项名称": "普通护照签发", "办件类型": "2", "法定时限": 15, "法定时限单位": "工作日",
        "承诺时限": 7, "承诺时限单位": "工作日", "受理条件": "中国公民因私出国",
        "是否收费": "是", "收费依据": "发改价格规〔2019〕914号",
        "收费项目": "护照签发:120.00:发改价格规〔2019〕914号", "服务对象": "1",
        "办理形式": "1、2", "网上办理深度": "2", "到现场次数": 1, "到现场原因": "采集指纹和人像",
        "办理地点": "庆阳市政务服务中心出入境窗口", "办理时间": "工作日 9:00-17:00",
        "咨询电话": "0934-8221234", "投诉电话": "12345", "是否支持预约": "是",
        "是否支持网上支付": "否", "是否支持物流快递": "是", "是否支持自助终端": "否",
        "自然人主题": "出境入境、证件办理", "审批结果名称": "中华人民共和国普通护照", "环节": STEPS,
    }  # fmt: skip
    return {**row, **overrides}


def material_row(code: str, seq: int, **overrides: Any) -> dict[str, Any]:
    row = {
        "实施编码": code, "序号": seq, "材料名称": f"材料{seq}", "出具单位": "公安机关",
        "原件份数": 1, "复印件份数": 0, "是否必要": "是",
    }  # fmt: skip
    return {**row, **overrides}


def passport_file(department: Department, *, materials: bool = True, **item: Any) -> bytes:
    """The passport matter: its basic item, its implementation item (with `item` changed) and,
    unless `materials` is false, two materials."""
    row = item_row(department, **item)
    code = f"{department.uscc}3{row['基本编码']}"
    sheets = {BASIC_SHEET: [basic_row()], ITEM_SHEET: [row]}
    if materials:
        sheets[MATERIAL_SHEET] = [
            material_row(code, 1, 材料名称="居民身份证", 可替代证照类型="11100000000013338W001"),
            material_row(code, 2, 材料名称="近期免冠彩色照片", 是否必要="否"),
        ]
    return xlsx(sheets)


def where(report: ImportReport) -> list[tuple[str, int | None, str]]:
    return [(e.sheet, e.row, e.column) for e in report.errors]


def counts(report: ImportReport, sheet: str) -> tuple[int, int, int]:
    c = report.counts[sheet]
    return (c.created, c.updated, c.unchanged)


def snapshot() -> tuple[int, int, int, int, int]:
    return (
        BasicItem.objects.count(),
        ImplementationItem.objects.count(),
        ItemVersion.objects.count(),
        Material.objects.count(),
        AuditRecord.objects.count(),
    )


# --- Fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def police(db: None) -> Department:
    demo_load()
    return Department.objects.get(region_id="621000000000", name="庆阳市公安局")


@pytest.fixture
def market(police: Department) -> Department:
    return Department.objects.get(region_id="621000000000", kind="market_regulation")


def catalog_manager(department: Department, username: str) -> Staff:
    staff = accounts.staff_create(
        actor=None, username=username, name=username, department=department, phone="",
        password="Qingyang#2026",
    )  # fmt: skip
    accounts.staff_role_grant(actor=None, staff=staff, role=Role.CATALOG_MANAGER)
    return staff


# --- Template -------------------------------------------------------------------------------------


def test_template_has_the_three_sheets_their_headers_and_notes(db: None) -> None:
    workbook = load_workbook(BytesIO(template_workbook()))
    assert workbook.sheetnames == [*SHEETS, NOTES_SHEET]
    for name in SHEETS:
        header = [cell.value for cell in next(workbook[name].iter_rows(max_row=1))]
        assert header == [c.header for c in COLUMNS[name]]
        assert workbook[name].max_row >= 2  # blank rows formatted as text
        assert workbook[name]["A2"].number_format == "@"
    notes = [
        (row[0], row[1]) for row in workbook[NOTES_SHEET].iter_rows(min_row=2, values_only=True)
    ]
    for name in SHEETS:
        for column in COLUMNS[name]:
            assert (name, column.header) in notes
    assert workbook[ITEM_SHEET]["Z1"].comment is not None

    report = import_workbook(template_workbook())
    assert report.ok and not report.changed
    assert all(counts(report, name) == (0, 0, 0) for name in SHEETS)
    assert BasicItem.objects.count() == 0


def test_docs_describe_every_column() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert "## Excel template" in text
    missing = [c.header for name in SHEETS for c in COLUMNS[name] if f"`{c.header}`" not in text]
    assert missing == []


# --- New files ------------------------------------------------------------------------------------


def test_a_new_file_creates_drafts_with_materials_and_steps(police: Department) -> None:
    report = import_workbook(passport_file(police))

    assert report.errors == []
    assert counts(report, BASIC_SHEET) == (1, 0, 0)
    assert counts(report, ITEM_SHEET) == (1, 0, 0)
    assert counts(report, MATERIAL_SHEET) == (2, 0, 0)
    assert report.published == 0
    item = ImplementationItem.objects.get()
    assert item.code == f"{police.uscc}3{PASSPORT}"
    assert item.status == ItemStatus.DRAFT and item.current_version is None
    draft = item.versions.get()
    assert draft.state == VersionState.DRAFT
    assert (draft.legal_limit, draft.promised_limit, draft.charged) == (15, 7, True)
    assert draft.fees == [
        {"name": "护照签发", "amount": "120.00", "basis": "发改价格规〔2019〕914号"}
    ]
    assert draft.handling_forms == ["1", "2"]
    assert draft.person_themes == ["出境入境", "证件办理"]
    assert (draft.bookable, draft.payable_online, draft.deliverable) == (True, False, True)
    assert list(draft.steps.values_list("name", "role", "limit")) == [
        ("受理", "window_officer", 1), ("审核", "reviewer", 3), ("决定", "approver", 2),
    ]  # fmt: skip
    materials = list(draft.materials.all())
    assert [m.code for m in materials] == [f"{item.code}001", f"{item.code}002"]
    assert all(len(m.code) == 34 for m in materials)
    assert [(m.name, m.required) for m in materials] == [
        ("居民身份证", True), ("近期免冠彩色照片", False),
    ]  # fmt: skip
    assert materials[0].license_type_code == "11100000000013338W001"


def test_publish_true_publishes_new_items(police: Department) -> None:
    report = import_workbook(passport_file(police), publish=True)

    assert report.ok and report.published == 1
    item = ImplementationItem.objects.get()
    assert item.status == ItemStatus.PUBLISHED
    assert item.current_version is not None and item.current_version.number == 1
    assert item.current_version.state == VersionState.PUBLISHED
    assert AuditRecord.objects.filter(action="catalog.published", object_id=item.code).count() == 1
    assert AuditRecord.objects.filter(action="catalog.imported").count() == 1


def test_numbers_typed_into_code_cells_keep_their_leading_zeros(police: Department) -> None:
    data = xlsx({BASIC_SHEET: [basic_row(基本编码=104002000, 事项类型代码=1, 行使层级=3)]})
    report = import_workbook(data)
    assert report.ok
    basic = BasicItem.objects.get()
    assert (basic.code, basic.matter_type, basic.level) == (PASSPORT, "01", "3")


def test_codes_may_be_given_by_their_chinese_names(police: Department) -> None:
    data = xlsx(
        {
            BASIC_SHEET: [basic_row(事项类型代码="行政许可", 行使层级="市级", 来源="local")],
            ITEM_SHEET: [
                item_row(
                    police, 办件类型="承诺件", 服务对象="自然人,企业法人", 办理形式="窗口办理",
                    网上办理深度="Ⅱ级 在线预审", 法定时限单位="自然日", 承诺时限单位="day",
                    通办范围="跨省通办", 环节="受理：窗口人员；审核：审核人员：3",
                )
            ],
        }
    )  # fmt: skip

    assert import_workbook(data).ok
    basic = BasicItem.objects.get()
    assert (basic.matter_type, basic.level, basic.source) == ("01", "3", "local")
    draft = ImplementationItem.objects.get().versions.get()
    assert (draft.case_kind, draft.online_depth, draft.reach) == ("2", "2", "province")
    assert (draft.service_objects, draft.handling_forms) == (["1", "2"], ["1"])
    assert (draft.legal_limit_unit, draft.promised_limit_unit) == ("day", "day")
    assert list(draft.steps.values_list("name", "role", "limit")) == [
        ("受理", "window_officer", 1), ("审核", "reviewer", 3),
    ]  # fmt: skip


def test_main_items_are_created_before_their_sub_items(db: None) -> None:
    data = xlsx(
        {
            BASIC_SHEET: [
                basic_row(基本编码=PASSPORT_SUB, 事项名称="普通护照补发", 主项编码=PASSPORT),
                basic_row(),
            ]
        }
    )
    report = import_workbook(data)
    assert report.ok and counts(report, BASIC_SHEET) == (2, 0, 0)
    assert BasicItem.objects.get(code=PASSPORT_SUB).parent == BasicItem.objects.get(code=PASSPORT)


# --- Re-imports -----------------------------------------------------------------------------------


@pytest.mark.parametrize("publish", [False, True])
def test_importing_the_same_file_again_changes_nothing(police: Department, publish: bool) -> None:
    data = passport_file(police)
    first = import_workbook(data, publish=publish)
    assert first.ok and first.changed
    before = snapshot()

    again = import_workbook(data, publish=publish)

    assert again.ok and not again.changed
    assert counts(again, BASIC_SHEET) == (0, 0, 1)
    assert counts(again, ITEM_SHEET) == (0, 0, 1)
    assert counts(again, MATERIAL_SHEET) == (0, 0, 2)
    assert again.published == 0
    assert snapshot() == before  # no new version, material or audit record


def test_a_changed_published_item_gets_a_draft_then_is_published(police: Department) -> None:
    assert import_workbook(passport_file(police), publish=True).ok
    item = ImplementationItem.objects.get()
    changed = passport_file(police, 承诺时限=5)

    report = import_workbook(changed)
    assert counts(report, ITEM_SHEET) == (0, 1, 0)
    assert counts(report, MATERIAL_SHEET) == (0, 0, 2)
    item.refresh_from_db()
    assert item.current_version is not None and item.current_version.promised_limit == 7
    draft = item.versions.get(state=VersionState.DRAFT)
    assert (draft.number, draft.promised_limit) == (2, 5)
    assert draft.materials.count() == 2 and draft.steps.count() == 3

    before = snapshot()
    again = import_workbook(changed)  # equals the open draft: nothing to do
    assert counts(again, ITEM_SHEET) == (0, 0, 1) and snapshot() == before

    published = import_workbook(changed, publish=True)
    assert counts(published, ITEM_SHEET) == (0, 1, 0) and published.published == 1
    item.refresh_from_db()
    assert item.current_version == draft
    assert item.versions.filter(state=VersionState.SUPERSEDED).count() == 1


def test_materials_alone_replace_an_items_materials(police: Department) -> None:
    assert import_workbook(passport_file(police), publish=True).ok
    item = ImplementationItem.objects.get()
    data = xlsx(
        {
            MATERIAL_SHEET: [
                material_row("", 1, 统一社会信用代码=police.uscc, 行使层级="3", 基本编码=PASSPORT,
                             材料名称="居民身份证", 可替代证照类型="11100000000013338W001"),
            ]
        }
    )  # fmt: skip

    report = import_workbook(data, publish=True)

    assert report.ok
    assert (report.counts[MATERIAL_SHEET].unchanged, report.counts[MATERIAL_SHEET].deleted) == (
        1,
        1,
    )
    item.refresh_from_db()
    assert item.current_version is not None and item.current_version.number == 2
    assert list(item.current_version.materials.values_list("name", flat=True)) == ["居民身份证"]


# --- Round trip -----------------------------------------------------------------------------------


def test_export_then_import_changes_nothing(police: Department, market: Department) -> None:
    services.basic_item_save(code=PASSPORT, name="普通护照签发", matter_type="01", level="3")
    services.basic_item_save(
        code=PASSPORT_SUB, name="普通护照补发", matter_type="01", level="3", parent_code=PASSPORT
    )
    services.basic_item_save(code=RESIDENCE, name="居住证签发", matter_type="20", level="4")
    assert import_workbook(passport_file(police), publish=True).ok
    published = ImplementationItem.objects.get()
    edit = services.item_draft(item=published)
    services.draft_update(draft=edit, changes={"acceptance_conditions": "=1+1 不是公式"})
    services.item_publish(item=published)
    draft = services.item_draft(item=published)
    services.draft_update(draft=draft, changes={"promised_limit": 3})  # an open draft
    services.item_create(
        basic_item=BasicItem.objects.get(code=RESIDENCE), department=market, level="4",
        content={"case_kind": "1", "legal_limit": 0, "promised_limit": 0, "service_objects": ["1"]},
    )  # fmt: skip
    before = snapshot()

    data = export_workbook()
    report = import_workbook(data)

    assert report.errors == []
    assert counts(report, BASIC_SHEET) == (0, 0, 3)
    assert counts(report, ITEM_SHEET) == (0, 0, 2)
    assert counts(report, MATERIAL_SHEET) == (0, 0, 2)
    assert snapshot() == before
    draft.refresh_from_db()
    assert draft.promised_limit == 3  # the open draft was left alone
    sheet = load_workbook(BytesIO(data))[MATERIAL_SHEET]
    assert [row[-1] for row in sheet.iter_rows(min_row=2, max_row=3, values_only=True)] == [
        f"{published.code}001", f"{published.code}002",
    ]  # fmt: skip
    column = [c.header for c in COLUMNS[ITEM_SHEET]].index("受理条件") + 1
    conditions = load_workbook(BytesIO(data))[ITEM_SHEET].cell(row=2, column=column)
    assert (conditions.value, conditions.data_type) == ("=1+1 不是公式", "s")


def test_export_of_a_queryset_carries_its_basic_items_and_their_main_items(
    police: Department,
) -> None:
    services.basic_item_save(code=PASSPORT, name="普通护照签发", matter_type="01", level="3")
    services.basic_item_save(
        code=PASSPORT_SUB, name="普通护照补发", matter_type="01", level="3", parent_code=PASSPORT
    )
    services.basic_item_save(code=RESIDENCE, name="居住证签发", matter_type="20", level="4")
    assert import_workbook(passport_file(police, 基本编码=PASSPORT_SUB)).ok

    data = export_workbook(
        queryset=ImplementationItem.objects.filter(basic_item__code=PASSPORT_SUB)
    )

    sheet = load_workbook(BytesIO(data))[BASIC_SHEET]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]] == [
        PASSPORT, PASSPORT_SUB,
    ]  # fmt: skip


# --- Refusals -------------------------------------------------------------------------------------


def test_three_bad_rows_in_three_sheets_are_all_reported_and_nothing_is_written(
    police: Department,
) -> None:
    code = f"{police.uscc}3{PASSPORT}"
    data = xlsx(
        {
            BASIC_SHEET: [basic_row(), basic_row(基本编码=RESIDENCE, 事项类型代码="99")],
            ITEM_SHEET: [item_row(police), item_row(police, 基本编码=RESIDENCE, 法定时限="十五")],
            MATERIAL_SHEET: [
                material_row(code, 1), material_row(code, 2), material_row(code, 3, 原件份数="一"),
            ],
        }
    )  # fmt: skip

    report = import_workbook(data, publish=True)

    assert where(report) == [
        (BASIC_SHEET, 3, "事项类型代码"),
        (ITEM_SHEET, 3, "法定时限"),
        (MATERIAL_SHEET, 4, "原件份数"),
    ]
    assert "“99”不在代码表中" in report.errors[0].message
    assert report.errors[1].message == "应为整数，当前为“十五”"
    assert str(report.errors[2]) == "申请材料 第4行“原件份数”：应为整数，当前为“一”"
    assert report.summary()[0] == "导入被拒绝，未写入任何数据：共 3 处错误。"
    assert all(counts(report, name) == (0, 0, 0) for name in SHEETS)
    assert snapshot() == (0, 0, 0, 0, 0)


def _bad_uscc_message() -> str:
    try:
        check_uscc("91620000MA71234567")
    except IdentifierError as exc:
        return exc.message
    raise AssertionError("the sample code should be invalid")


UNKNOWN_USCC = demo_uscc(kind_code="11", region6="621000", organization_body="99999999")


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"实施主体统一社会信用代码": "91620000MA71234567"},
         ("实施主体统一社会信用代码", _bad_uscc_message())),
        ({"实施主体统一社会信用代码": UNKNOWN_USCC},
         ("实施主体统一社会信用代码", f"系统中没有统一社会信用代码为 {UNKNOWN_USCC} 的部门")),
        ({"基本编码": "000999999000"},
         ("基本编码", "基本编码 000999999000 既不在本文件的“基本目录”中，也不在系统中")),
        ({"承诺时限": 30}, ("承诺时限", "承诺办结时限不能超过法定办结时限")),
        ({"承诺时限": 1.5}, ("承诺时限", "应为整数，当前为“1.5”")),
        ({"办件类型": "即办"}, ("办件类型", "“即办”不在代码表中")),
        ({"服务对象": "1、8"}, ("服务对象", "“8”不在代码表中")),
        ({"是否收费": "收"}, ("是否收费", "应填“是”或“否”，当前为“收”")),
        ({"环节": "受理:clerk:1"}, ("环节", "第1个环节的角色“clerk”不存在")),
        ({"收费项目": "护照签发:一百二十元"}, ("收费项目", "金额“一百二十元”应为数字")),
        ({"自然人主题": "出境入境、旅行"}, ("自然人主题", "主题“旅行”不在主题表中")),
        ({"网办地址": "zwfw.gansu.gov.cn"}, ("网办地址", "不是有效的网址")),
        ({"办件类型": None}, ("办件类型", "不能为空")),
    ],
)  # fmt: skip
def test_each_bad_cell_is_explained_with_its_row_and_column(
    police: Department, item: dict[str, Any], expected: tuple[str, str]
) -> None:
    report = import_workbook(passport_file(police, materials=False, **item))

    assert where(report) == [(ITEM_SHEET, 2, expected[0])]
    assert expected[1] in report.errors[0].message
    assert snapshot()[:2] == (0, 0)


def test_duplicate_rows_in_one_file_are_refused(police: Department) -> None:
    code = f"{police.uscc}3{PASSPORT}"
    data = xlsx(
        {
            BASIC_SHEET: [basic_row(), basic_row()],
            ITEM_SHEET: [item_row(police), item_row(police, 事项名称="重复")],
            MATERIAL_SHEET: [material_row(code, 1), material_row(code, 1, 材料名称="重复")],
        }
    )

    report = import_workbook(data)

    assert [str(e) for e in report.errors] == [
        f"基本目录 第3行“基本编码”：基本编码 {PASSPORT} 与第2行重复",
        f"实施清单 第3行：与第2行是同一事项（实施编码 {code}）",
        "申请材料 第3行“序号”：与第2行重复（同一事项的序号 1）",
    ]
    assert snapshot()[:2] == (0, 0)


def test_material_rows_must_name_a_known_item_and_number_it_without_gaps(
    police: Department,
) -> None:
    code = f"{police.uscc}3{PASSPORT}"
    elsewhere = f"{police.uscc}3{RESIDENCE}"
    data = xlsx(
        {
            BASIC_SHEET: [basic_row()],
            ITEM_SHEET: [item_row(police, 实施编码=f"{police.uscc}4{PASSPORT}")],
            MATERIAL_SHEET: [
                material_row(code, 1),
                material_row(code, 3),
                material_row(elsewhere, 1),
                material_row(code[:30], 2),
                material_row(code, 2, 材料编码=f"{code}009"),
            ],
        }
    )

    report = import_workbook(data)

    assert where(report) == [
        (ITEM_SHEET, 2, "实施编码"),
        (MATERIAL_SHEET, 4, "实施编码"),
        (MATERIAL_SHEET, 5, "实施编码"),
        (MATERIAL_SHEET, 6, "材料编码"),
    ]
    messages = [e.message for e in report.errors]
    assert messages[1] == f"实施编码 {elsewhere} 的事项不存在，也不在“实施清单”工作表中"
    assert messages[2] == "实施编码应为31位，当前为30位"
    assert messages[3] == f"材料编码应为实施编码加3位序号，即 {code}002"

    gap = xlsx(
        {
            BASIC_SHEET: [basic_row()],
            ITEM_SHEET: [item_row(police)],
            MATERIAL_SHEET: [material_row(code, 1), material_row(code, 3)],
        }
    )
    assert [str(e) for e in import_workbook(gap).errors] == [
        "申请材料 第3行“序号”：同一事项的材料序号应从1起连续编号，缺少序号 2"
    ]


def test_wrong_sheet_names_and_missing_columns_are_refused(police: Department) -> None:
    wrong = xlsx({"Sheet1": [{"基本编码": PASSPORT}]}, headers={"Sheet1": ["基本编码"]})
    assert [e.message for e in import_workbook(wrong).errors] == [
        "未知的工作表“Sheet1”；工作表名称应为 “基本目录”、“实施清单”、“申请材料”",
        "工作簿中没有 “基本目录”、“实施清单”、“申请材料” 中的任何一个工作表",
    ]

    headers = [c.header for c in COLUMNS[ITEM_SHEET] if c.header not in {"法定时限", "环节"}]
    missing = xlsx(
        {BASIC_SHEET: [basic_row()], ITEM_SHEET: [item_row(police)]},
        headers={ITEM_SHEET: [*headers, "备注"]},
    )
    report = import_workbook(missing)
    assert [str(e) for e in report.errors] == [
        "实施清单 第1行“备注”：未知的列“备注”；模板中没有这一列（各列见“填写说明”工作表）",
        "实施清单 第1行：缺少列：“法定时限”、“环节”",
    ]
    assert BasicItem.objects.count() == 0  # the valid basic sheet was not written either


@pytest.mark.parametrize(
    "data",
    [b"", b"basic,name\n000104002000,passport\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 64],
    ids=["empty", "csv", "xls"],
)
def test_a_file_that_is_not_xlsx_is_refused_clearly(db: None, data: bytes) -> None:
    report = import_workbook(data)
    assert len(report.errors) == 1
    assert report.errors[0].message.startswith(NOT_XLSX)
    assert str(report.errors[0]).startswith("文件不是有效的 Excel（.xlsx）文件")


def test_a_zip_that_is_not_a_workbook_is_refused(db: None) -> None:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert [e.message for e in import_workbook(buffer.getvalue()).errors] == [NOT_XLSX]


def test_quality_rules_are_checked_for_every_row_before_publishing(police: Department) -> None:
    data = xlsx(
        {
            BASIC_SHEET: [basic_row(), basic_row(基本编码=RESIDENCE, 事项名称="居住证签发")],
            ITEM_SHEET: [
                item_row(police, 咨询电话=None),
                item_row(police, 基本编码=RESIDENCE, 投诉电话="0934-8221234", 环节=None),
            ],
        }
    )

    assert import_workbook(data).ok is True  # drafts may be incomplete
    ImplementationItem.objects.all().delete()
    BasicItem.objects.all().delete()

    report = import_workbook(data, publish=True)
    assert [str(e) for e in report.errors] == [
        "实施清单 第2行“咨询电话”：不能发布：须填写咨询电话",
        "实施清单 第3行“投诉电话”：不能发布：咨询电话与监督投诉电话不能相同",
        "实施清单 第3行“环节”：不能发布：承诺件须配置办理环节",
    ]
    assert snapshot()[:3] == (0, 0, 0)


def test_a_refusal_by_the_services_while_applying_rolls_everything_back(
    police: Department, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should publishing refuse what the early check let through, the row is reported and the
    rows already applied (the basic item, the draft) are undone."""
    monkeypatch.setattr("yiwang.catalog.excel.importing.quality_problems", lambda *a, **k: [])

    report = import_workbook(passport_file(police, 咨询电话="12345"), publish=True)

    assert [str(e) for e in report.errors] == [
        "实施清单 第2行“投诉电话”：不能发布：咨询电话与监督投诉电话不能相同"
    ]
    assert snapshot() == (0, 0, 0, 0, 0)


def test_catalog_managers_import_only_their_own_department(
    police: Department, market: Department
) -> None:
    data = passport_file(police)
    stranger = catalog_manager(market, "market_catalog")
    refused = import_workbook(data, actor=stranger)
    assert [str(e) for e in refused.errors] == [
        "实施清单 第2行：该事项不在您管理的部门或区域范围内"
    ]
    assert BasicItem.objects.count() == 0

    own = catalog_manager(police, "police_catalog")
    assert import_workbook(data, actor=own).ok
    draft = ImplementationItem.objects.get().versions.get()
    assert draft.created_by == f"user:{own.user_id}:police_catalog"


def test_basic_items_synced_from_the_province_are_not_changed_by_an_import(db: None) -> None:
    services.basic_item_save(
        code=PASSPORT, name="普通护照签发", matter_type="01", level="3",
        legal_basis="《中华人民共和国护照法》第五条", source="provincial", batch="GS20260301",
    )  # fmt: skip
    assert import_workbook(xlsx({BASIC_SHEET: [basic_row(来源="省级")]})).ok

    report = import_workbook(xlsx({BASIC_SHEET: [basic_row(来源="省级", 事项名称="护照")]}))

    assert [e.row for e in report.errors] == [2]
    assert report.errors[0].message.startswith("该事项来自省级目录（同步批次 GS20260301），以省级")
    assert BasicItem.objects.get().name == "普通护照签发"


# --- Commands -------------------------------------------------------------------------------------


def test_commands_export_and_import(
    police: Department, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "new.xlsx"
    source.write_bytes(passport_file(police))
    call_command("catalog_import", str(source), "--publish")
    out = capsys.readouterr().out
    assert "实施清单：新增 1，更新 0，未变 0" in out and "发布事项：1 个" in out

    exported = tmp_path / "catalog.xlsx"
    call_command("catalog_export", str(exported))
    call_command("catalog_import", str(exported))
    out = capsys.readouterr().out
    assert "申请材料：新增 0，更新 0，未变 2" in out and "没有变化" in out

    template = tmp_path / "template.xlsx"
    call_command("catalog_export", str(template), "--template")
    assert load_workbook(template).sheetnames == [*SHEETS, NOTES_SHEET]


def test_import_command_fails_with_the_row_errors(
    police: Department, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(passport_file(police, 法定时限="十五"))
    with pytest.raises(CommandError, match="导入被拒绝，未写入任何数据：共 1 处错误"):
        call_command("catalog_import", str(bad))
    assert "实施清单 第2行“法定时限”：应为整数，当前为“十五”" in capsys.readouterr().err

    text = tmp_path / "notes.txt"
    text.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(CommandError, match="导入被拒绝"):
        call_command("catalog_import", str(text))
    assert "文件不是有效的 Excel（.xlsx）文件" in capsys.readouterr().err
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("catalog_import", str(tmp_path / "missing.xlsx"))
    assert ImplementationItem.objects.count() == 0
