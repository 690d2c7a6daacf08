import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.ops.demo import demo_account_lines, demo_data_load, demo_is_loaded


class Command(BaseCommand):
    help = (
        "Load the Qingyang demo data: regions, departments, halls, windows, the matter catalog "
        "and the demo accounts; with --scale N also N × Qingyang's staff, persons, enterprises "
        "and a year of cases (see docs/performance.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database has data"
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=0.0,
            help="also generate N × (4,547 staff, 200,000 persons, 20,000 enterprises, "
            "1,000,000 cases); N may be a fraction, e.g. 0.01",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale = options["scale"]
        if scale < 0 or scale > 100:
            raise CommandError("--scale 应在 0 到 100 之间")
        if options["if_empty"] and demo_is_loaded():
            self.stdout.write("演示数据已存在，跳过加载。")
        else:
            counts = demo_data_load()
            self.stdout.write(self.style.SUCCESS("庆阳市演示数据已加载："))
            for name, count in counts.items():
                self.stdout.write(f"  {name}: {count}")
            for line in demo_account_lines():
                self.stdout.write(line)
        if scale:
            self._scale(scale)

    def _scale(self, scale: float) -> None:
        from yiwang.ops.scale import scale_load, scale_loaded, staff_username

        loaded = scale_loaded()
        if loaded is not None:
            self.stdout.write(f"规模数据已存在（规模 {loaded:g}），跳过生成。")
            return
        started = time.monotonic()
        counts = scale_load(scale=scale, progress=lambda line: self.stdout.write(f"  … {line}"))
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"规模 {scale:g} 的数据已生成（{seconds:.0f} 秒）："))
        for name, count in counts.items():
            self.stdout.write(f"  {name}: {count}")
        self.stdout.write(
            f"  工作人员账号 {staff_username(1)} 起，个人用户手机号 15000000000 起，密码同演示账号"
        )
