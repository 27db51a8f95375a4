"""The forms of repair pages: they parse input; the services decide and raise ``RepairError``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.templatetags.currency_filters import currency

from marketplace.models import Household
from repairs.models import RepairRequest

PHOTO_ATTRS = {"accept": "image/jpeg,image/png,image/webp", "class": "form-control-file"}


def _bootstrap(form: forms.Form) -> None:
    """Bootstrap's ``form-control`` on text inputs, selects and text areas (full width)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.RadioSelect, forms.CheckboxInput, forms.FileInput)):
            continue
        widget.attrs.setdefault("class", "form-control")


class PhotosMixin(forms.Form):
    """Up to three photo inputs (checked and re-encoded by ``repairs.photos``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    photo1 = forms.FileField(
        label=_("Photo 1"), required=False, widget=forms.ClearableFileInput(attrs=PHOTO_ATTRS)
    )
    photo2 = forms.FileField(
        label=_("Photo 2"), required=False, widget=forms.ClearableFileInput(attrs=PHOTO_ATTRS)
    )
    photo3 = forms.FileField(
        label=_("Photo 3"), required=False, widget=forms.ClearableFileInput(attrs=PHOTO_ATTRS)
    )

    def photos(self) -> list:
        return [self.cleaned_data.get(f"photo{i}") for i in (1, 2, 3)]


class ReportForm(PhotosMixin):
    """A resident's report: their home (or, for a common area, the home whose community)."""

    area = forms.ChoiceField(
        label=_("Where"),
        choices=RepairRequest.Area.choices,
        widget=forms.RadioSelect,
        initial=RepairRequest.Area.HOME,
    )
    household = forms.ModelChoiceField(
        label=_("Home"), queryset=Household.objects.none(), empty_label=None
    )
    location = forms.CharField(
        label=_("Place in the community"),
        required=False,
        max_length=200,
        help_text=_("For a common area: building, floor and place, e.g. 3号楼 2层 电梯厅."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=RepairRequest.Category.choices)
    description = forms.CharField(
        label=_("What is wrong"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    urgent = forms.BooleanField(
        label=_("This is urgent"),
        required=False,
        help_text=_(
            "Leaks, power cuts, people trapped in a lift and fire-safety faults are urgent anyway."
        ),
    )
    field_order = ["area", "household", "location", "category", "description", "urgent"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the resident's own homes are choices: another's is "not a valid choice" (400).
        self.fields["household"].queryset = Household.objects.filter(user=user).select_related(
            "community"
        )
        self.fields["household"].label_from_instance = str


class DeskEntryForm(PhotosMixin):
    """The desk's entry of a request taken by phone, at the desk or from a 12345 ticket."""

    SOURCES = [
        (RepairRequest.Source.PHONE, RepairRequest.Source.PHONE.label),
        (RepairRequest.Source.DESK, RepairRequest.Source.DESK.label),
        (RepairRequest.Source.HOTLINE, RepairRequest.Source.HOTLINE.label),
    ]
    source = forms.ChoiceField(label=_("Came in"), choices=SOURCES)
    hotline_ticket = forms.CharField(label=_("12345 ticket number"), required=False, max_length=40)
    community = forms.ModelChoiceField(label=_("Community"), queryset=None, empty_label=None)
    area = forms.ChoiceField(label=_("Where"), choices=RepairRequest.Area.choices)
    building = forms.CharField(label=_("Building"), required=False, max_length=20)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=20)
    room = forms.CharField(label=_("Room"), required=False, max_length=20)
    location = forms.CharField(label=_("Place in the community"), required=False, max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=RepairRequest.Category.choices)
    description = forms.CharField(
        label=_("What is wrong"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    urgent = forms.BooleanField(label=_("This is urgent"), required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=100)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities

    def household(self):
        """The home named by building/unit/room in the chosen community, or None."""
        data = self.cleaned_data
        if data.get("area") != RepairRequest.Area.HOME:
            return None
        return Household.objects.filter(
            community=data["community"],
            building=data.get("building", "").strip(),
            unit=data.get("unit", "").strip(),
            room=data.get("room", "").strip(),
        ).first()


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class AssignForm(forms.Form):
    worker = forms.IntegerField(label=_("Maintenance worker"))


class CompleteForm(PhotosMixin):
    notes = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class QuoteForm(forms.Form):
    """Up to three labour lines (a board item code and a quantity) and three materials."""

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [
            (code, f"{item.display_name} · {currency(item.amount)}/{item.display_unit}")
            for code, item in (items or {}).items()
        ]
        for i in (1, 2, 3):
            # A plain field: a code not on the board must reach the service, which names it.
            self.fields[f"labour{i}"] = forms.CharField(
                label=_("Labour item %(n)d") % {"n": i},
                required=False,
                max_length=50,
                widget=forms.Select(choices=choices),
            )
            self.fields[f"labour{i}_qty"] = forms.IntegerField(
                label=_("Quantity"), required=False, min_value=1, max_value=99, initial=1
            )
        for i in (1, 2, 3):
            self.fields[f"material{i}"] = forms.CharField(
                label=_("Material %(n)d") % {"n": i}, required=False, max_length=200
            )
            self.fields[f"material{i}_price"] = forms.DecimalField(
                label=_("Price at cost (CNY)"),
                required=False,
                min_value=0,
                max_digits=9,
                decimal_places=2,
            )
            self.fields[f"material{i}_qty"] = forms.IntegerField(
                label=_("Quantity"), required=False, min_value=1, max_value=99, initial=1
            )
        _bootstrap(self)

    def lines(self):
        """(labour, materials) as ``quote_propose`` takes them."""
        d = self.cleaned_data
        labour = [
            (d[f"labour{i}"], d.get(f"labour{i}_qty") or 1)
            for i in (1, 2, 3)
            if d.get(f"labour{i}")
        ]
        materials = [
            (d[f"material{i}"], d.get(f"material{i}_price"), d.get(f"material{i}_qty") or 1)
            for i in (1, 2, 3)
            if d.get(f"material{i}")
        ]
        return labour, materials
