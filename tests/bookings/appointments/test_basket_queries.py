"""Adding a service to the basket: the same queries however many lines the basket holds, and
the same service at the same time still refused once it is there."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support import local

pytestmark = pytest.mark.django_db


def _add(client, product, start):
    return client.post(f"/shop/services/{product.pk}/basket/", {"start": start.isoformat()})


def _queries_to_add(client, product, start) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert _add(client, product, start).status_code == 302
    return len(queries)


def test_an_add_costs_no_query_per_line_already_in_the_basket(client, resident, service, worker):
    client.force_login(resident)
    assert _add(client, service, local(2, 9)).status_code == 302
    with_one = _queries_to_add(client, service, local(3, 9))
    assert _add(client, service, local(4, 9)).status_code == 302
    assert _add(client, service, local(5, 9)).status_code == 302
    with_four = _queries_to_add(client, service, local(6, 9))
    assert with_four == with_one
    # The same service at a time already in the basket is still refused, nothing added.
    again = client.post(
        f"/shop/services/{service.pk}/basket/",
        {"start": local(3, 9).isoformat()},
        HTTP_ACCEPT="application/json",
    )
    assert again.status_code == 400
    assert resident.baskets.get(status="Open").num_lines == 5
