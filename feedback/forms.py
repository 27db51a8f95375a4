"""The feedback forms: bounds and choices checked here, rules in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.models import Complaint, Rating
from feedback.policy import COMPLAINT_TEXT_MAX, REVIEW_TEXT_MAX


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Zero or more uploaded files (checked by ``feedback.photos`` in the service)."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [forms.FileField.clean(self, f, initial) for f in files]


class BootstrapForm(forms.Form):
    """Bootstrap's ``form-control`` on every text input, text area and drop-down."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.Select | forms.TextInput | forms.Textarea):
                widget.attrs.setdefault("class", "form-control")


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Stars"),
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    tags = forms.MultipleChoiceField(
        label=_("What stood out"),
        choices=Rating.Tag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    text = forms.CharField(
        label=_("Review (optional)"),
        max_length=REVIEW_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class ComplaintForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("About"), choices=Complaint.Kind.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Complaint.Category.choices)
    appointment = forms.IntegerField(required=False, widget=forms.HiddenInput)
    repair = forms.IntegerField(required=False, widget=forms.HiddenInput)
    provider = forms.ModelChoiceField(
        label=_("Provider (if a service)"), queryset=None, required=False
    )
    text = forms.CharField(
        label=_("What happened"),
        max_length=COMPLAINT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )
    photos = PhotosField(label=_("Photos (up to 3)"), required=False)

    def __init__(self, *args, user, **kwargs):
        """``provider`` offers the providers serving the resident's communities."""
        from marketplace.partner.models import Partner

        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Partner.objects.filter(
            communities__households__user=user
        ).distinct()


class TextForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        max_length=COMPLAINT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    photos = PhotosField(label=_("Photos (up to 3)"), required=False)


class SatisfactionForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("Are you satisfied?"),
        choices=Complaint.Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Comment (optional)"), max_length=COMPLAINT_TEXT_MAX, required=False
    )


class HotlineForm(BootstrapForm):
    ticket = forms.CharField(label=_("12345 ticket number"), max_length=40)
    community = forms.ModelChoiceField(label=_("Community"), queryset=None)
    kind = forms.ChoiceField(label=_("About"), choices=Complaint.Kind.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Complaint.Category.choices)
    provider = forms.ModelChoiceField(
        label=_("Provider (if a service)"), queryset=None, required=False
    )
    caller_name = forms.CharField(label=_("Caller's name"), max_length=100, required=False)
    caller_phone = forms.CharField(label=_("Caller's phone"), max_length=30, required=False)
    text = forms.CharField(
        label=_("What happened"),
        max_length=COMPLAINT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )

    def __init__(self, *args, user, **kwargs):
        from marketplace.models import Community
        from marketplace.partner.models import Partner

        super().__init__(*args, **kwargs)
        enterprises = user.enterprises.all()
        self.fields["community"].queryset = Community.objects.filter(enterprise__in=enterprises)
        self.fields["provider"].queryset = Partner.objects.filter(
            communities__enterprise__in=enterprises
        ).distinct()


class HideForm(BootstrapForm):
    reason = forms.CharField(label=_("Why hide it"), max_length=300)
