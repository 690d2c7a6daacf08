"""What an import will do with each row, and how a row is compared with what is stored."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from yiwang.catalog.excel.columns import fee_key
from yiwang.catalog.models import ImplementationItem, ItemVersion
from yiwang.regions.models import Department

MATERIAL_KEYS = ("name", "issuer", "originals", "copies", "required", "license_type_code", "note")


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"  # a draft is opened or edited (and published when asked)
    PUBLISH = "publish"  # the open draft already equals the file; it is only published
    UNCHANGED = "unchanged"


@dataclass
class BasicPlan:
    row: int
    code: str
    fields: dict[str, str]
    action: Action = Action.UNCHANGED


@dataclass
class MaterialRow:
    row: int
    seq: int
    values: dict[str, Any]

    def key(self) -> tuple[Any, ...]:
        return (self.seq, *(canon(self.values[k]) for k in MATERIAL_KEYS))


@dataclass
class ItemPlan:
    """An implementation item the file touches: by its 实施清单 row, its 申请材料 rows, or both."""

    code: str
    sheet: str  # where problems of the item as a whole are reported
    row: int
    department: Department | None = None
    level: str = ""
    basic_code: str = ""
    content: dict[str, Any] | None = None  # None: only its materials are in the file
    steps: list[dict[str, Any]] | None = None
    materials: list[MaterialRow] | None = None
    item: ImplementationItem | None = None
    valid: bool = True
    action: Action = Action.UNCHANGED
    base: ItemVersion | None = None  # the stored version the file was compared with


def canon(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def equal(key: str, stored: Any, given: Any) -> bool:
    if key == "fees":
        return fee_key(stored or []) == fee_key(given or [])
    return bool(canon(stored) == canon(given))


def steps_of(version: ItemVersion | None) -> list[dict[str, Any]]:
    if version is None:
        return []
    return [{"name": s.name, "role": s.role, "limit": s.limit} for s in version.steps.all()]


def material_key(material: Any) -> tuple[Any, ...]:
    return (material.seq, *(canon(getattr(material, k)) for k in MATERIAL_KEYS))


def same(plan: ItemPlan, version: ItemVersion | None) -> bool:
    """Whether the file says what `version` holds: the content columns, the steps and (when the
    file lists them) the materials. Text is compared without surrounding spaces."""
    if version is None:
        return False
    if plan.content is not None and not all(
        equal(key, getattr(version, key), value) for key, value in plan.content.items()
    ):
        return False
    if plan.steps is not None and plan.steps != steps_of(version):
        return False
    return plan.materials is None or [m.key() for m in plan.materials] == [
        material_key(m) for m in version.materials.all()
    ]
