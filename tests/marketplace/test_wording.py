"""Chinese text reads as Chinese: full-width colons (never an ASCII colon against Chinese, in the
catalogues or where a template joins a label to a value), no stray spaces between Chinese
characters, 登录 (never Oscar's 登陆), and Oscar's strings our pages use translated."""

import re
from pathlib import Path

import oscar
import pytest
from django.conf import settings
from django.core.paginator import Paginator
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from tests.marketplace.test_translations import CATALOGUES, _entries

BASE = Path(settings.BASE_DIR)
TEMPLATES = sorted(
    p
    for p in BASE.glob("**/templates/**/*.html")
    if ".venv" not in p.parts and "var" not in p.parts
)
CJK = "\u4e00-\u9fff"
# A translated label followed by an ASCII colon and the value: "{% trans "Refunds" %}: …".
LABEL_THEN_COLON = re.compile(
    r'(\{% trans "[^"]*"(?: context "[^"]*")? %\}|\{% endblocktrans %\}): '
)
COLON_AGAINST_CHINESE = re.compile(rf"[{CJK}]:|:[{CJK}]")
SPACE_BETWEEN_CHINESE = re.compile(rf"[{CJK}] +[{CJK}]")
# Examples of addresses, written as residents write them ("3号楼 2层 电梯厅").
ADDRESS_EXAMPLES = {"公共区域请填写楼栋、楼层和具体位置，例如：3号楼 2层 电梯厅。"}


def test_there_are_templates():
    assert any(p.name == "appointment_detail.html" for p in TEMPLATES)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(BASE)))
def test_no_template_joins_a_translated_label_to_its_value_with_an_ascii_colon(path):
    assert LABEL_THEN_COLON.findall(path.read_text(encoding="utf-8")) == []


def test_the_colon_tag_is_the_languages_own():
    template = Template('{% load i18n linli_text %}{% trans "Status" %}{% colon %}x')
    with translation.override("zh-hans"):
        assert template.render(Context()).endswith("：x")
    with translation.override("en"):
        assert template.render(Context()) == "Status: x"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(BASE)))
def test_chinese_translations_use_full_width_colons_and_no_stray_spaces(po_path):
    bad = []
    for _msgid, msgstr, _fuzzy in _entries(po_path):
        if COLON_AGAINST_CHINESE.search(msgstr) and "://" not in msgstr:
            bad.append(msgstr)
        if SPACE_BETWEEN_CHINESE.search(msgstr) and msgstr not in ADDRESS_EXAMPLES:
            bad.append(msgstr)
    assert bad == []


def _oscar_msgids_with(word: str) -> list[str]:
    po = Path(oscar.__file__).parent / "locale/zh_Hans/LC_MESSAGES/django.po"
    return [msgid for msgid, msgstr, _ in _entries(po) if word in msgstr]


def test_log_in_is_never_written_deng_lu_with_the_wrong_character():
    msgids = _oscar_msgids_with("登陆")
    assert msgids, "Oscar's catalogue no longer says 登陆: this test can go"
    with translation.override("zh-hans"):
        assert [m for m in msgids if "登陆" in translation.gettext(m)] == []


def test_the_pager_says_which_page_in_the_pages_language():
    request = RequestFactory().get("/shop/accounts/orders/")
    paginator = Paginator(list(range(30)), 20)
    context = {"paginator": paginator, "page_obj": paginator.page(1), "request": request}
    with translation.override("zh-hans"):
        page = render_to_string("oscar/partials/pagination.html", context)
    assert "第 1 页，共 2 页" in page and "下一页" in page and "Page" not in page
    with translation.override("en"):
        page = render_to_string("oscar/partials/pagination.html", context)
    assert "Page 1 of 2" in page and "Next page" in page


def test_a_price_unit_reads_as_a_pricing_unit_and_a_building_unit_as_a_unit():
    from django.apps import apps

    with translation.override("zh-hans"):
        labels = {
            model._meta.label: str(field.verbose_name)
            for model in apps.get_models()
            for field in model._meta.fields
            if field.name == "unit"
        }
    assert labels.pop("marketplace.Household") == "单元"
    assert labels.pop("marketplace.HistoricalHousehold") == "单元"  # its change history
    assert labels and set(labels.values()) == {"计价单位"}, labels
