"""`yiwang oidc_client`: register or update a department system as a single sign-on client."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.accounts.oidc.services import oidc_client_save

MIN_SECRET_LENGTH = 32


class Command(BaseCommand):
    help = (
        "Create or update a confidential OpenID Connect client (authorization code + PKCE, "
        "RS256 ID tokens). Prints the client ID, and the secret when one was generated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="the department system's name")
        parser.add_argument(
            "--redirect-uri",
            action="append",
            required=True,
            dest="redirect_uris",
            help="an exact callback URL of the system (repeat for several)",
        )
        parser.add_argument(
            "--post-logout-redirect-uri",
            action="append",
            default=[],
            dest="post_logout_redirect_uris",
            help="where the system may send users after logout (repeat for several)",
        )
        parser.add_argument("--client-id", help="update this client, or create it with this ID")
        parser.add_argument(
            "--client-secret", help=f"set this secret (at least {MIN_SECRET_LENGTH} characters)"
        )
        parser.add_argument(
            "--skip-authorization",
            action="store_true",
            help="do not ask users for consent (the platform's own trusted systems)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        secret = options["client_secret"]
        if secret is not None and len(secret) < MIN_SECRET_LENGTH:
            raise CommandError(f"客户端密钥至少需要 {MIN_SECRET_LENGTH} 个字符")
        try:
            saved = oidc_client_save(
                name=options["name"],
                redirect_uris=options["redirect_uris"],
                post_logout_redirect_uris=options["post_logout_redirect_uris"],
                client_id=options["client_id"],
                client_secret=secret,
                skip_authorization=options["skip_authorization"],
            )
        except ValidationError as exc:
            problems = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            messages = "; ".join(
                f"{field} {' '.join(errs)}".strip() for field, errs in problems.items()
            )
            raise CommandError(f"客户端信息有误：{messages}") from None
        verb = "已创建" if saved.created else "已更新"
        self.stdout.write(self.style.SUCCESS(f"单点登录客户端{verb}：{saved.application.name}"))
        self.stdout.write(f"client_id: {saved.application.client_id}")
        if saved.generated_secret:
            self.stdout.write(f"client_secret: {saved.generated_secret}")
            self.stdout.write("（密钥只显示这一次，平台仅保存其摘要，请妥善交付业务系统）")
