"""Importing a workbook: every row of every sheet is checked first, then the whole file is
applied through the catalog services in one transaction -- or nothing is, and every problem is
reported with its sheet, row and column.

Rows equal to what is stored change nothing, so importing the same file twice is harmless: an
implementation item is compared with its current version and with its open draft, a basic item
with its stored fields. A changed published item gets a draft (`item_draft`, `draft_update`),
published when `publish=True`; a new item is created (`item_create`) and published likewise.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import prefetch_related_objects

from yiwang.accounts.models import Role, Staff
from yiwang.catalog.errors import CatalogError
from yiwang.catalog.excel.columns import (
    BASIC_COLUMNS,
    BASIC_SHEET,
    CONTENT_KEYS,
    ITEM_HEADERS,
    ITEM_SHEET,
    MATERIAL_COLUMNS,
    MATERIAL_SHEET,
    SHEETS,
)
from yiwang.catalog.excel.plans import (
    MATERIAL_KEYS,
    Action,
    BasicPlan,
    ItemPlan,
    MaterialRow,
    canon,
    equal,
    material_key,
    same,
    steps_of,
)
from yiwang.catalog.excel.reading import FileRefused, RowError, Sheet, SheetRow, read_workbook
from yiwang.catalog.excel.report import ImportReport, zero_counts
from yiwang.catalog.models import BasicItem, ImplementationItem, ItemVersion, VersionState
from yiwang.catalog.rules import CodeError, check_implementation_code, quality_problems
from yiwang.catalog.services import (
    actor_name,
    basic_item_save,
    draft_update,
    item_create,
    item_draft,
    item_publish,
    require_editor,
)
from yiwang.catalog.sync import upstream_fields_locked
from yiwang.core.audit import audit_record
from yiwang.core.crypto import sm3_hex
from yiwang.regions.models import Department

BASIC_HEADERS = {c.key: c.header for c in BASIC_COLUMNS}
MATERIAL_HEADERS = {c.key: c.header for c in MATERIAL_COLUMNS}
ITEM_KEY_COLUMNS = ("uscc", "level", "basic_code")
BASIC_FIELDS = ("name", "matter_type", "level", "source", "legal_basis", "parent_code")


class _Rollback(Exception):
    """Raised inside the transaction to undo everything once a row failed while applying."""


# --- Entry point --------------------------------------------------------------------------------


def import_workbook(
    data: bytes, *, actor: Staff | None = None, publish: bool = False
) -> ImportReport:
    """Import basic items, implementation items and materials from a workbook in the template's
    shape. All or nothing: any error and nothing is written (see `ImportReport.errors`)."""
    importer = _Importer(actor=actor, publish=publish)
    try:
        sheets = read_workbook(data, importer.errors)
    except FileRefused as exc:
        return ImportReport(errors=[RowError("", None, "", exc.message)])
    try:
        with transaction.atomic():
            importer.validate(sheets)
            if importer.errors:
                raise _Rollback
            importer.apply()
            if importer.errors:
                raise _Rollback
            report = importer.report()
            if report.changed:
                audit_record(
                    actor=actor_name(actor),
                    action="catalog.imported",
                    object_type="workbook",
                    object_id=sm3_hex(data)[:32],
                    detail={
                        "publish": publish,
                        "published": report.published,
                        "counts": {n: vars(c) for n, c in report.counts.items()},
                    },
                )
            return report
    except _Rollback:
        return ImportReport(errors=importer.sorted_errors())


class _Importer:
    def __init__(self, *, actor: Staff | None, publish: bool) -> None:
        self.actor = actor
        self.publish = publish
        self.errors: list[RowError] = []
        self.basics: dict[str, BasicPlan] = {}  # by basic code, every row whose code was read
        self.items: dict[str, ItemPlan] = {}  # by implementation code
        self.counts = zero_counts()
        self.refusals: dict[int, str] = {}  # department pk → why the actor may not edit it

    def error(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.errors.append(RowError(sheet, row, column, message))

    def sorted_errors(self) -> list[RowError]:
        order = {name: index for index, name in enumerate(SHEETS)}
        return sorted(self.errors, key=lambda e: (order.get(e.sheet, -1), e.row or 0))

    def report(self) -> ImportReport:
        published = sum(
            1
            for plan in self.items.values()
            if self.publish and plan.action in (Action.CREATE, Action.UPDATE, Action.PUBLISH)
        )
        return ImportReport(counts=self.counts, published=published)

    # --- Validation (reads only) ----------------------------------------------------------------

    def validate(self, sheets: dict[str, Sheet]) -> None:
        if BASIC_SHEET in sheets:
            self._validate_basics(sheets[BASIC_SHEET].rows)
        if ITEM_SHEET in sheets:
            self._validate_items(sheets[ITEM_SHEET].rows)
        if MATERIAL_SHEET in sheets:
            self._validate_materials(sheets[MATERIAL_SHEET])
        self._plan_items()

    def _validate_basics(self, rows: list[SheetRow]) -> None:
        valid: list[BasicPlan] = []
        for row in rows:
            if row.missing("code"):
                continue
            code = row.values["code"]
            if code in self.basics:
                message = f"基本编码 {code} 与第{self.basics[code].row}行重复"
                self.error(BASIC_SHEET, row.number, BASIC_HEADERS["code"], message)
                continue
            plan = BasicPlan(row.number, code, {k: row.values.get(k, "") for k in BASIC_FIELDS})
            self.basics[code] = plan
            if not row.bad:
                valid.append(plan)
        stored = BasicItem.objects.select_related("parent").in_bulk(
            [*self.basics, *(p.fields["parent_code"] for p in valid)], field_name="code"
        )
        may_edit = self.actor is None or self.actor.roles.filter(role=Role.CATALOG_MANAGER).exists()
        for plan in valid:
            if not self._parent_ok(plan, stored):
                continue
            existing = stored.get(plan.code)
            plan.action = self._basic_action(plan, existing)
            if plan.action != Action.UNCHANGED and not may_edit:
                self.error(BASIC_SHEET, plan.row, "", "修改基本目录需要“事项管理员”角色")
            elif plan.action == Action.UPDATE and existing and upstream_fields_locked(existing):
                batch = f"（同步批次 {existing.upstream_batch}）" if existing.upstream_batch else ""
                message = (
                    f"该事项来自省级目录{batch}，以省级目录为准，不能通过导入修改；"
                    "请在省级目录中修改，或让这一行与系统中的内容一致"
                )
                self.error(BASIC_SHEET, plan.row, "", message)
            counts = self.counts[BASIC_SHEET]
            if plan.action == Action.CREATE:
                counts.created += 1
            elif plan.action == Action.UPDATE:
                counts.updated += 1
            else:
                counts.unchanged += 1

    def _parent_ok(self, plan: BasicPlan, stored: dict[str, BasicItem]) -> bool:
        parent = plan.fields["parent_code"]
        column = BASIC_HEADERS["parent_code"]
        if not parent:
            return True
        if parent == plan.code:
            self.error(BASIC_SHEET, plan.row, column, "主项编码不能是本事项自己的编码")
            return False
        if parent not in self.basics and parent not in stored:
            message = f"主项“{parent}”既不在本文件的“基本目录”中，也不在系统中"
            self.error(BASIC_SHEET, plan.row, column, message)
            return False
        seen = {plan.code}
        current: str = parent
        while current:
            if current in seen:
                self.error(BASIC_SHEET, plan.row, column, f"主项编码形成了循环（经过 {current}）")
                return False
            seen.add(current)
            current = self._parent_of(current, stored)
        return True

    def _parent_of(self, code: str, stored: dict[str, BasicItem]) -> str:
        if code in self.basics:
            return self.basics[code].fields["parent_code"]
        if code not in stored:
            found = BasicItem.objects.select_related("parent").filter(code=code).first()
            if found is None:
                return ""
            stored[code] = found
        item = stored[code]
        return item.parent.code if item.parent else ""

    @staticmethod
    def _basic_action(plan: BasicPlan, existing: BasicItem | None) -> Action:
        if existing is None:
            return Action.CREATE
        stored = {
            "name": existing.name,
            "matter_type": existing.matter_type,
            "level": existing.level,
            "source": existing.source,
            "legal_basis": existing.legal_basis,
            "parent_code": existing.parent.code if existing.parent else "",
        }
        same = existing.is_active and all(
            canon(stored[k]) == canon(plan.fields[k]) for k in BASIC_FIELDS
        )
        return Action.UNCHANGED if same else Action.UPDATE

    def _validate_items(self, rows: list[SheetRow]) -> None:
        keyed = [row for row in rows if not row.missing(*ITEM_KEY_COLUMNS)]
        departments = Department.objects.in_bulk(
            {row.values["uscc"] for row in keyed}, field_name="uscc"
        )
        stored_basics = BasicItem.objects.in_bulk(
            {row.values["basic_code"] for row in keyed}, field_name="code"
        )
        for row in keyed:
            values = row.values
            uscc, level, basic_code = (values[k] for k in ITEM_KEY_COLUMNS)
            code = f"{uscc}{level}{basic_code}"
            if values.get("code") and values["code"] != code:
                message = f"实施编码与统一社会信用代码、行使层级、基本编码不一致（应为 {code}）"
                self.error(ITEM_SHEET, row.number, ITEM_HEADERS["code"], message)
            if code in self.items:
                message = f"与第{self.items[code].row}行是同一事项（实施编码 {code}）"
                self.error(ITEM_SHEET, row.number, "", message)
                continue
            department = departments.get(uscc)
            plan = ItemPlan(code, ITEM_SHEET, row.number, department, level, basic_code)
            self.items[code] = plan
            plan.valid = not row.bad
            if department is None:
                message = f"系统中没有统一社会信用代码为 {uscc} 的部门"
                self.error(ITEM_SHEET, row.number, ITEM_HEADERS["uscc"], message)
                plan.valid = False
            elif not self._may_edit(ITEM_SHEET, row.number, department):
                plan.valid = False
            if basic_code in self.basics:
                basic_name = self.basics[basic_code].fields["name"]
            elif basic_code in stored_basics:
                basic_name = stored_basics[basic_code].name
            else:
                message = f"基本编码 {basic_code} 既不在本文件的“基本目录”中，也不在系统中"
                self.error(ITEM_SHEET, row.number, ITEM_HEADERS["basic_code"], message)
                plan.valid = False
                continue
            if row.bad:
                continue
            content = {key: values[key] for key in CONTENT_KEYS}
            content["name"] = content["name"] or basic_name
            plan.content, plan.steps = content, values["steps"]
            same_unit = content["legal_limit_unit"] == content["promised_limit_unit"]
            if same_unit and content["promised_limit"] > content["legal_limit"]:
                message = "承诺办结时限不能超过法定办结时限"
                self.error(ITEM_SHEET, row.number, ITEM_HEADERS["promised_limit"], message)
                plan.valid = False

    def _may_edit(self, sheet: str, row: int, department: Department) -> bool:
        if department.pk not in self.refusals:  # one check per department, not per row
            try:
                require_editor(actor=self.actor, department=department)
                self.refusals[department.pk] = ""
            except CatalogError as exc:
                self.refusals[department.pk] = exc.message
        if self.refusals[department.pk]:
            self.error(sheet, row, "", self.refusals[department.pk])
            return False
        return True

    def _validate_materials(self, sheet: Sheet) -> None:
        three = {MATERIAL_HEADERS[k] for k in ITEM_KEY_COLUMNS}
        if MATERIAL_HEADERS["item_code"] not in sheet.headers and not three <= sheet.headers:
            message = "缺少列：须有“实施编码”列，或“统一社会信用代码”“行使层级”“基本编码”三列"
            self.error(MATERIAL_SHEET, 1, "", message)
            return
        keyed: list[tuple[str, SheetRow]] = []
        for row in sheet.rows:
            code = self._material_item_code(row)
            if code is not None:
                keyed.append((code, row))
        stored = ImplementationItem.objects.select_related("department").in_bulk(
            {code for code, _ in keyed if code not in self.items}, field_name="code"
        )
        groups: dict[str, list[MaterialRow]] = defaultdict(list)
        seen: dict[tuple[str, int], int] = {}
        for code, row in keyed:
            plan = self.items.get(code)
            if plan is None and code not in stored:
                message = f"实施编码 {code} 的事项不存在，也不在“实施清单”工作表中"
                self.error(MATERIAL_SHEET, row.number, MATERIAL_HEADERS["item_code"], message)
                continue
            if plan is None:
                item = stored[code]
                plan = ItemPlan(code, MATERIAL_SHEET, row.number, item.department, item.level)
                plan.valid = self._may_edit(MATERIAL_SHEET, row.number, item.department)
                self.items[code] = plan
            if row.bad:
                plan.valid = False
            if row.missing("seq"):
                continue
            seq = row.values["seq"]
            given = row.values.get("material_code")
            if given and given != f"{code}{seq:03d}":
                message = f"材料编码应为实施编码加3位序号，即 {code}{seq:03d}"
                self.error(MATERIAL_SHEET, row.number, MATERIAL_HEADERS["material_code"], message)
                plan.valid = False
            if (code, seq) in seen:
                message = f"与第{seen[code, seq]}行重复（同一事项的序号 {seq}）"
                self.error(MATERIAL_SHEET, row.number, MATERIAL_HEADERS["seq"], message)
                plan.valid = False
                continue
            seen[code, seq] = row.number
            values = {k: row.values.get(k) for k in MATERIAL_KEYS}
            groups[code].append(MaterialRow(row.number, seq, values))
        for code, materials in groups.items():
            materials.sort(key=lambda m: m.seq)
            missing = sorted(set(range(1, len(materials) + 1)) - {m.seq for m in materials})
            if missing:
                gaps = "、".join(str(n) for n in missing)
                message = f"同一事项的材料序号应从1起连续编号，缺少序号 {gaps}"
                self.error(MATERIAL_SHEET, materials[-1].row, MATERIAL_HEADERS["seq"], message)
                self.items[code].valid = False
            self.items[code].materials = materials

    def _material_item_code(self, row: SheetRow) -> str | None:
        """The implementation code a material row names, from 实施编码 or from the three columns."""
        column = MATERIAL_HEADERS["item_code"]
        filled = [k for k in ITEM_KEY_COLUMNS if k in row.present]
        if row.missing(*filled) or ("item_code" in row.present and row.missing("item_code")):
            return None  # a key cell could not be read; already reported
        code = None
        if "item_code" in row.present:
            try:
                code = check_implementation_code(row.values["item_code"])
            except CodeError as exc:
                self.error(MATERIAL_SHEET, row.number, column, str(exc))
                return None
        if filled and len(filled) < len(ITEM_KEY_COLUMNS):
            message = "统一社会信用代码、行使层级、基本编码须同时填写"
            self.error(MATERIAL_SHEET, row.number, "", message)
            return None
        if filled:
            computed = "".join(row.values[k] for k in ITEM_KEY_COLUMNS)
            if code is not None and code != computed:
                message = (
                    f"实施编码与统一社会信用代码、行使层级、基本编码不一致（后三列对应 {computed}）"
                )
                self.error(MATERIAL_SHEET, row.number, column, message)
                return None
            code = computed
        if code is None:
            message = "须填写实施编码，或统一社会信用代码、行使层级和基本编码"
            self.error(MATERIAL_SHEET, row.number, column, message)
        return code

    def _plan_items(self) -> None:
        plans = [plan for plan in self.items.values() if plan.valid]
        stored = ImplementationItem.objects.select_related("department", "current_version").in_bulk(
            [plan.code for plan in plans], field_name="code"
        )
        drafts = {
            draft.item_id: draft
            for draft in ItemVersion.objects.filter(
                item__code__in=list(stored), state=VersionState.DRAFT
            ).prefetch_related("materials", "steps")
        }
        currents = [i.current_version for i in stored.values() if i.current_version is not None]
        prefetch_related_objects(currents, "materials", "steps")
        for plan in plans:
            plan.item = stored.get(plan.code)
            if plan.item is None:
                plan.action = Action.CREATE
            else:
                current = plan.item.current_version
                draft = drafts.get(plan.item.pk)
                if same(plan, current):
                    plan.action, plan.base = Action.UNCHANGED, current
                elif same(plan, draft):
                    plan.action = Action.PUBLISH if self.publish else Action.UNCHANGED
                    plan.base = draft
                else:
                    plan.action, plan.base = Action.UPDATE, draft or current
            self._count(plan)
            if self.publish and plan.action != Action.UNCHANGED:
                self._check_quality(plan)

    def _count(self, plan: ItemPlan) -> None:
        if plan.content is not None:
            counts = self.counts[ITEM_SHEET]
            if plan.action == Action.CREATE:
                counts.created += 1
            elif plan.action == Action.UNCHANGED:
                counts.unchanged += 1
            else:
                counts.updated += 1
        if plan.materials is None:
            return
        counts = self.counts[MATERIAL_SHEET]
        stored = {m.seq: m for m in plan.base.materials.all()} if plan.base else {}
        for material in plan.materials:
            before = stored.get(material.seq)
            if before is None:
                counts.created += 1
            elif material_key(before) == material.key():
                counts.unchanged += 1
            else:
                counts.updated += 1
        counts.deleted += sum(1 for seq in stored if seq > len(plan.materials))

    def _check_quality(self, plan: ItemPlan) -> None:
        """The data-quality rules of publishing, checked now so that every row's problems are
        reported together (publishing checks them again)."""
        probe = ItemVersion()
        if plan.base is not None:
            for key in CONTENT_KEYS:
                setattr(probe, key, getattr(plan.base, key))
        for key, value in (plan.content or {}).items():
            setattr(probe, key, value)
        steps = plan.steps if plan.steps is not None else steps_of(plan.base)
        flagged = {(e.sheet, e.row, e.column) for e in self.errors}
        for problem in quality_problems(probe, step_count=len(steps)):
            column = ITEM_HEADERS.get(problem.field, "") if plan.sheet == ITEM_SHEET else ""
            if (plan.sheet, plan.row, column) not in flagged:
                self.error(plan.sheet, plan.row, column, f"不能发布：{problem.message}")

    # --- Applying (writes, through the services) --------------------------------------------------

    def apply(self) -> None:
        actor = actor_name(self.actor)
        for basic in sorted(self.basics.values(), key=self._depth):
            if basic.action == Action.UNCHANGED:
                continue
            try:
                basic_item_save(code=basic.code, actor=actor, **basic.fields)
            except CatalogError as exc:
                self._service_error(BASIC_SHEET, basic.row, exc, BASIC_HEADERS)
        for plan in self.items.values():
            if plan.action == Action.UNCHANGED:
                continue
            try:
                with transaction.atomic():
                    self._apply_item(plan)
            except CatalogError as exc:
                headers = ITEM_HEADERS if plan.sheet == ITEM_SHEET else MATERIAL_HEADERS
                self._service_error(plan.sheet, plan.row, exc, headers)

    def _depth(self, plan: BasicPlan) -> int:
        depth, parent = 0, plan.fields["parent_code"]
        while parent in self.basics and depth <= len(self.basics):
            depth, parent = depth + 1, self.basics[parent].fields["parent_code"]
        return depth

    def _apply_item(self, plan: ItemPlan) -> None:
        item = plan.item
        if item is None:  # Action.CREATE: a valid 实施清单 row, so department and content are set
            item = item_create(
                basic_item=BasicItem.objects.get(code=plan.basic_code),
                department=plan.department,  # type: ignore[arg-type]
                level=plan.level,
                content=plan.content or {},
                materials=[dict(m.values) for m in plan.materials or []],
                steps=plan.steps or [],
                actor=self.actor,
            )
        elif plan.action == Action.UPDATE:
            self._update_draft(plan, item_draft(item=item, actor=self.actor))
        if self.publish:
            item_publish(item=item, actor=self.actor)

    def _update_draft(self, plan: ItemPlan, draft: ItemVersion) -> None:
        changes = {
            key: value
            for key, value in (plan.content or {}).items()
            if not equal(key, getattr(draft, key), value)
        }
        steps = plan.steps if plan.steps is not None and plan.steps != steps_of(draft) else None
        materials = None
        stored = {m.seq: m for m in draft.materials.all()}
        if plan.materials is not None and [m.key() for m in plan.materials] != [
            material_key(m) for m in stored.values()
        ]:
            materials = [
                {
                    **m.values,
                    # Files uploaded in the workbench stay with the material of the same 序号.
                    "form_file": stored[m.seq].form_file.name if m.seq in stored else "",
                    "sample_file": stored[m.seq].sample_file.name if m.seq in stored else "",
                }
                for m in plan.materials
            ]
        if changes or steps is not None or materials is not None:
            draft_update(
                draft=draft, changes=changes, materials=materials, steps=steps, actor=self.actor
            )

    def _service_error(
        self, sheet: str, row: int, exc: CatalogError, headers: dict[str, str]
    ) -> None:
        prefix = "不能发布：" if exc.code == "quality" else ""
        if not exc.fields:
            self.error(sheet, row, "", exc.message)
        for key, messages in exc.fields.items():
            for message in messages:
                self.error(sheet, row, headers.get(key, ""), f"{prefix}{message}")
