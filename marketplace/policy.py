"""Every policy number of Linli in one place (DESIGN.md, "Flows"), so a change of policy is a
one-line edit. Durations are ``timedelta``; counts are plain ints.

Every app may import this module (it imports nothing of Linli's): bookings, payments and the
provider console read their windows, horizons and timeouts here.
"""

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

# --- time ---------------------------------------------------------------------------------

#: Workers' hours and slot boundaries are reckoned in the communities' local time.
LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)

# --- the booking window and slots ----------------------------------------------------------

#: Time a worker needs between two jobs; part of the range the database refuses to overlap.
TRAVEL_BUFFER = timedelta(minutes=15)
#: Slots start on the hour and half hour (local time).
SLOT_STEP = timedelta(minutes=30)
#: A slot must start at least this long after the booking.
MINIMUM_NOTICE = timedelta(hours=2)
#: And at most this long after it.
HORIZON = timedelta(days=30)
#: A service whose product lacks a ``duration_minutes`` attribute takes this long.
DEFAULT_DURATION = timedelta(minutes=60)
#: The service page shows the free times of this many days that have any.
DAYS_SHOWN = 4
#: After a refusal (409), the next free times of this many days are offered.
DAYS_OFFERED_AFTER_REFUSAL = 5
#: The resident's date picker covers at most this many days at once.
MAX_PICKER_DAYS = 31
#: A hold whose payment was never finished frees its worker after this long.
ABANDONED_HOLD_AFTER = timedelta(minutes=30)

# --- changes and fees ----------------------------------------------------------------------

#: Cancelling or rescheduling this long (or longer) before the start is free.
FREE_CHANGE_BEFORE = timedelta(hours=24)

# --- payments (Stripe: an uncaptured authorisation lapses) ----------------------------------

#: How long an off-session card authorisation can be captured: Visa's merchant-initiated window,
#: the shortest of the card-not-present windows, is "4 days and 18 hours"
#: (https://docs.stripe.com/payments/place-a-hold-on-a-payment-method#auth-capture-limitations;
#: Mastercard, Amex, Discover: 7 days). Our authorisations are confirmed off-session.
AUTHORISATION_VALIDITY = timedelta(days=4, hours=18)
#: A job is captured at most this long after its start: the longest service, the completion or
#: no-show report, and the beat task that captures what Stripe could not take meanwhile.
CAPTURE_AFTER_START = timedelta(hours=24)
#: A booking starting further ahead than this is not authorised at once (the hold would lapse
#: before the job is captured) ...
AUTHORISE_NOW_HORIZON = AUTHORISATION_VALIDITY - CAPTURE_AFTER_START
#: ... but this long before its start, off-session (so the hold lasts until
#: ``CAPTURE_AFTER_START`` after it: 48 h + 24 h < 4 days 18 h).
AUTHORISE_BEFORE_START = timedelta(hours=48)

# --- dispatch -----------------------------------------------------------------------------

#: A worker has this long to answer an offer, unless the provider sets its own.
OFFER_TIMEOUT = timedelta(minutes=15)
#: Shortest time a worker is given to answer, however near the start.
MINIMUM_OFFER_TIME = timedelta(minutes=2)
#: A dispatch row younger than this is left to its on-commit kick; the sweep takes older ones.
SWEEP_GRACE = timedelta(seconds=5)

# --- the provider console -------------------------------------------------------------------

#: A worker may check in this long before the start (arriving a little early is normal).
CHECK_IN_EARLIEST = timedelta(hours=1)
#: The resident's name, address and phone stay visible this long after the job ends.
CONTACT_VISIBLE_AFTER_DONE = timedelta(hours=24)
#: Longest note a worker may leave on completion or no-show (characters).
NOTES_MAX = 300

# --- reminders ----------------------------------------------------------------------------

#: How long before the start the resident's and the worker's reminders are due.
RESIDENT_REMINDER_BEFORE = (timedelta(hours=24), timedelta(hours=2))
WORKER_REMINDER_BEFORE = timedelta(hours=1)
#: The rating request is due this long after completion.
RATING_AFTER = timedelta(hours=1)

# --- notices: channels, quiet hours, retries -------------------------------------------------

#: No SMS between these local hours, ``(from, until)``: 22:00 to 08:00, except about a job that
#: starts before they end (a same-day change); a deferred SMS is sent when they end. The setting
#: ``LINLI_SMS_QUIET_HOURS`` (read at each send; empty: none) overrides it, so tests of delivery
#: run the same at any hour.
SMS_QUIET_HOURS = (22, 8)
#: An email or SMS the gateway refused is tried this many times in all, waiting
#: ``DELIVERY_RETRY_FIRST`` × 4^(n-1) after the n-th failure (30 s, 2 min, 8 min), then recorded
#: as failed.
DELIVERY_ATTEMPTS = 4
DELIVERY_RETRY_FIRST = timedelta(seconds=30)

# --- the conversation of an appointment ------------------------------------------------------

#: The resident and the worker can write from acceptance until this long after completion.
CONVERSATION_OPEN_AFTER_DONE = timedelta(hours=24)
#: At most this many messages per person per appointment in ``CONVERSATION_RATE_WINDOW``.
CONVERSATION_RATE = 5
CONVERSATION_RATE_WINDOW = timedelta(minutes=1)

# --- ratings (feedback.ratings: the damped average dispatch breaks ties with) --------------

#: A worker's rating is (C·m + Σ stars) / (C + n): prior mean m (an unrated worker's rating)
#: and the weight C of that prior, in ratings.
RATING_PRIOR_MEAN = Decimal("4.50")
RATING_PRIOR_WEIGHT = 5

# --- the resident's calendar --------------------------------------------------------------

#: The private calendar feed carries appointments that started at most this long ago.
CALENDAR_FEED_PAST = timedelta(days=90)

# --- dispatch health (/healthz/dispatch/, for the operator) ---------------------------------

#: The queues that must have a live Celery worker, or no booking is offered to anyone.
DISPATCH_HEALTH_QUEUES = ("dispatch",)
#: Beat counts as silent when the dispatch sweep last ran more than this many of its
#: intervals ago (30 s each: two minutes).
BEAT_SILENT_AFTER_SWEEPS = 4
#: A booking whose dispatch round is still pending after this long is stuck: its on-commit
#: kick is gone and the sweep (every 30 s, for rounds older than ``SWEEP_GRACE``) has not run.
PENDING_ROUND_MAX_AGE = timedelta(minutes=2)
#: How long the workers are given to answer the inspection, and how long their answer is
#: reused, so a monitor polling every few seconds costs one broadcast per period.
WORKER_INSPECT_TIMEOUT = timedelta(seconds=1)
WORKER_INSPECT_CACHED = timedelta(seconds=15)

# --- input -----------------------------------------------------------------------------------
#: How far from today a date typed into any form may be (both ways): further is a typo, and the
#: day arithmetic near year 1 or 9999 would overflow (``marketplace.bad_input.within_reach``).
DATE_REACH = timedelta(days=3660)

# --- regular care: series (bookings.series) -------------------------------------------------

#: A series may run at most this long from its first visit to its last ...
SERIES_MAX_SPAN = timedelta(days=366)
#: ... and have at most this many visits (five a week for a year is 261).
SERIES_MAX_VISITS = 270
#: The page shows this many coming visits of a series before it is confirmed.
SERIES_PREVIEW_VISITS = 30
#: When a visit has no worker free, this many other free times of that day and the next are offered.
SERIES_OTHER_TIMES = 4


# --- uploaded photos (marketplace.photos: complaints, repairs) ---------------------------------

#: A photo may be at most this big as sent (bytes); it is stored with its longer side at most
#: ``PHOTO_MAX_SIDE`` pixels, and an image of more than ``PHOTO_MAX_PIXELS`` pixels is refused
#: before it is decoded (a decompression bomb).
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_SIDE = 1600
PHOTO_MAX_PIXELS = 40_000_000
