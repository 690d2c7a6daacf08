from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.ops.demo import demo_account_lines, demo_data_load, demo_is_loaded


class Command(BaseCommand):
    help = (
        "Load the Qingyang demo data: regions, departments, halls, windows, the matter catalog "
        "and the demo accounts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database has data"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and demo_is_loaded():
            self.stdout.write("演示数据已存在，跳过加载。")
            return
        counts = demo_data_load()
        self.stdout.write(self.style.SUCCESS("庆阳市演示数据已加载："))
        for name, count in counts.items():
            self.stdout.write(f"  {name}: {count}")
        for line in demo_account_lines():
            self.stdout.write(line)
