from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.reporting.conf import reporting_settings
from yiwang.reporting.provincial_receiver import RECORDS_PATH, ProvincialReceiver


class Command(BaseCommand):
    help = (
        "Run a local provincial data receiver speaking the real platform's protocol "
        "(docs/reporting.md), for development: "
        "`yiwang reporting_receiver --port 9931 --app-id ID --app-secret S [--store FILE]`."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=9931)
        parser.add_argument("--app-id", default="", help="default: REPORTING_APP_ID")
        parser.add_argument("--app-secret", default="", help="default: REPORTING_APP_SECRET")
        parser.add_argument(
            "--store", default="", help="JSON-lines file of received records, kept across runs"
        )
        parser.add_argument(
            "--lenient",
            action="store_true",
            help="accept a case's later records without its application",
        )
        parser.add_argument(
            "--fail-first", type=int, default=0, help="answer the first N requests with 503"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        conf = reporting_settings()
        app_id = options["app_id"] or conf.app_id
        app_secret = options["app_secret"] or conf.app_secret
        if not app_id or not app_secret:
            raise CommandError("请用 --app-id 和 --app-secret（或对应的环境变量）指定应用密钥。")
        store = Path(options["store"]) if options["store"] else None
        try:
            receiver = ProvincialReceiver(
                app_id=app_id,
                app_secret=app_secret,
                host=options["host"],
                port=options["port"],
                strict_order=not options["lenient"],
                store_file=store,
            )
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"无法读取记录文件 {store}：{exc}") from None
        if options["fail_first"] > 0:
            receiver.fail_next(options["fail_first"])
        self.stdout.write(
            f"省级数据接收模拟服务：POST {receiver.base_url}{RECORDS_PATH}，"
            f"已收记录 GET /records?case_number=；现有 {len(receiver.records())} 条；"
            "按 Ctrl-C 停止。"
        )
        try:
            receiver.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("已停止。")
        except OSError as exc:
            raise CommandError(f"无法在端口 {options['port']} 上启动：{exc.strerror}") from None
