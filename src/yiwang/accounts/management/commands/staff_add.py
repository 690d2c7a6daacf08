import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from yiwang.accounts.models import Role, Staff
from yiwang.accounts.services import staff_create, staff_role_grant
from yiwang.core.errors import YiwangError
from yiwang.regions.models import Department


class Command(BaseCommand):
    help = "Create a staff account (e.g. an installation's first administrators), audited as cli."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--department-uscc", required=True, help="the department's USCC")
        parser.add_argument("--phone", default="")
        parser.add_argument("--role", action="append", default=[], choices=Role.values)
        parser.add_argument("--password", help="prompted for when omitted")

    def handle(self, *args: Any, **options: Any) -> None:
        department = Department.objects.filter(uscc=options["department_uscc"].upper()).first()
        if department is None:
            raise CommandError("未找到该统一社会信用代码对应的部门")
        password = options["password"] or getpass.getpass("初始密码：")
        try:
            with transaction.atomic():  # all or nothing: the account and its roles
                staff = self._create(options, department, password)
        except YiwangError as exc:
            details = "；".join(m for ms in exc.fields.values() for m in ms)
            raise CommandError(f"{exc.message}{'：' + details if details else ''}") from exc
        self.stdout.write(self.style.SUCCESS(f"已创建工作人员 {staff.name}（{department.name}）"))

    def _create(self, options: dict[str, Any], department: Department, password: str) -> Staff:
        staff = staff_create(
            actor=None,
            username=options["username"],
            name=options["name"],
            department=department,
            phone=options["phone"],
            password=password,
        )
        for role in options["role"]:
            staff_role_grant(actor=None, staff=staff, role=role)
        return staff
