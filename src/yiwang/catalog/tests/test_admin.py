"""The basic catalog in the admin: provincial fields read-only, the local note editable."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.catalog import services
from yiwang.catalog.models import BasicItem
from yiwang.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_provincial_item_keeps_its_fields_and_takes_a_local_note(admin_client: Client) -> None:
    item, _ = services.basic_item_save(
        code="620104002000", name="省级事项", matter_type="01", level="2",
        source="provincial", batch="20261128-0001",
    )  # fmt: skip
    url = f"/admin/catalog/basicitem/{item.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="name"' not in page and 'name="local_note"' in page
    response = admin_client.post(
        url, {"local_note": "本市由市政务服务中心统一受理", "name": "改名"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.name, item.local_note) == ("省级事项", "本市由市政务服务中心统一受理")
    assert AuditRecord.objects.filter(action="catalog.basic_note_set").count() == 1


def test_sync_batches_and_items_are_read_only(admin_client: Client) -> None:
    assert admin_client.get("/admin/catalog/syncbatch/").status_code == 200
    assert admin_client.get("/admin/catalog/implementationitem/").status_code == 200
    assert admin_client.get("/admin/catalog/basicitem/add/").status_code == 403
    assert not BasicItem.objects.exists()
