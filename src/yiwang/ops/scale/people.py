"""Generated staff, persons and enterprises: valid, unique numbers; names; the demo password."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from yiwang.accounts.models import Enterprise as EnterpriseModel
from yiwang.accounts.models import (
    EvidenceKind,
    Person,
    RealNameEvidence,
    Role,
    Staff,
    StaffRole,
    User,
)
from yiwang.catalog.models import ImplementationItem, ItemStatus
from yiwang.core.identifiers import (
    organization_code_check_char,
    resident_id_check_char,
    uscc_complete,
)
from yiwang.ops.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from yiwang.ops.scale.bulk import Writer, batches


def staff_username(index: int) -> str:
    """Generated staff log in as qy00001, qy00002 … with the demo password and TOTP secret."""
    return f"qy{index:05d}"


def person_phone(index: int) -> str:
    """Generated persons log in with 15000000000, 15000000001 … (or their ID number)."""
    return f"15{index:09d}"


SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌宁海燕鹏飞晓东雪梅春"
COUNTIES = (
    ("621002", "西峰区"),
    ("621021", "庆城县"),
    ("621022", "环县"),
    ("621023", "华池县"),
    ("621024", "合水县"),
    ("621025", "正宁县"),
    ("621026", "宁县"),
    ("621027", "镇原县"),
)
FIRM_WORDS = (
    "恒达",
    "鑫源",
    "宏图",
    "陇东",
    "子午",
    "长庆",
    "岐黄",
    "董志",
    "周祖",
    "瑞丰",
    "金穗",
    "丰泽",
    "德润",
    "天元",
    "盛世",
    "华鼎",
    "绿源",
    "安泰",
    "永昌",
    "通达",
    "博远",
    "嘉禾",
    "顺意",
    "万和",
)
FIRM_TRADES = (
    "商贸",
    "建筑工程",
    "农业科技",
    "餐饮管理",
    "物流",
    "石油技术服务",
    "信息技术",
    "文化传媒",
    "苹果种植专业合作社",
    "养殖",
    "装饰工程",
    "医药",
    "汽车服务",
    "旅游开发",
    "环保科技",
    "劳务",
)
FIRM_FORMS = ("有限公司", "有限责任公司", "股份有限公司")


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def resident_id_for(index: int) -> str:
    """A valid, unique resident ID number of a person born in a Qingyang county 1950–2004."""
    county = COUNTIES[index % len(COUNTIES)][0]
    rest = index // len(COUNTIES)
    born = dt.date(1950, 1, 1) + dt.timedelta(days=rest % 20_000)
    first17 = f"{county}{born:%Y%m%d}{500 + rest // 20_000:03d}"
    return first17 + resident_id_check_char(first17)


def uscc_for(index: int) -> str:
    """A valid, unique unified social credit code of a Qingyang enterprise."""
    county = COUNTIES[index % len(COUNTIES)][0]
    org = f"Q{index:07d}"
    return uscc_complete(f"91{county}{org}{organization_code_check_char(org)}")


# --- Staff -------------------------------------------------------------------------------------

CASE_ROLES = (Role.WINDOW_OFFICER, Role.REVIEWER, Role.APPROVER)


@dataclass
class Member:
    staff_id: int
    user_id: int
    name: str
    department_id: int
    roles: tuple[str, ...]


@dataclass
class StaffPlan:
    members: list[Member] = field(default_factory=list)
    by_role: dict[tuple[int, str], list[Member]] = field(default_factory=dict)

    def staffed(self, department_id: int) -> bool:
        return all((department_id, role) in self.by_role for role in CASE_ROLES)

    def pick(self, rng: random.Random, department_id: int, role: str) -> Member:
        return rng.choice(self.by_role[(department_id, role)])


def item_popularity() -> list[tuple[int, int, float]]:
    """(item, department, weight) per published item: a few matters (ID cards, social
    security, business licences) take most of the cases, as they do in a real city."""
    rows = list(
        ImplementationItem.objects.filter(status=ItemStatus.PUBLISHED)
        .order_by("code")
        .values_list("pk", "department_id")
    )
    shuffled = random.Random(7).sample(rows, len(rows))  # noqa: S311 - demo data
    return [(pk, dept, 1.0 / (rank + 10) ** 0.9) for rank, (pk, dept) in enumerate(shuffled)]


def _department_weights() -> dict[int, float]:
    """How busy each department is: the popularity of the items it carries."""
    weights: dict[int, float] = defaultdict(float)
    for _, department_id, weight in item_popularity():
        weights[department_id] += weight
    return weights


def staff_load(total: int, *, rng: random.Random, now: dt.datetime, writer: Writer) -> StaffPlan:
    """`total` staff over the departments: every department (busiest first, while there are
    people) gets a window officer, a reviewer and an approver; the rest follow the workload."""
    from yiwang.regions.models import Department

    departments = list(Department.objects.filter(is_active=True).order_by("pk"))
    weights = _department_weights()
    busiest = sorted(departments, key=lambda d: (-weights.get(d.pk, 0.0), d.pk))
    plan: list[tuple[Any, str]] = []
    for department in busiest:
        for case_role in CASE_ROLES:
            if len(plan) < total:
                plan.append((department, case_role))
    extra = total - len(plan)
    if extra > 0:
        grand = sum(weights.values()) or 1.0
        pool = [d for d in busiest if weights.get(d.pk, 0.0) > 0] or busiest
        chosen = rng.choices(pool, weights=[weights.get(d.pk, 0.0) / grand for d in pool], k=extra)
        roles = rng.choices(CASE_ROLES, weights=(0.5, 0.35, 0.15), k=extra)
        plan.extend(zip(chosen, roles, strict=True))
    password = make_password(DEMO_PASSWORD)
    first = User.objects.filter(username__startswith="qy").count() + 1
    users = [
        User(
            username=staff_username(first + i),
            kind=User.Kind.STAFF,
            display_name=person_name(rng),
            password=password,
            date_joined=now,
        )
        for i in range(len(plan))
    ]
    User.objects.bulk_create(users, batch_size=1000)
    users = list(User.objects.filter(username__in=[u.username for u in users]).order_by("pk"))
    staff = Staff.objects.bulk_create(
        [
            Staff(
                user=user,
                name=user.display_name,
                department=department,
                region_prefix=department.region_prefix,
                phone=f"17{user.pk:09d}",
            )
            for user, (department, _) in zip(users, plan, strict=True)
        ],
        batch_size=1000,
    )
    staff = list(Staff.objects.filter(user__in=users).order_by("user_id"))
    StaffRole.objects.bulk_create(
        [StaffRole(staff=s, role=role) for s, (_, role) in zip(staff, plan, strict=True)],
        batch_size=1000,
    )
    key = DEMO_TOTP_SECRET_HEX
    TOTPDevice.objects.bulk_create(
        [TOTPDevice(user_id=s.user_id, name="demo", key=key, confirmed=True) for s in staff],
        batch_size=1000,
    )
    result = StaffPlan()
    for member_staff, (department, role) in zip(staff, plan, strict=True):
        member = Member(
            member_staff.pk, member_staff.user_id, member_staff.name, department.pk, (role,)
        )
        result.members.append(member)
        result.by_role.setdefault((department.pk, role), []).append(member)
    return result


def _totp_hex() -> str:
    from base64 import b32decode

    return b32decode(DEMO_TOTP_SECRET).hex()


DEMO_TOTP_SECRET_HEX = _totp_hex()


# --- Persons and enterprises -------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    pk: int
    user_id: int
    name: str
    resident_id: str
    phone: str
    level: int


@dataclass(frozen=True)
class EnterpriseRow:
    pk: int
    uscc: str
    name: str
    representative: PersonRow


_USERNAME_MULTIPLIER = 0x9E3779B97F4A7C15  # odd: index → handle is one-to-one


def persons_load(
    total: int, *, rng: random.Random, now: dt.datetime, writer: Writer
) -> list[PersonRow]:
    """Registered persons: phone proven; 85 % at real-name level 2 (social security matched)."""
    taken_ids = set(Person.objects.values_list("resident_id", flat=True))
    taken_phones = set(Person.objects.values_list("phone", flat=True))
    password = make_password(DEMO_PASSWORD)
    first_user = writer.next_id(User, total)
    first_person = writer.next_id(Person, total)
    first_evidence = writer.next_id(RealNameEvidence, 2 * total)
    start = Person.objects.filter(phone__startswith="15").count()
    persons: list[PersonRow] = []
    users: list[tuple] = []
    rows: list[tuple] = []
    evidence: list[tuple] = []
    index = start
    evidence_id = first_evidence
    while len(persons) < total:
        resident_id, phone = resident_id_for(index), person_phone(index)
        index += 1
        if resident_id in taken_ids or phone in taken_phones:
            continue
        n = len(persons)
        joined = now - dt.timedelta(days=rng.uniform(1, 1500))
        level = 2 if rng.random() < 0.85 else 1
        person = PersonRow(
            first_person + n, first_user + n, person_name(rng), resident_id, phone, level
        )
        persons.append(person)
        handle = f"p{(index * _USERNAME_MULTIPLIER) % 2**64:016x}"
        users.append(
            (
                person.user_id,
                handle,
                password,
                "person",
                person.name,
                False,
                False,
                True,
                joined,
                "",
                "",
                "",
            )
        )
        rows.append((person.pk, person.user_id, person.name, resident_id, phone, level, joined))
        evidence.append(
            (
                evidence_id,
                person.pk,
                EvidenceKind.PHONE,
                f"{phone[:3]}****{phone[7:]}",
                "短信验证码",
                joined,
            )
        )
        evidence_id += 1
        if level == 2:
            evidence.append(
                (
                    evidence_id,
                    person.pk,
                    EvidenceKind.SOCIAL_SECURITY,
                    f"{resident_id[:4]}**********{resident_id[-4:]}",
                    "人社部门",
                    joined,
                )
            )
            evidence_id += 1
        if len(users) >= 50_000:  # in batches, so that scale 10 stays within memory
            _persons_write(writer, users, rows, evidence)
            users, rows, evidence = [], [], []
    _persons_write(writer, users, rows, evidence)
    return persons


USER_FIELDS = ["id", "username", "password", "kind", "display_name", "is_superuser", "is_staff",
               "is_active", "date_joined", "first_name", "last_name", "email"]  # fmt: skip
PERSON_FIELDS = ["id", "user", "name", "resident_id", "phone", "real_name_level", "created_at"]
EVIDENCE_FIELDS = ["id", "person", "kind", "reference", "source", "verified_at"]


def _persons_write(
    writer: Writer, users: list[tuple], rows: list[tuple], evidence: list[tuple]
) -> None:
    writer.write(User, USER_FIELDS, users)
    writer.write(Person, PERSON_FIELDS, rows)
    writer.write(RealNameEvidence, EVIDENCE_FIELDS, evidence)


def enterprises_load(
    total: int,
    *,
    persons: list[PersonRow],
    rng: random.Random,
    now: dt.datetime,
    writer: Writer,
) -> list[EnterpriseRow]:
    """Enterprises registered by their legal representatives (persons at level 2)."""
    taken = set(EnterpriseModel.objects.values_list("uscc", flat=True))
    representatives = [p for p in persons if p.level == 2] or persons
    first = writer.next_id(EnterpriseModel, total)
    start = EnterpriseModel.objects.filter(uscc__contains="Q").count()
    result: list[EnterpriseRow] = []
    rows = []
    index = start
    while len(result) < total:
        uscc = uscc_for(index)
        county = COUNTIES[index % len(COUNTIES)][1]
        index += 1
        if uscc in taken:
            continue
        firm = rng.choice(FIRM_WORDS) + rng.choice(FIRM_TRADES) + rng.choice(FIRM_FORMS)
        name = f"庆阳市{county}{firm}"
        person = representatives[(len(result) * 7919) % len(representatives)]
        enterprise = EnterpriseRow(first + len(result), uscc, name, person)
        result.append(enterprise)
        rows.append(
            (
                enterprise.pk,
                uscc,
                name,
                person.name,
                person.resident_id,
                person.pk,
                now - dt.timedelta(days=rng.uniform(1, 1500)),
            )
        )
    names = [
        "id",
        "uscc",
        "name",
        "legal_representative_name",
        "legal_representative_resident_id",
        "legal_representative",
        "created_at",
    ]
    for batch in batches(rows):
        writer.write(EnterpriseModel, names, batch)
    return result
