from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.catalog.models import SyncBatch
from yiwang.catalog.sync import CatalogSyncError, catalog_sync


class Command(BaseCommand):
    help = (
        "Pull the provincial catalog's change batches after the last applied one and apply them "
        "(docs/catalog.md, “Provincial sync”): `yiwang catalog_sync [--url BASE]`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=None, help="default: CATALOG_SYNC_URL")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            batches = catalog_sync(base_url=options["url"])
        except CatalogSyncError as exc:
            self._report(exc.batches)
            raise CommandError(exc.message) from None
        self._report(batches)
        failed = [b for b in batches if b.state == SyncBatch.State.FAILED]
        if failed:
            raise CommandError(f"批次 {failed[0].batch_no} 未能应用，后续批次等待下次同步。")
        if not batches:
            self.stdout.write("没有新的批次，基本目录已是最新。")

    def _report(self, batches: list[SyncBatch]) -> None:
        for batch in batches:
            if batch.state == SyncBatch.State.APPLIED:
                self.stdout.write(
                    f"批次 {batch.batch_no} 已应用：新增 {batch.inserted}，更新 {batch.updated}，"
                    f"删除（停用） {batch.deleted}，未变 {batch.unchanged}"
                )
            else:
                self.stderr.write(f"批次 {batch.batch_no} 失败（未应用）：{batch.error}")
