"""A visitor's service page is a shared page (``marketplace.page_cache``): no per-visitor token or
key, its times are GET forms to the login that come back to the chosen time, and a booking, a
price, a board or a review shows on the next view."""

from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client

from bookings.availability.search import available_slots
from feedback.ratings.cache import reviews_changed
from tests.cms.support import publish_board

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(service, published_board, worker):
    """The service page's URL, with free times (``worker`` works 08:00–18:00 daily)."""
    return service.get_absolute_url()


def _visitor(community) -> Client:
    visitor = Client(enforce_csrf_checks=True)
    visitor.get("/community/", {"community": community.pk, "next": "/shop/catalogue/"})
    return visitor


def test_a_visitors_service_page_is_one_shared_copy_without_token_or_key(page, community):
    stored = _visitor(community).get(page)
    assert stored.status_code == 200 and "X-Page-Cache" not in stored
    response = _visitor(community).get(page)
    assert response["X-Page-Cache"] == "hit" and response.content == stored.content
    body = response.content.decode()
    assert 'class="btn btn-outline-primary btn-sm linli-slot' in body  # the times are shown
    assert "csrfmiddlewaretoken" not in body and 'name="key"' not in body
    assert 'method="post"' not in body and 'data-nonce=""' in body
    assert "public" in response["Cache-Control"] and "csrftoken" not in response.cookies


def test_a_visitors_time_leads_to_the_login_and_back_to_that_time(
    page, community, service, resident
):
    visitor = _visitor(community)
    body = visitor.get(page).content.decode()
    start = body.split('data-start="', 1)[1].split('"', 1)[0]
    assert 'action="/shop/book/login/"' in body
    login = visitor.get("/shop/book/login/", {"product": service.pk, "start": start})
    assert login.status_code == 302
    location = urlsplit(login["Location"])
    back = parse_qs(location.query)["next"][0]
    assert "/accounts/login/" in location.path
    assert back == f"{page}?{urlencode({'slot': start})}"
    visitor.force_login(resident)
    chosen = visitor.get(back)
    assert "X-Page-Cache" not in chosen and "private" in chosen["Cache-Control"]
    assert f'linli-slot active" data-start="{start}"' in chosen.content.decode()
    # Signed in, the same link goes straight back to the time.
    again = visitor.get("/shop/book/login/", {"product": service.pk, "start": start})
    assert again["Location"] == back


def test_a_signed_in_resident_never_gets_the_visitors_copy(page, community, client, resident):
    visitor = _visitor(community)
    visitor.get(page)
    assert visitor.get(page)["X-Page-Cache"] == "hit"
    client.force_login(resident)
    response = client.get(page)
    body = response.content.decode()
    assert "X-Page-Cache" not in response and "private" in response["Cache-Control"]
    assert 'method="post" action="/shop/book/"' in body and 'name="key"' in body


def test_a_booking_that_takes_a_time_shows_on_the_next_view(page, community, service, book):
    visitor = _visitor(community)
    visitor.get(page)
    assert visitor.get(page)["X-Page-Cache"] == "hit"
    record = service.stockrecords.get(community=community)
    first = available_slots(product=service, stockrecord=record, community=community)[0]
    book(first.start)
    response = visitor.get(page)
    assert "X-Page-Cache" not in response
    assert f'data-start="{first.local_start.isoformat()}"' not in response.content.decode()
    assert visitor.get(page)["X-Page-Cache"] == "hit"  # stored again


def test_a_price_publication_or_a_review_shows_on_the_next_view(page, community, service):
    visitor = _visitor(community)
    visitor.get(page)
    assert "¥120.00" in visitor.get(page).content.decode()
    record = service.stockrecords.get(community=community)
    record.price = Decimal("135.00")
    record.save()
    publish_board(community)
    response = visitor.get(page)
    assert "X-Page-Cache" not in response and "¥135.00" in response.content.decode()
    assert visitor.get(page)["X-Page-Cache"] == "hit"
    reviews_changed()  # what a rating's save or delete sends
    assert "X-Page-Cache" not in visitor.get(page)
