"""Forms of the residents' pages. They validate input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.appointments.hold import BOOKING_KEY_MAX_LENGTH, BOOKING_KEY_PATTERN
from marketplace.models import Community, Household

#: The largest id PostgreSQL's ``integer`` primary keys hold.
MAX_ID = 2**31 - 1


class HouseholdForm(forms.ModelForm):
    """A new home: community, building, unit, room and who to contact there."""

    make_default = forms.BooleanField(label=_("Use as my default address"), required=False)

    class Meta:
        model = Household
        fields = ["community", "building", "unit", "room", "contact_name", "contact_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.select_related("enterprise")
        self.fields["community"].label_from_instance = lambda c: (
            f"{c.display_name} · {c.display_district}"
        )
        for name, field in self.fields.items():
            css = "form-check-input" if name == "make_default" else "form-control"
            field.widget.attrs.setdefault("class", css)


class CancelForm(forms.Form):
    """The resident's optional reason for cancelling."""

    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class BookForm(forms.Form):
    """One click's fields as the service page sends them: ``household`` (optional: the
    default home), ``start`` (ISO 8601, parsed by ``parse_start``) and ``key`` (the page
    view's one-time key, ``hold.BOOKING_KEY_PATTERN``). The product is read by the view."""

    household = forms.IntegerField(label=_("Home"), required=False, min_value=1, max_value=MAX_ID)
    start = forms.CharField(label=_("Time"), max_length=64, required=False)
    key = forms.RegexField(
        label=_("Booking key"),
        regex=rf"\A{BOOKING_KEY_PATTERN}\Z",
        required=False,
        max_length=BOOKING_KEY_MAX_LENGTH,
        error_messages={
            "invalid": _(
                "The booking key must be letters, digits or the signs : + . _ -. "
                "Please reload the page and book again."
            )
        },
    )

    def first_error(self) -> str:
        """The first problem, as one sentence naming the field."""
        for name, errors in self.errors.items():
            field = self.fields.get(name)
            return f"{field.label}: {errors[0]}" if field else errors[0]
        return ""
