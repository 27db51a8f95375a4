"""The repair numbers: the default promise (per enterprise in ``RepairPolicy``), offers, photos.

The promise is the one the fee board publishes ("急修 30 分钟内到场；一般维修 24 小时内上门"):
urgent requests are taken within 10 minutes and reached within 30; normal ones taken within
2 hours and reached within 24 hours. An enterprise may promise better (``RepairPolicy``); the
board's repair section and the clocks read the same row, so what is published is what runs.
The lead may move these into ``marketplace/policy.py`` at merge.
"""

from datetime import timedelta

from marketplace.policy import PHOTO_MAX_BYTES, PHOTO_MAX_PIXELS, PHOTO_MAX_SIDE  # noqa: F401

#: Default clocks, minutes from the report: (take, arrive) per urgency.
DEFAULT_URGENT_TAKE_MINUTES = 10
DEFAULT_URGENT_ARRIVE_MINUTES = 30
DEFAULT_NORMAL_TAKE_MINUTES = 120
DEFAULT_NORMAL_ARRIVE_MINUTES = 24 * 60

#: How long a maintenance worker has to answer an offer (urgent, normal).
OFFER_TIME_URGENT = timedelta(minutes=3)
OFFER_TIME_NORMAL = timedelta(minutes=15)

#: The board's on-time figures cover this many days back from now.
FIGURES_WINDOW = timedelta(days=90)

#: Photos: at most this many per report (and per completion); their size limits are the
#: site's (``marketplace.policy.PHOTO_MAX_BYTES``, ``PHOTO_MAX_SIDE``, ``PHOTO_MAX_PIXELS``).
PHOTOS_MAX = 3
