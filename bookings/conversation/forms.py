"""The one form of the conversation: a short message."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.conversation.models import MESSAGE_MAX


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MESSAGE_MAX, "class": "form-control"}),
    )
