"""After the service: ratings and reviews, complaints on a clock, public figures, credit stars.

Sub-packages: ``ratings/`` (1–5 stars per appointment, the worker's damped average),
``complaints/`` (投诉 with two clocks and escalation, 12345 hotline tickets), ``credit/``
(the published figures and the monthly 信用星级). Policy numbers in ``feedback.policy``;
notices leave through ``feedback.notices``; photos are checked by ``feedback.photos``.
"""
