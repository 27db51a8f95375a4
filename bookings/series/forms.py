"""The series form: how often, which weekdays, what time, from when, until when. It validates
input and builds the rule (``rules.build_rule``); the services decide the rest."""

from __future__ import annotations

from datetime import time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.series import rules
from marketplace.bad_input import validate_within_reach
from marketplace.policy import SERIES_MAX_VISITS

WEEKDAY_CHOICES = list(enumerate(rules.WEEKDAY_LABELS))
FREQUENCY_CHOICES = list(rules.FREQUENCY_LABELS.items())
#: Visit times offered: every half hour from 07:00 to 20:00 (local).
TIME_CHOICES = [(f"{h:02d}:{m:02d}", f"{h:02d}:{m:02d}") for h in range(7, 21) for m in (0, 30)]


class SeriesForm(forms.Form):
    """A series: ``rule`` (a ``rules.SeriesRule``) and ``summary`` once valid."""

    frequency = forms.ChoiceField(label=_("How often"), choices=FREQUENCY_CHOICES)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For weekly and fortnightly visits."),
    )
    day_of_month = forms.IntegerField(
        label=_("Day of the month"),
        min_value=1,
        max_value=31,
        required=False,
        help_text=_(
            "For monthly visits; the 29th to 31st mean the month's last day when it is shorter."
        ),
    )
    at = forms.ChoiceField(label=_("Time"), choices=TIME_CHOICES, initial="09:00")
    start_date = forms.DateField(
        label=_("From"),
        validators=[validate_within_reach],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=_("Until (date)"),
        required=False,
        validators=[validate_within_reach],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    count = forms.IntegerField(
        label=_("Or number of visits"), min_value=1, max_value=SERIES_MAX_VISITS, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].initial = timezone.localdate() + timedelta(days=1)
        for name, field in self.fields.items():
            if name != "weekdays":
                field.widget.attrs.setdefault("class", "form-control")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        hour, minute = (int(x) for x in data["at"].split(":"))
        try:
            self.rule = rules.build_rule(
                frequency=data["frequency"],
                start_date=data["start_date"],
                at=time(hour, minute),
                weekdays=data.get("weekdays") or [],
                day_of_month=data.get("day_of_month"),
                until=data.get("until"),
                count=data.get("count"),
            )
        except rules.SeriesRuleError as exc:
            raise forms.ValidationError(str(exc)) from None
        self.summary = self._summary(data)
        return data

    def _summary(self, data) -> str:
        # Kept for the admin's list; pages show Series.display_summary (the reader's language).
        return rules.describe(self.rule.rrule, self.rule.dtstart)


class SeriesEndForm(forms.Form):
    """From which local date a series ends."""

    from_date = forms.DateField(
        label=_("No visits from"),
        validators=[validate_within_reach],
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
