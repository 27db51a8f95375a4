"""Every page of the resident journey, the console and the fee board, on a 360×740 phone, in
both languages and in elder mode (长辈模式): no serious or critical axe-core finding, every
target at least 44×44 px (24 px for a link inside a sentence, WCAG 2.2's floor), no sideways
scrolling, none of Bootstrap's default blue, and one language at a time (no text of the other
language but proper names).
Then the resident's journey on that phone: from a time on the service page, through the login
it needs, back to that time, booked in one click, to the appointment's board revision.

axe-core is vendored (tests/browser/vendor/axe.min.js, MPL-2.0, npm axe-core 4.10.3) and
injected into each page, so the test needs no network.

``LINLI_A11Y_SHOTS=<folder>`` keeps a full-page screenshot of every page checked (and of each
step of the journey) in that folder, named ``<language>[-elder]-<page>.png``: what a person
looks at before trusting the numbers.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.bookings.factories import WorkerFactory
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
PHONE = {"width": 360, "height": 740}
DEMO_PASSWORD = "linli-demo"
SHOTS = os.environ.get("LINLI_A11Y_SHOTS", "")
LANGUAGES = ["zh-hans", "en"]

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


def sideways(page) -> list[str]:
    """The page's width beyond the phone's, and what sticks out (empty if it does not scroll
    sideways): a resident should never have to pan to read a line."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const scroll = document.scrollingElement.scrollWidth;
          if (scroll <= width) return [];
          const wide = [...document.body.querySelectorAll('*')].filter(e => {
            const r = e.getBoundingClientRect();
            return r.width && r.right > width + 1 && !e.closest('[data-scrolls], .table-responsive');
          }).slice(-3).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.')
                                + ' right=' + Math.round(e.getBoundingClientRect().right));
          return ['scrollWidth ' + scroll + ' > ' + width, ...wide];
        }"""
    )


def bootstrap_blue(page) -> list[str]:
    """Elements drawn in Bootstrap's default blues (text, background or border): the theme
    (marketplace/static/linli/linli.css) should have replaced every one."""
    return page.evaluate(
        """() => {
          const blues = ['rgb(0, 123, 255)', 'rgb(0, 105, 217)', 'rgb(0, 98, 204)', 'rgb(0, 86, 179)'];
          return [...document.body.querySelectorAll('*')].filter(e => {
            const s = getComputedStyle(e);
            return [s.color, s.backgroundColor, s.borderTopColor].some(c => blues.includes(c));
          }).slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.'));
        }"""
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


def shoot(page, name: str) -> None:
    """A full-page screenshot into ``LINLI_A11Y_SHOTS`` (nothing when it is not set)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _slug(url: str) -> str:
    return re.sub(r"[^a-z]+", "-", re.sub(r"\d+", "n", url.lower())).strip("-") or "home"


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
    """Open ``url`` and add what is wrong with it to ``problems``: axe, targets, width, words."""
    page.goto(url)
    page.wait_for_load_state()
    name = f"{lang}{' elder' if elder else ''} {url}"
    problems.extend(f"{name} axe {f}" for f in axe_findings(page))
    problems.extend(f"{name} target {t}" for t in small_targets(page))
    problems.extend(f"{name} width {w}" for w in sideways(page))
    problems.extend(f"{name} blue {b}" for b in bootstrap_blue(page))
    problems.extend(f"{name} language {w}" for w in other_language(page, lang, names))
    shoot(page, f"{lang}{'-elder' if elder else ''}-{_slug(url)}")


def _phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(15_000)
    return context


def _resident_pages(page) -> list[str]:
    """The resident's pages: home, catalogue, a service, the fee board, an appointment and every
    page of the account menu (read from the menu, so a new account page is checked too)."""
    page.goto("/shop/catalogue/")
    service_url = page.locator("article.product_pod h2 a").first.get_attribute("href")
    page.goto("/shop/accounts/appointments/")
    links = page.locator("a[href*='/shop/accounts/appointments/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    detail = next(h for h in links if re.search(r"/appointments/\d+/$", h))
    account = page.locator("nav.linli-subnav a[href]").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(account) >= 10, account  # appointments … complaints, homes, cards, profile …
    return ["/", "/shop/catalogue/", service_url, "/boards/wangjing-garden/", detail, *account]


@pytest.mark.parametrize("elder", [False, True], ids=["plain", "elder"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_resident_page_is_accessible_on_a_phone(
    _playwright_browser, live_server, lang, elder
):
    call_command("seed_demo", verbosity=0)
    names = proper_names()
    context = _phone(_playwright_browser, live_server)
    try:
        page = context.new_page()
        login(page, "resident@linli.demo", DEMO_PASSWORD)
        pages = _resident_pages(page)
        page.goto("/")
        _set_language(page, lang)
        _set_elder(page, elder)
        problems: list[str] = []
        for url in pages:
            _check(page, url, lang, elder, problems, names)
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_console_and_dispatch_board_are_accessible_on_a_phone(
    _playwright_browser, live_server, lang
):
    """The worker's home and the manager's dispatch board, plain and in elder mode."""
    call_command("seed_demo", verbosity=0)
    names = proper_names()
    problems: list[str] = []
    for email, url in (
        ("worker@linli.demo", "/provider/"),
        ("manager@linli.demo", "/provider/dispatch/"),
    ):
        context = _phone(_playwright_browser, live_server)
        try:
            page = context.new_page()
            login(page, email, DEMO_PASSWORD)
            page.goto(url)
            _set_language(page, lang)
            for elder in (False, True):
                _set_elder(page, elder)
                _check(page, url, lang, elder, problems, names)
        finally:
            context.close()
    assert problems == [], "\n".join(problems)


# --- the resident's journey on a phone -----------------------------------------------------

JOURNEY = {
    "zh-hans": {"why": "请先登录再预约这个时间", "confirmed": "已确认", "revision": "查看该版公示"},
    "en": {
        "why": "Please log in to book this time",
        "confirmed": "Confirmed",
        "revision": "See that revision",
    },
}


@pytest.fixture
def housekeeper(provider, community, service, published_board):
    """The only worker for ``service`` (priced on the published board): 08:00–18:00 daily."""
    return WorkerFactory(provider=provider, skills=[service.product_class], communities=[community])


def _fits(page, step: str, lang: str):
    """No sideways scrolling on the phone; the step's screenshot is kept when asked."""
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= PHONE["width"], (
        f"{step} scrolls sideways: {sideways(page)}"
    )
    assert bootstrap_blue(page) == [], f"{step} shows Bootstrap's blue"
    shoot(page, f"{lang}-journey-{step}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_resident_books_on_a_phone_from_a_time_through_login_to_the_board_revision(
    _playwright_browser, live_server, lang, resident, community, service, housekeeper
):
    text = JOURNEY[lang]
    context = _phone(_playwright_browser, live_server)
    try:
        page = context.new_page()
        page.goto("/")
        _set_language(page, lang)
        # A visitor chooses their community in the header, then opens the service.
        with page.expect_navigation():
            page.locator("#community-select").select_option(str(community.pk))
        page.goto(service.get_absolute_url())
        first = page.locator("button.linli-slot").first
        box = first.bounding_box()
        assert box is not None and box["y"] < PHONE["height"], (
            f"the first free time is at {box} px, below the first screen"
        )
        _fits(page, "service", lang)

        # A time needs a login: the login page says why, and brings the resident back to it.
        start = first.get_attribute("data-start")
        first.click()
        page.wait_for_url(re.compile(r"/accounts/login/"))
        expect(page.locator("body")).to_contain_text(text["why"])
        _fits(page, "login", lang)
        page.fill("#id_login-username", resident.email)
        page.fill("#id_login-password", "pw-linli-test")
        page.click("button[name=login_submit]")
        page.wait_for_url(re.compile(re.escape(service.get_absolute_url())))
        chosen = page.locator(f'button.linli-slot.active[data-start="{start}"]')
        expect(chosen).to_have_count(1)
        _fits(page, "chosen", lang)

        # One click books it (pay after the service: no card saved) and shows the appointment,
        # with the fee board revision its price came from and a link to that revision.
        chosen.click()
        expect(page.locator("#appointment-status")).to_have_text(text["confirmed"])
        revision = page.locator("#appointment-board-revision")
        expect(revision).to_be_visible()
        _fits(page, "appointment", lang)
        link = revision.get_by_role("link", name=text["revision"])
        anchor = link.get_attribute("href").split("#")[1]
        link.click()
        page.wait_for_url(re.compile(r"/changes/"))
        expect(page.locator(f"#{anchor}")).to_be_visible()
        _fits(page, "board-revision", lang)
    finally:
        context.close()
