"""The whole demo catalog as plain data: every matter, in a fixed order, turned into basic items
with their 12-character codes.

Order: the real matter templates (`person`, `welfare`, `assistance`, `enterprise`, `permits`),
the further local matters (`local_society`, `local_economy`, `local_city`), the provincial ones,
the powers exercised ex officio (`ex_officio`), and last the penalties (行政处罚) and inspections
(行政检查) that follow from the licences and filings above, as many as fill the catalog to the
1,550 items Qingyang receives from the provincial catalog (REFERENCE §10). Ex-officio powers are
in the basic catalog but have no implementation item: the implementation lists publish the
matters one applies for.

Basic code (a DEMO scheme; GB/T 39554.1 was not read): source (2: "00" national, "62"
provincial) + matter type (2) + department kind number (3) + sequence within source, type and
kind (3) + sub-item number (2: "00" for a main item or an item without sub-items). The same order
gives the same codes on every run.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from yiwang.catalog.codes import ExerciseLevel, ItemSource
from yiwang.catalog.demo_data import (
    assistance,
    enterprise,
    ex_officio,
    local_city,
    local_economy,
    local_society,
    permits,
    person,
    provincial,
    welfare,
)
from yiwang.catalog.demo_data.common import (
    CITY,
    COUNTY,
    LICENSING,
    OTHER_POWER,
    TOWNSHIP,
    Matter,
)
from yiwang.catalog.demo_data.patterns import power
from yiwang.regions.models import Department

TARGET_BASIC_ITEMS = 1550
KIND_NUMBERS = {kind: f"{n:03d}" for n, kind in enumerate(Department.Kind.values, start=1)}
LEVEL_OF = {
    CITY: ExerciseLevel.CITY,
    COUNTY: ExerciseLevel.COUNTY,
    TOWNSHIP: ExerciseLevel.TOWNSHIP,
}
PENALTY, INSPECTION = "02", "06"


def _matters_of(module: object) -> list[Matter]:
    return [value for value in vars(module).values() if isinstance(value, Matter)]


TEMPLATES: tuple[Matter, ...] = tuple(
    m for module in (person, welfare, assistance, enterprise, permits) for m in _matters_of(module)
)
APPLIED_FOR: tuple[Matter, ...] = (
    *TEMPLATES,
    *local_society.MATTERS,
    *local_economy.MATTERS,
    *local_city.MATTERS,
    *provincial.MATTERS,
)
EX_OFFICIO: tuple[Matter, ...] = ex_officio.MATTERS


def exercise_level(scopes: set[str]) -> str:
    if not scopes:
        return ExerciseLevel.PROVINCIAL
    if len(scopes) > 1:
        return ExerciseLevel.GRADED
    return LEVEL_OF[next(iter(scopes))]


def matter_level(matter: Matter) -> str:
    if matter.level:
        return matter.level
    return exercise_level({s for leaf in matter.leaves() for s in leaf.scope})


def basic_item_count(matters: tuple[Matter, ...]) -> int:
    return sum(1 + len(m.variants) if m.variants else 1 for m in matters)


def _laws(text: str) -> str:
    return "".join(dict.fromkeys(re.findall(r"《[^》]+》", text)))


def _ex_officio_pair(matter: Matter) -> list[Matter]:
    """The penalty and the inspection that go with a licence or a filing."""
    subject = matter.name.removesuffix("核发")
    laws = _laws(matter.legal_basis)
    if matter.matter_type == LICENSING:
        names = (f"对未取得{subject}擅自从事相关活动的行政处罚", f"对{subject}被许可人的监督检查")
        inspection_basis = f"《中华人民共和国行政许可法》第六十一条；{laws}"
    else:
        names = (f"对未按规定办理{subject}的行政处罚", f"对{subject}事项的监督检查")
        inspection_basis = f"{laws}监督检查有关规定"
    common: dict[str, Any] = {
        "level": matter_level(matter),
        "hint": matter.hint,
        "national": matter.national,
        "objects": matter.objects,
        "enterprise_themes": matter.enterprise_themes,
        "person_themes": matter.person_themes,
    }
    penalty_basis = f"{laws}法律责任有关规定；《中华人民共和国行政处罚法》"
    return [
        power(names[0], PENALTY, penalty_basis, matter.kind, **common),
        power(names[1], INSPECTION, inspection_basis, matter.kind, **common),
    ]


def _is_source_of_ex_officio(matter: Matter) -> bool:
    licence = matter.matter_type == LICENSING and matter.name.endswith(("许可", "许可证核发"))
    filing = matter.matter_type == OTHER_POWER and matter.name.endswith("备案")
    return (licence or filing) and matter.objects != ("1",)


def derived_powers(matters: tuple[Matter, ...], count: int) -> tuple[Matter, ...]:
    """The first `count` ex-officio powers following from `matters`, in order."""
    powers = [p for m in matters if _is_source_of_ex_officio(m) for p in _ex_officio_pair(m)]
    if count > len(powers):
        raise ValueError(f"the demo catalog lacks {count - len(powers)} ex-officio powers")
    return tuple(powers[:count])


_WRITTEN = (*APPLIED_FOR, *EX_OFFICIO)
MATTERS: tuple[Matter, ...] = (
    *_WRITTEN,
    *derived_powers(APPLIED_FOR, TARGET_BASIC_ITEMS - basic_item_count(_WRITTEN)),
)


@dataclass(frozen=True)
class BasicSpec:
    """One basic item; `matter` is set for the items that are carried out (the leaves)."""

    code: str
    name: str
    matter_type: str
    level: str
    source: str
    legal_basis: str
    parent_code: str = ""
    matter: Matter | None = None


def basic_specs(matters: tuple[Matter, ...] = MATTERS) -> list[BasicSpec]:
    """Every basic item, main items before their sub-items; names and codes are unique."""
    sequence: Counter[tuple[str, str, str]] = Counter()
    specs: list[BasicSpec] = []
    for matter in matters:
        prefix = "00" if matter.national else "62"
        key = (prefix, matter.matter_type, KIND_NUMBERS[matter.kind])
        sequence[key] += 1
        stem = f"{prefix}{matter.matter_type}{KIND_NUMBERS[matter.kind]}{sequence[key]:03d}"
        source = ItemSource.NATIONAL if matter.national else ItemSource.PROVINCIAL
        main = BasicSpec(
            code=f"{stem}00",
            name=matter.name,
            matter_type=matter.matter_type,
            level=matter_level(matter),
            source=source,
            legal_basis=matter.legal_basis,
            matter=None if matter.variants else matter,
        )
        specs.append(main)
        for number, leaf in enumerate(matter.leaves() if matter.variants else (), start=1):
            specs.append(
                BasicSpec(
                    code=f"{stem}{number:02d}",
                    name=leaf.name,
                    matter_type=leaf.matter_type,
                    level=matter_level(leaf),
                    source=source,
                    legal_basis=leaf.legal_basis,
                    parent_code=main.code,
                    matter=leaf,
                )
            )
    duplicates = [n for n, c in Counter(s.name for s in specs).items() if c > 1]
    if duplicates:
        raise ValueError(f"demo matters named twice: {duplicates}")
    return specs
