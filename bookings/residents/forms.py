"""Forms of the residents' pages. They validate input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.models import Community, Household


class HouseholdForm(forms.ModelForm):
    """A new home: community, building, unit, room and who to contact there."""

    make_default = forms.BooleanField(label=_("Use as my default address"), required=False)

    class Meta:
        model = Household
        fields = ["community", "building", "unit", "room", "contact_name", "contact_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.select_related("enterprise")
        self.fields["community"].label_from_instance = lambda c: f"{c.display_name} · {c.district}"
        for name, field in self.fields.items():
            if name != "make_default":
                field.widget.attrs.setdefault("class", "form-control")


class CancelForm(forms.Form):
    """The resident's optional reason for cancelling."""

    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
