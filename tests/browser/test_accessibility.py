"""Every page of the resident journey, the console and the fee board, on a 360×740 phone, in
both languages and in elder mode (长辈模式): no serious or critical axe-core finding, every
target at least 44×44 px (24 px for a link inside a sentence, WCAG 2.2's floor), and one
language at a time (no text of the other language but proper names).

axe-core is vendored (tests/browser/vendor/axe.min.js, MPL-2.0, npm axe-core 4.10.3) and
injected into each page, so the test needs no network.
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
PHONE = {"width": 360, "height": 740}
DEMO_PASSWORD = "linli-demo"

# Text of the other language that a page may show: the language switch in its own language,
# the logo, file formats and card brands. Proper names (people, companies, addresses) are
# added from the data: ``proper_names``.
ALLOWED_LATIN_ON_ZH = {
    "JSON",
    "CSV",
    "English",
    "ics",
    "App",
    "Linli",
    "Stripe",
    "Visa",
    "Mastercard",
}
ALLOWED_CJK_ON_EN = {"中文", "邻"}


def proper_names() -> set[str]:
    """People's, companies' and addresses' names in the demo data: shown as written."""
    from cms.models import DutyStaff, MaintenanceUnit
    from marketplace.models import Community, User

    names = {u.get_full_name() for u in User.objects.all()}
    names |= set(DutyStaff.objects.values_list("name", flat=True))
    names |= set(MaintenanceUnit.objects.values_list("company", flat=True))
    names |= set(Community.objects.values_list("address", flat=True))
    return {n for n in names if n}


def elder_pages(pages):
    """Elder mode changes sizes, not markup: the pages with the most controls suffice."""
    return [p for p in pages if "catalogue" in p or "/appointments/" in p]


def axe_findings(page) -> list[str]:
    """The page's serious and critical axe-core violations, one line each (rule: targets)."""
    # Evaluated through the DevTools protocol, not as an inline <script>: the site's CSP (which
    # the browser_page fixture checks) would refuse an inline tag.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    found = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ['violations']});
          return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(' | '));
        }"""
    )
    return found


def small_targets(page, size: int = 44) -> list[str]:
    """Visible controls smaller than ``size`` px either way; a link inside a sentence (inline, in
    a paragraph, list item or cell) is held to WCAG 2.2's 24 px floor instead."""
    return page.evaluate(
        """size => [...document.querySelectorAll(
              'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]')]
          .filter(e => {
            const r = e.getBoundingClientRect();
            if (!r.width || !r.height || getComputedStyle(e).visibility === 'hidden') return false;
            if (e.closest('.skip-link')) return false;
            const inline = e.tagName === 'A' && getComputedStyle(e).display === 'inline'
                           && e.closest('p, li, dd, td, th, small, label');
            const floor = inline ? 24 : size;
            const box = (e.type === 'checkbox' || e.type === 'radio') && e.labels && e.labels[0]
                        ? e.labels[0].getBoundingClientRect() : r;
            return Math.round(box.height) < floor || (!inline && Math.round(r.width) < 24);
          })
          .map(e => e.tagName + ' "' + (e.innerText || e.value || e.name || '').trim().slice(0, 30)
                    + '" ' + Math.round(e.getBoundingClientRect().width) + 'x'
                    + Math.round(e.getBoundingClientRect().height))""",
        size,
    )


def other_language(page, lang: str, names: set[str]) -> list[str]:
    """Words of the other language in the page's visible text (proper names allowed)."""
    # Text people wrote (reviews, their names, a repair's place) is marked translate="no" and
    # shown as written: left out, like proper names.
    visible = page.evaluate(
        """() => {
          const own = [...document.querySelectorAll('[translate=no]')];
          const shown = own.map(e => e.style.display);
          own.forEach(e => { e.style.display = 'none'; });
          const text = document.body.innerText;
          own.forEach((e, i) => { e.style.display = shown[i]; });
          return text;
        }"""
    )
    text = re.sub(r"\S+@\S+", " ", visible)  # email addresses
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    if lang == "en":
        return sorted(set(re.findall(r"[\u4e00-\u9fff]+", text)) - ALLOWED_CJK_ON_EN)
    words = set(re.findall(r"\b[A-Za-z]{3,}\b", text)) - ALLOWED_LATIN_ON_ZH
    return sorted(words)


def _set_language(page, lang):
    """Use the header's language switch (one button: the other language)."""
    other = page.get_by_role("button", name="English" if lang == "en" else "中文")
    if other.count():
        with page.expect_navigation():
            other.click()


def _set_elder(page, on: bool):
    toggle = page.locator(".linli-elder-toggle")
    if (toggle.get_attribute("aria-pressed") == "true") != on:
        with page.expect_navigation():
            toggle.click()
    assert ("linli-elder" in (page.locator("html").get_attribute("class") or "")) == on


def _check(page, url, lang, elder, problems, names):
    page.goto(url)
    page.wait_for_load_state()
    name = f"{lang}{' elder' if elder else ''} {url}"
    problems.extend(f"{name} axe {f}" for f in axe_findings(page))
    problems.extend(f"{name} target {t}" for t in small_targets(page))
    if not elder:  # elder mode shows the same words, fewer of them
        problems.extend(f"{name} language {w}" for w in other_language(page, lang, names))


@pytest.mark.parametrize("browser_page", [PHONE], indirect=True)
def test_every_page_is_accessible_on_a_phone_in_both_languages_and_elder_mode(
    browser_page, _playwright_browser, live_server
):
    call_command("seed_demo", verbosity=0)
    names = proper_names()
    page = browser_page
    page.goto("/shop/catalogue/")
    service_url = page.locator("article.product_pod h2 a").first.get_attribute("href")
    login(page, "resident@linli.demo", DEMO_PASSWORD)
    page.goto("/shop/accounts/appointments/")
    appointment_url = page.locator("a[href*='/shop/accounts/appointments/'][href$='/']").filter(
        has_not_text=re.compile("^$")
    )
    detail = [
        h
        for h in appointment_url.evaluate_all("links => links.map(a => a.getAttribute('href'))")
        if re.search(r"/appointments/\d+/$", h)
    ][0]
    resident_pages = [
        "/",
        "/shop/catalogue/",
        service_url,
        "/boards/wangjing-garden/",
        "/shop/accounts/",
        "/shop/accounts/appointments/",
        detail,
        "/shop/accounts/households/",
        "/shop/accounts/preferences/",
    ]
    problems: list[str] = []
    for lang in ("zh-hans", "en"):
        for elder in (False, True):
            page.goto("/")
            _set_language(page, lang)
            _set_elder(page, elder)
            for url in resident_pages if not elder else elder_pages(resident_pages):
                _check(page, url, lang, elder, problems, names)

    worker = _playwright_browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        console = worker.new_page()
        login(console, "worker@linli.demo", DEMO_PASSWORD)
        for lang in ("zh-hans", "en"):
            console.goto("/provider/")
            _set_language(console, lang)
            for elder in (False, True):
                _set_elder(console, elder)
                _check(console, "/provider/", lang, elder, problems, names)
    finally:
        worker.close()
    assert problems == [], "\n".join(problems)
