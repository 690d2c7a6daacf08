from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit chain tools: `yiwang audit verify` checks every record's SM3 hash and order."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if not report.ok:
            raise CommandError(
                f"审计链校验失败：{report.problem}（已校验 {report.checked} 条，"
                f"首个问题记录序号 {report.first_bad_seq}）"
            )
        self.stdout.write(self.style.SUCCESS(f"审计链完整：共 {report.checked} 条记录，校验通过。"))
