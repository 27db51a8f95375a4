"""The benchmark dataset's older appointments: a year of history behind the coming weeks, written
in PostgreSQL with ``INSERT ... SELECT`` (the 1,000,000-appointment mode of ``seed_scale``).

``appointments_create`` writes the recent weeks row by row from Python (one appointment per
worker per day, 70 past and up to 30 coming days). A bigger dataset grows where a real one
grows: in the past. ``history_top_up`` adds appointments on the days *before* the earliest
scale appointment, three a day per worker (08:00, 11:30 and 15:00 local time; a service lasts
at most 180 minutes and the travel buffer is 15, so they never overlap and end by 18:15 inside
the workers' 08:00-20:00 hours), going back as far as it takes. Each has its Oscar order and
line like the others: a service of the worker's kind priced in the worker's community (its
duration from ``frame.DURATIONS``) for a resident of that community, 92 % completed, 7 %
cancelled and 1 % no-shows. The choices are a hash of (worker, day, slot), so the same dataset
makes the same history.

The coming weeks (what the slot search, a booking and the console read) stay as they were: the
1M dataset differs from the 100k one by its history, which is what every index has to cope with.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from oscar.apps.order.models import Line, Order

from bookings.models import Appointment, Worker
from marketplace.catalogue.models import Product, ProductClass
from marketplace.models import Household
from marketplace.partner.models import Partner, StockRecord
from marketplace.policy import TRAVEL_BUFFER
from marketplace.scale.frame import DURATIONS, Say

#: The number prefix of every scale order (``SC00000001``); how scale appointments are told
#: apart from the ones the benchmarks book.
ORDER_PREFIX = "SC"
#: Local start times of the three history appointments of a worker's day, in minutes.
HISTORY_STARTS = (8 * 60, 11 * 60 + 30, 15 * 60)
#: Email domain of the scale workers (``frame.workers_create``).
WORKER_DOMAIN = "@workers.scale.linli"


def scale_appointment_count() -> int:
    """How many appointments the scale dataset has (the ones with a scale order)."""
    return Appointment.objects.filter(order__number__startswith=ORDER_PREFIX).count()


def _tables() -> dict:
    """The table names the SQL below reads and writes, from the models."""
    return {
        "appointment": Appointment._meta.db_table,
        "order": Order._meta.db_table,
        "line": Line._meta.db_table,
        "worker": Worker._meta.db_table,
        "worker_communities": Worker.communities.through._meta.db_table,
        "worker_skills": Worker.skills.through._meta.db_table,
        "user": Worker._meta.get_field("user").related_model._meta.db_table,
        "stockrecord": StockRecord._meta.db_table,
        "product": Product._meta.db_table,
        "productclass": ProductClass._meta.db_table,
        "partner": Partner._meta.db_table,
        "household": Household._meta.db_table,
    }


#: The plan of the history: one row per appointment to write, with everything its order, line
#: and appointment need. ``%(...)s`` are parameters, ``{...}`` table names.
PLAN_SQL = """
CREATE TEMP TABLE scale_history ON COMMIT DROP AS
WITH w AS (
    SELECT DISTINCT ON (wk.id) wk.id AS worker_id, wc.community_id, ws.productclass_id
    FROM {worker} wk
    JOIN {user} u ON u.id = wk.user_id AND u.email LIKE %(worker_email)s
    JOIN {worker_communities} wc ON wc.worker_id = wk.id
    JOIN {worker_skills} ws ON ws.worker_id = wk.id
    ORDER BY wk.id, wc.community_id, ws.productclass_id
), svc AS (
    SELECT sr.community_id, p.product_class_id, array_agg(sr.id ORDER BY sr.id) AS records
    FROM {stockrecord} sr JOIN {product} p ON p.id = sr.product_id
    WHERE sr.partner_sku LIKE %(sku)s
    GROUP BY 1, 2
), hh AS (
    SELECT community_id, array_agg(id ORDER BY id) AS households
    FROM {household} WHERE is_default GROUP BY 1
), pw AS (
    SELECT w.worker_id, w.community_id, svc.records, hh.households,
           row_number() OVER (ORDER BY w.worker_id) - 1 AS n,
           count(*) OVER () AS nw
    FROM w
    JOIN svc ON svc.community_id = w.community_id AND svc.product_class_id = w.productclass_id
    JOIN hh ON hh.community_id = w.community_id
), slots AS (
    SELECT pw.worker_id, pw.community_id, pw.records, pw.households,
           %(first_day)s::date - (1 + k / 3)::int AS day, (k %% 3)::int AS slot
    FROM pw
    CROSS JOIN LATERAL generate_series(
        0, %(extra)s / pw.nw + (CASE WHEN pw.n < %(extra)s %% pw.nw THEN 1 ELSE 0 END) - 1
    ) AS k
), picked AS (
    SELECT s.worker_id, s.day, s.slot,
           s.records[1 + abs(hashtext(s.worker_id || ':' || s.day || ':' || s.slot)::bigint)
                     %% cardinality(s.records)] AS stockrecord_id,
           s.households[1 + abs(hashtext('r' || s.worker_id || ':' || s.day || ':' || s.slot)
                                ::bigint) %% cardinality(s.households)] AS household_id,
           abs(hashtext('s' || s.worker_id || ':' || s.day || ':' || s.slot)::bigint) %% 100
               AS dice
    FROM slots s
)
SELECT %(prefix)s || lpad(
           (%(base)s + row_number() OVER (ORDER BY p.day, p.slot, p.worker_id))::text, 8, '0'
       ) AS number,
       p.worker_id, p.stockrecord_id, p.household_id,
       hh.user_id, hh.community_id, sr.product_id, sr.partner_id, sr.partner_sku, sr.price,
       pa.name AS partner_name, pr.title, pr.upc,
       CASE WHEN p.dice < 92 THEN 'completed' WHEN p.dice < 99 THEN 'cancelled'
            ELSE 'no_show' END AS status,
       CASE WHEN p.dice < 92 THEN 'Completed' ELSE 'Cancelled' END AS order_status,
       ((p.day + make_interval(mins => (%(starts)s::int[])[1 + p.slot]))
           AT TIME ZONE %(tz)s) AS start,
       ((p.day + make_interval(mins => (%(starts)s::int[])[1 + p.slot]
                                       + COALESCE((%(durations)s::jsonb ->> pc.slug)::int, 60)))
           AT TIME ZONE %(tz)s) AS "end"
FROM picked p
JOIN {stockrecord} sr ON sr.id = p.stockrecord_id
JOIN {product} pr ON pr.id = sr.product_id
JOIN {productclass} pc ON pc.id = pr.product_class_id
JOIN {partner} pa ON pa.id = sr.partner_id
JOIN {household} hh ON hh.id = p.household_id
"""

ORDERS_SQL = """
INSERT INTO {order} (number, user_id, currency, total_incl_tax, total_excl_tax,
    shipping_incl_tax, shipping_excl_tax, shipping_method, shipping_code, status, guest_email,
    date_placed, analytics_tracked)
SELECT number, user_id, 'CNY', price, price, 0, 0, 'No shipping required',
       'no-shipping-required', order_status, '', start - interval '2 days', false
FROM scale_history ORDER BY number
"""

LINES_SQL = """
INSERT INTO {line} (order_id, partner_id, partner_name, partner_sku, partner_line_reference,
    partner_line_notes, stockrecord_id, product_id, title, upc, quantity, line_price_incl_tax,
    line_price_excl_tax, line_price_before_discounts_incl_tax,
    line_price_before_discounts_excl_tax, unit_price_incl_tax, unit_price_excl_tax, status,
    num_allocated, allocation_cancelled)
SELECT o.id, h.partner_id, h.partner_name, h.partner_sku, '', '', h.stockrecord_id,
       h.product_id, h.title, h.upc, 1, h.price, h.price, h.price, h.price, h.price, h.price,
       h.order_status, 0, false
FROM scale_history h JOIN {order} o ON o.number = h.number ORDER BY o.id
"""

APPOINTMENTS_SQL = """
INSERT INTO {appointment} (resident_id, household_id, community_id, product_id, stockrecord_id,
    order_id, line_id, worker_id, start, "end", busy_until, status, price, cancellation_fee,
    fees_due, moved_late, payment_method, created, updated)
SELECT h.user_id, h.household_id, h.community_id, h.product_id, h.stockrecord_id, o.id, l.id,
       h.worker_id, h.start, h."end", h."end" + %(buffer)s, h.status, h.price, 20.00, 0.00,
       false, 'after_service', h.start - interval '2 days', h."end"
FROM scale_history h
JOIN {order} o ON o.number = h.number
JOIN {line} l ON l.order_id = o.id
ORDER BY h.start, h.worker_id
"""


def _first_scale_day(cursor, tables: dict):
    """The local date of the earliest scale appointment, or today's when there is none."""
    cursor.execute(
        f"SELECT min((a.start AT TIME ZONE %s)::date) FROM {tables['appointment']} a "
        f"JOIN {tables['order']} o ON o.id = a.order_id WHERE o.number LIKE %s",
        [settings.TIME_ZONE, ORDER_PREFIX + "%"],
    )
    return cursor.fetchone()[0] or timezone.localdate()


def _last_scale_number(cursor, tables: dict) -> int:
    """The highest number of a scale order (``SC00100000`` -> 100000), 0 when there is none."""
    cursor.execute(
        f"SELECT max(substring(number FROM %s)::bigint) FROM {tables['order']} "
        "WHERE number LIKE %s",
        [len(ORDER_PREFIX) + 1, ORDER_PREFIX + "%"],
    )
    return cursor.fetchone()[0] or 0


@transaction.atomic
def history_top_up(total: int, *, say: Say) -> int:
    """Add past appointments (see the module) until the scale dataset has ``total``; a no-op
    when it has that many already. Returns how many were added (0 also when no scale worker
    has both a priced service of its kind and residents in its community). PostgreSQL only."""
    have = scale_appointment_count()
    extra = total - have
    if extra <= 0:
        return 0
    tables = _tables()
    with connection.cursor() as cursor:
        first_day = _first_scale_day(cursor, tables)
        params = {
            "worker_email": "%" + WORKER_DOMAIN,
            "sku": ORDER_PREFIX + "-%",
            "first_day": first_day,
            "extra": extra,
            "prefix": ORDER_PREFIX,
            "base": _last_scale_number(cursor, tables),
            "starts": list(HISTORY_STARTS),
            "durations": json.dumps(DURATIONS),
            "tz": settings.TIME_ZONE,
            "buffer": TRAVEL_BUFFER,
        }
        cursor.execute(PLAN_SQL.format(**tables), params)
        cursor.execute("ANALYZE scale_history")
        cursor.execute("SELECT count(*), min(start), max(start) FROM scale_history")
        planned, earliest, latest = cursor.fetchone()
        say(f"planned {planned} past appointments from {earliest:%Y-%m-%d} to {latest:%Y-%m-%d}")
        cursor.execute(ORDERS_SQL.format(**tables))
        say(f"{cursor.rowcount} orders")
        cursor.execute(LINES_SQL.format(**tables))
        say(f"{cursor.rowcount} order lines")
        cursor.execute(APPOINTMENTS_SQL.format(**tables), params)
        added = cursor.rowcount
        say(f"{added} appointments (now {have + added})")
    return added
