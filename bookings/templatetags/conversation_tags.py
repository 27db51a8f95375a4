"""``{% conversation appointment %}``: the appointment's conversation panel for the user of the
page (nothing for someone who may not read it)."""

from __future__ import annotations

from django import template
from django.http import Http404

from bookings.conversation.forms import MessageForm
from bookings.conversation.services import conversation_for

register = template.Library()


@register.inclusion_tag("bookings/conversation/panel.html", takes_context=True)
def conversation(context, appointment):
    request = context["request"]
    try:
        convo = conversation_for(request.user, appointment.pk)
    except Http404:
        return {"conversation": None}
    return {
        "conversation": convo,
        "form": MessageForm(),
        "next": request.get_full_path(),
        "request": request,
    }


@register.filter
def author(message) -> str:
    """How the reader sees a message's author (by role; a worker by name; never a phone)."""
    from bookings.conversation.services import author_name

    return author_name(message)
