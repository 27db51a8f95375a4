"""Fee boards: completeness, the public change log, JSON/CSV, the print page's QR code, speed."""

import csv
import io
import json
import re
from base64 import b64decode
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from PIL import Image
from wagtail.models import Revision

from cms.boards import BoardIncomplete, missing_sections
from cms.exports import CSV_COLUMNS, SCHEMA
from cms.models import BoardPublication, FeeBoardPage
from cms.pricing import published_board_price
from cms.seed import board_complete_demo_content
from cms.services import board_ensure, board_publish
from marketplace.partner.models import StockRecord
from tests.factories import ProductFactory, StockRecordFactory

URL = "/boards/wangjing-garden/"


def _set_price(community, product, amount):
    record = StockRecord.objects.get(community=community, product=product)
    record.price = Decimal(amount)
    record.save()


def _republish(board):
    board_publish(board=FeeBoardPage.objects.get(pk=board.pk))


# --- completeness ------------------------------------------------------------------------------


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_an_empty_board_is_refused_with_the_list_of_missing_sections(community, site_tree, english):
    board = board_ensure(community=community)
    with pytest.raises(BoardIncomplete) as refused:
        board_publish(board=board)
    for section in (
        "Charging items and standards",
        "Staff on duty",
        "How to report a repair",
        "Use of the maintenance fund",
        "Complaint telephones (street office telephone)",
    ):
        assert section in refused.value.missing
        assert section in refused.value.message
    board.refresh_from_db()
    assert not board.live
    assert not BoardPublication.objects.exists()


def test_a_partly_filled_section_names_the_empty_field(community, site_tree, english):
    board = board_ensure(community=community)
    draft = board_complete_demo_content(board.get_latest_revision_as_object())
    draft.complaint_phone_street = ""
    draft.fee_items = []
    assert missing_sections(draft) == [
        "Complaint telephones (street office telephone)",
        "Charging items and standards",
    ]
    with pytest.raises(BoardIncomplete):
        board_publish(board=board, draft=draft)


def test_a_complete_board_without_services_may_be_published(community, site_tree):
    board = board_ensure(community=community)
    draft = board_complete_demo_content(board.get_latest_revision_as_object())
    board_publish(board=board, draft=draft)
    board.refresh_from_db()
    assert board.live and board.life_services == []


# --- the public board ------------------------------------------------------------------------


def test_anyone_reads_the_board_with_its_prices(client, board):
    body = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Regular cleaning (2 hours)" in body
    assert "¥120.00" in body
    assert "Cancellation fee ¥30.00" in body
    assert "Property service fee" in body
    body = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "日常保洁（2 小时）" in body and "收费项目及标准" in body


def test_a_draft_price_is_not_shown_until_published(client, board, service, community):
    _set_price(community, service, "150.00")
    body = client.get(URL).content.decode()
    assert "¥120.00" in body and "¥150.00" not in body
    _republish(board)
    body = client.get(URL).content.decode()
    assert "¥150.00" in body and "¥120.00" not in body


def test_the_board_query_count_does_not_grow_with_services(
    client, board, provider, community, django_assert_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(15):
        product = ProductFactory(title=f"服务{n}", title_en=f"Service {n}")
        StockRecordFactory(product=product, partner=provider, community=community, price="50")
    _republish(board)
    assert "服务14" in client.get(URL).content.decode()
    assert count() == few


def test_the_board_body_is_cached_and_purged_on_publish(client, board, service, community):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(URL)
    with CaptureQueriesContext(connection) as first:
        client.get(URL)
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as uncached:
        client.get(URL)
    assert len(first.captured_queries) < len(uncached.captured_queries)

    assert client.get(URL + "board.json").json()["life_services"][0]["price"] == "120.00"
    assert client.get(URL + "board.json")["X-Board-Cache"] == "hit"
    _set_price(community, service, "125.00")
    _republish(board)
    assert "¥125.00" in client.get(URL).content.decode()
    assert client.get(URL + "board.json").json()["life_services"][0]["price"] == "125.00"


# --- change log ------------------------------------------------------------------------------


def test_the_change_log_lists_every_publication_with_its_diff(
    client, board, service, provider, community
):
    first_revision = board.live_revision_id
    _set_price(community, service, "130.00")
    newcomer = ProductFactory(title="擦玻璃", title_en="Window cleaning")
    StockRecordFactory(product=newcomer, partner=provider, community=community, price="160.00")
    draft = FeeBoardPage.objects.get(pk=board.pk).get_latest_revision_as_object()
    draft.complaint_phone_street = "010-6472 9999"
    board_publish(board=board, draft=draft)
    board.refresh_from_db()

    body = client.get(URL + "changes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))
    assert f"Revision {first_revision}" in text
    assert f"Revision {board.live_revision_id}" in text
    assert "Regular cleaning (2 hours) · Housekeeping: ¥120.00 → ¥130.00" in text
    assert "Added Window cleaning" in text and "¥160.00" in text
    assert "Updated Complaint telephones" in text
    assert "First publication" in text
    assert text.index(f"Revision {board.live_revision_id}") < text.index(
        f"Revision {first_revision}"
    )


def test_nothing_published_disappears_from_the_change_log(client, board, service, community):
    first_revision = board.live_revision_id
    _set_price(community, service, "130.00")
    _republish(board)
    _set_price(community, service, "110.00")
    StockRecord.objects.get(community=community, product=service).delete()
    _republish(board)
    # Wagtail's purge_revisions (or an admin) deletes old revisions: the log keeps them.
    Revision.objects.filter(pk=first_revision).delete()

    text = client.get(URL + "changes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert text.count('class="change-entry"') == 3
    assert f"Revision {first_revision}" in text
    assert "Removed" in text


# --- JSON and CSV ----------------------------------------------------------------------------


def test_board_json_follows_the_documented_schema(client, board, service):
    response = client.get(URL + "board.json")
    assert response["Content-Type"].startswith("application/json")
    doc = response.json()
    assert doc["schema"] == SCHEMA
    assert doc["url"] == settings.SITE_URL.rstrip("/") + URL
    assert doc["revision_id"] == board.live_revision_id
    assert doc["currency"] == "CNY"
    assert set(doc) >= {
        "community",
        "enterprise",
        "project",
        "complaint_phones",
        "service",
        "charging_items",
        "life_services",
        "staff",
        "repair",
        "maintenance_units",
        "parking",
        "public_facilities",
        "common_parts_statements",
        "maintenance_fund_uses",
    }
    assert doc["community"]["slug"] == "wangjing-garden"
    [svc] = doc["life_services"]
    assert svc == {
        "product_id": service.pk,
        "stockrecord_id": svc["stockrecord_id"],
        "upc": service.upc,
        "title": "日常保洁（2 小时）",
        "title_en": "Regular cleaning (2 hours)",
        "category_slug": "housekeeping",
        "category": "家政服务",
        "category_en": "Housekeeping",
        "unit": "次",
        "unit_en": "visit",
        "duration_minutes": 120,
        "price": "120.00",
        "cancellation_fee": "30.00",
        "currency": "CNY",
        "provider": "好帮手家政",
        "provider_en": "Haobangshou",
    }
    item = doc["charging_items"][0]
    assert set(item) == {
        "kind",
        "name",
        "name_en",
        "building_type",
        "building_type_en",
        "amount",
        "unit",
        "unit_en",
        "basis",
        "note",
    }
    assert item["basis"] in ("government", "market")


def test_board_csv_has_one_row_per_charge(client, board, service):
    response = client.get(URL + "board.csv")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert list(rows[0]) == CSV_COLUMNS
    services = [r for r in rows if r["section"] == "life_service"]
    assert services == [
        {
            "section": "life_service",
            "code": service.upc,
            "name": "日常保洁（2 小时）",
            "name_en": "Regular cleaning (2 hours)",
            "detail": "家政服务",
            "detail_en": "Housekeeping",
            "unit": "次",
            "unit_en": "visit",
            "price": "120.00",
            "cancellation_fee": "30.00",
            "basis": "market",
            "currency": "CNY",
            "revision_id": str(board.live_revision_id),
            "published_at": services[0]["published_at"],
        }
    ]
    items = [r for r in rows if r["section"] == "charging_item"]
    assert len(items) == board.fee_items.count() and items[0]["cancellation_fee"] == ""


# --- print page and QR -----------------------------------------------------------------------


def test_the_print_page_is_bilingual_and_its_qr_code_decodes_to_the_board(client, board):
    import zxingcpp

    body = client.get(URL + "print/").content.decode()
    assert "@page { size: A4" in body
    assert "收费项目及标准" in body and "Charging items and standards" in body
    assert "生活服务及价格" in body and "Life services and prices" in body
    data = re.search(r'src="data:image/png;base64,([^"]+)"', body).group(1)
    image = Image.open(io.BytesIO(b64decode(data)))
    [result] = zxingcpp.read_barcodes(image)
    assert result.text == settings.SITE_URL.rstrip("/") + URL


# --- the pages around the boards ---------------------------------------------------------------


def test_the_board_index_and_enterprise_page_link_to_the_board(client, board, enterprise):
    from cms.services import enterprise_page_ensure

    assert URL in client.get("/boards/").content.decode()
    enterprise_page_ensure(enterprise=enterprise, profile="安居物业")
    body = client.get(f"/enterprises/{enterprise.slug}/").content.decode()
    assert URL in body and "安居物业" in body


def test_the_demo_has_a_complete_published_board_per_community(db):
    call_command("seed_demo", verbosity=0)
    revisions = Revision.objects.count()
    call_command("seed_demo", verbosity=0)
    assert Revision.objects.count() == revisions  # idempotent
    boards = FeeBoardPage.objects.select_related("community")
    assert boards.count() == 4
    for board in boards:
        assert board.live and not board.has_unpublished_changes
        assert missing_sections(board) == []
        records = StockRecord.objects.filter(community=board.community)
        assert len(board.life_services) == records.count() > 0
        for record in records:
            price = published_board_price(
                community=board.community, product=record.product, stockrecord=record
            )
            assert price.amount == record.price
    assert json.loads(json.dumps(FeeBoardPage.objects.first().life_services))  # a JSON snapshot
