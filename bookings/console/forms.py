"""Forms of the provider console. They validate input; the services decide."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.console.earnings import PERIODS
from bookings.models import WeeklyHours
from marketplace.bad_input import validate_within_reach, within_reach
from marketplace.policy import NOTES_MAX

SHIFTS_PER_DAY = 2


def _control(widget: forms.Widget, **attrs) -> forms.Widget:
    widget.attrs.setdefault("class", "form-control")
    widget.attrs.update(attrs)
    return widget


class CompleteForm(forms.Form):
    """The worker's optional notes when completing a job."""

    notes = forms.CharField(
        label=_("Notes for the record (optional)"),
        max_length=NOTES_MAX - 20,
        required=False,
        widget=_control(forms.Textarea(attrs={"rows": 3})),
    )


class NoShowForm(forms.Form):
    """What happened when nobody was home (required)."""

    notes = forms.CharField(
        label=_("What happened?"),
        max_length=NOTES_MAX - 20,
        widget=_control(
            forms.Textarea(attrs={"rows": 2}),
            placeholder=_("For example: rang twice, called the resident, no answer"),
        ),
    )


class DeclineForm(forms.Form):
    """The worker's reason for declining an offer (required)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=_control(forms.TextInput(), placeholder=_("For example: another job runs late")),
    )


class WeeklyHoursForm(forms.Form):
    """Up to two stretches per weekday (morning and afternoon, say); empty means day off."""

    def __init__(self, *args, hours=(), **kwargs):
        super().__init__(*args, **kwargs)
        existing: dict[int, list] = {}
        for h in hours:
            existing.setdefault(h.weekday, []).append(h)
        for day in WeeklyHours.Weekday:
            rows = existing.get(day.value, [])
            for i in range(SHIFTS_PER_DAY):
                row = rows[i] if i < len(rows) else None
                for part in ("start", "end"):
                    name = f"d{day.value}_{i}_{part}"
                    self.fields[name] = forms.TimeField(
                        label=f"{day.label} {_('from') if part == 'start' else _('until')}",
                        required=False,
                        widget=_control(
                            forms.TimeInput(format="%H:%M", attrs={"type": "time", "step": 1800})
                        ),
                    )
                    if row is not None:
                        self.initial[name] = getattr(row, part)

    def days(self):
        """[(weekday, label, [(start field, end field), ...]), ...] for the template."""
        return [
            (
                day.value,
                day.label,
                [
                    (self[f"d{day.value}_{i}_start"], self[f"d{day.value}_{i}_end"])
                    for i in range(SHIFTS_PER_DAY)
                ],
            )
            for day in WeeklyHours.Weekday
        ]

    def clean(self):
        """Adds ``hours``: [(weekday, start, end), ...] of the filled-in stretches."""
        cleaned = super().clean()
        hours = []
        for day in WeeklyHours.Weekday:
            for i in range(SHIFTS_PER_DAY):
                start = cleaned.get(f"d{day.value}_{i}_start")
                end = cleaned.get(f"d{day.value}_{i}_end")
                if start is None and end is None:
                    continue
                if start is None or end is None:
                    raise forms.ValidationError(
                        _("On %(day)s give both a start and an end, or neither.")
                        % {"day": day.label}
                    )
                hours.append((day.value, start, end))
        cleaned["hours"] = hours
        return cleaned


class TimeOffForm(forms.Form):
    """A stretch of time off (local date and time) with an optional reason."""

    start = forms.DateTimeField(
        label=_("From"),
        widget=_control(
            forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"})
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        validators=[validate_within_reach],
    )
    end = forms.DateTimeField(
        label=_("Until"),
        widget=_control(
            forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"})
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        validators=[validate_within_reach],
    )
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=200,
        required=False,
        widget=_control(forms.TextInput(), placeholder=_("Holiday, sick leave, training")),
    )


class PriceForm(forms.Form):
    """A proposed price in yuan (two decimals, more than zero)."""

    price = forms.DecimalField(
        label=_("Proposed price (¥)"),
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        widget=_control(forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"})),
    )


class EarningsForm(forms.Form):
    """The earnings page's range (local dates) and period; every field may be left empty."""

    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=_control(forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})),
        validators=[validate_within_reach],
    )
    end = forms.DateField(
        label=_("Until"),
        required=False,
        widget=_control(forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})),
        validators=[validate_within_reach],
    )
    period = forms.ChoiceField(
        label=_("Per"),
        required=False,
        choices=list(zip(PERIODS, (_("day"), _("week"), _("month")), strict=True)),
        widget=_control(forms.Select()),
    )

    def range(self) -> tuple[date, date, str]:
        """(start, end, period), defaulting to this month by week."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start") or today.replace(day=1)
        end = data.get("end") or today
        if end < start:
            start, end = end, start
        end = min(end, start + timedelta(days=366))
        return start, end, data.get("period") or "week"


class AssignForm(forms.Form):
    """A manager's choice among ``workers`` (the free, qualified ones) for a job."""

    worker = forms.TypedChoiceField(label=_("Worker"), coerce=int, widget=_control(forms.Select()))

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [(w.pk, w.display_name) for w in workers]


def week_start(value: str | None) -> date:
    """The Monday of the week containing ``value`` (YYYY-MM-DD), or of this week (also for a
    date out of ``DATE_REACH``)."""
    try:
        day = date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    if not within_reach(day):
        day = timezone.localdate()  # years away: the pages step a week on and back from it
    return day - timedelta(days=day.weekday())
