from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.notify.conf import notify_settings
from yiwang.notify.fakegateway import FakeSmsGateway


class Command(BaseCommand):
    help = (
        "Run a local SMS gateway speaking the real gateway's protocol (docs/sms.md), for "
        "development: `yiwang sms_gateway --port 9911 --app-key K --app-secret S`."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=9911)
        parser.add_argument("--app-key", default="", help="default: SMS_GATEWAY_APP_KEY")
        parser.add_argument("--app-secret", default="", help="default: SMS_GATEWAY_APP_SECRET")
        parser.add_argument(
            "--per-minute", type=int, default=5, help="messages per number per minute (0: none)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        conf = notify_settings()
        app_key = options["app_key"] or conf.gateway_app_key
        app_secret = options["app_secret"] or conf.gateway_app_secret
        if not app_key or not app_secret:
            raise CommandError("请用 --app-key 和 --app-secret（或对应的环境变量）指定应用密钥。")
        gateway = FakeSmsGateway(
            app_key=app_key,
            app_secret=app_secret,
            host=options["host"],
            port=options["port"],
            per_phone_per_minute=options["per_minute"],
        )
        self.stdout.write(
            f"短信网关模拟服务：POST http://{options['host']}:{options['port']}/v1/sms/send，"
            f"已收短信 GET /messages?phone=；按 Ctrl-C 停止。"
        )
        try:
            gateway.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("已停止。")
        except OSError as exc:
            raise CommandError(f"无法在端口 {options['port']} 上启动：{exc.strerror}") from None
