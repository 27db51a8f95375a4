"""A fee board's public pages: the board and its cache, the change log, the print page and its QR
code, and the pages that link to the board."""

import io
import re
from base64 import b64decode
from decimal import Decimal
from pathlib import Path

import zxingcpp
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from wagtail.models import Revision

from cms.models import FeeBoardPage
from cms.services import board_publish, enterprise_page_ensure
from marketplace.partner.models import StockRecord
from tests.factories import ProductFactory, StockRecordFactory

URL = "/boards/wangjing-garden/"


def _set_price(community, product, amount):
    record = StockRecord.objects.get(community=community, product=product)
    record.price = Decimal(amount)
    record.save()


def _republish(board):
    board_publish(board=FeeBoardPage.objects.get(pk=board.pk))


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
    client.get(URL)
    with CaptureQueriesContext(connection) as first:
        client.get(URL)

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


# --- print page and QR -----------------------------------------------------------------------


def test_the_print_page_is_bilingual_and_its_qr_code_decodes_to_the_board(client, board):
    body = client.get(URL + "print/").content.decode()
    # An A4 page, from the print style sheet (static, as the CSP asks: no inline styles).
    assert "cms/board_print.css" in body
    sheet = finders.find("cms/board_print.css")
    assert "@page { size: A4" in Path(sheet).read_text(encoding="utf-8")
    assert "收费项目及标准" in body and "Charging items and standards" in body
    assert "生活服务及价格" in body and "Life services and prices" in body
    data = re.search(r'src="data:image/png;base64,([^"]+)"', body).group(1)
    image = Image.open(io.BytesIO(b64decode(data)))
    [result] = zxingcpp.read_barcodes(image)
    assert result.text == settings.SITE_URL.rstrip("/") + URL


# --- the pages around the boards ---------------------------------------------------------------


def test_the_board_index_and_enterprise_page_link_to_the_board(client, board, enterprise):
    assert URL in client.get("/boards/").content.decode()
    enterprise_page_ensure(enterprise=enterprise, profile="安居物业")
    body = client.get(f"/enterprises/{enterprise.slug}/").content.decode()
    assert URL in body and "安居物业" in body
