import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.catalog.provincial_server import SAMPLE_BATCHES, ProvincialCatalogServer
from yiwang.catalog.sync import sync_settings


class Command(BaseCommand):
    help = (
        "Run a local provincial catalog server speaking the real feed's protocol "
        "(docs/catalog.md), for development: "
        "`yiwang provincial_catalog_server --port 9921 --data FILE [--sample]`."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=9921)
        parser.add_argument(
            "--data", default="", help='JSON file {"batches": [...]}, re-read when it changes'
        )
        parser.add_argument(
            "--sample", action="store_true", help="write two sample batches if FILE is missing"
        )
        parser.add_argument("--app-key", default="", help="default: CATALOG_SYNC_APP_KEY")
        parser.add_argument("--app-secret", default="", help="default: CATALOG_SYNC_APP_SECRET")

    def handle(self, *args: Any, **options: Any) -> None:
        conf = sync_settings()
        app_key = options["app_key"] or conf.app_key
        app_secret = options["app_secret"] or conf.app_secret
        if not app_key or not app_secret:
            raise CommandError("请用 --app-key 和 --app-secret（或对应的环境变量）指定应用密钥。")
        data = Path(options["data"]) if options["data"] else None
        if options["sample"]:
            if data is None:
                raise CommandError("--sample 需要同时指定 --data 文件。")
            if not data.exists():
                data.parent.mkdir(parents=True, exist_ok=True)
                text = json.dumps({"batches": SAMPLE_BATCHES}, ensure_ascii=False, indent=2)
                data.write_text(text, encoding="utf-8")
        try:
            server = ProvincialCatalogServer(
                app_key=app_key,
                app_secret=app_secret,
                host=options["host"],
                port=options["port"],
                data_file=data,
            )
        except (OSError, ValueError, TypeError) as exc:
            raise CommandError(f"无法读取数据文件 {data}：{exc}") from None
        count = len(server.batches())
        self.stdout.write(
            f"省级事项目录模拟服务：GET {server.base_url}/batches?after=&limit=，"
            f"现有 {count} 个批次；按 Ctrl-C 停止。"
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("已停止。")
        except OSError as exc:
            raise CommandError(f"无法在端口 {options['port']} 上启动：{exc.strerror}") from None
