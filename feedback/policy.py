"""Every policy number of ratings, complaints and credit stars, in one place.

Durations are ``timedelta``; rates are fractions 0–1; weights sum to 1. The published
explanation page (``/credit/``) renders these very numbers, so the page and the code cannot
disagree. Sources: the 2020 national notice (建房规〔2020〕10号) §4, §10 (complaints and the
12345 hotline), §20 (credit evaluation); Beijing's 接诉即办 three rates.
"""

from datetime import timedelta
from decimal import Decimal

# --- ratings ---------------------------------------------------------------------------------

#: A rating may be changed this long after it was first given.
RATING_EDITABLE_FOR = timedelta(days=7)
#: Longest review text (characters).
REVIEW_TEXT_MAX = 500
#: The damped (Bayesian) average: R = (C·m + Σ stars) / (C + n). ``m`` is the prior mean a
#: worker starts from, ``C`` how many ratings' weight it carries: one early 1 or 5 moves a
#: worker only a sixth of the way. Kept in ``marketplace.policy`` (the worker model's default).
from marketplace.policy import (  # noqa: E402,F401
    PHOTO_MAX_BYTES,
    PHOTO_MAX_SIDE,
    RATING_PRIOR_MEAN,
    RATING_PRIOR_WEIGHT,
)

#: Reviews shown on a service page.
REVIEWS_SHOWN = 5

# --- complaints ------------------------------------------------------------------------------

#: Longest complaint text, addition or answer (characters).
COMPLAINT_TEXT_MAX = 1000
#: Photos per complaint (or per addition); their size limits are the site's
#: (``marketplace.policy.PHOTO_MAX_BYTES``, ``PHOTO_MAX_SIDE``).
COMPLAINT_PHOTOS_MAX = 3
#: First response: urgent categories, and the rest.
RESPONSE_URGENT = timedelta(hours=2)
RESPONSE_NORMAL = timedelta(hours=24)
#: Resolution: water, electricity, gas, heating and lifts; the rest; a case marked complex.
RESOLUTION_UTILITIES = timedelta(hours=24)
RESOLUTION_NORMAL = timedelta(days=7)
RESOLUTION_COMPLEX = timedelta(days=15)
#: After the first escalation (to the enterprise's manager) a complaint still unresolved this
#: long later is flagged for the street office (街道办事处).
STREET_OFFICE_AFTER = timedelta(hours=24)
#: A dissatisfied resident may reopen a resolved complaint this many times.
REOPEN_MAX = 1

# --- public figures and credit stars ----------------------------------------------------------

#: The board's complaint figures cover this many days up to today.
FIGURES_WINDOW = timedelta(days=90)
#: The credit grade's inputs and their weights (sum 1). Each input is scored 0–1 first:
#: rates as they are, the average rating as (R − 1) / 4, complaints per 100 jobs as
#: max(0, 1 − per100 / COMPLAINTS_PER_100_WORST), and the boards' completeness as a share.
CREDIT_WEIGHTS = {
    "completion_rate": Decimal("0.20"),
    "on_time_rate": Decimal("0.15"),
    "rating": Decimal("0.20"),
    "complaints_per_100": Decimal("0.15"),
    "response_rate": Decimal("0.10"),
    "resolution_rate": Decimal("0.10"),
    "satisfaction_rate": Decimal("0.10"),
}
#: For enterprises, the boards input takes this weight and the others shrink in proportion.
CREDIT_BOARDS_WEIGHT = Decimal("0.15")
#: For enterprises, the repair on-time rate of its communities takes this weight too (the
#: others shrink in proportion to make room for both).
CREDIT_REPAIRS_WEIGHT = Decimal("0.10")
#: At this many complaints per 100 jobs (or more) the complaints input scores 0.
COMPLAINTS_PER_100_WORST = Decimal("10")
#: A month with no data scores an input at this neutral value rather than 0 or 1.
CREDIT_NEUTRAL = Decimal("0.80")
#: Score (0–1) at or above which each star count is given; below the first: 1 star.
CREDIT_STAR_THRESHOLDS = (
    (5, Decimal("0.90")),
    (4, Decimal("0.80")),
    (3, Decimal("0.65")),
    (2, Decimal("0.50")),
)
#: A board counts as current when it was published within this long before the month's end.
BOARD_CURRENT_WITHIN = timedelta(days=365)

#: A check-in this long after the start still counts as on time.
ON_TIME_GRACE = timedelta(minutes=10)
