"""The conversation's one address: read it (a whole page, or the message list htmx polls) and
post to it. The appointment's page and the job's page show it through the ``conversation``
template tag; this view answers the form and the polling."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from bookings.conversation.forms import MessageForm
from bookings.conversation.services import (
    ConversationClosed,
    TooManyMessages,
    conversation_for,
    message_post,
)
from bookings.exceptions import BookingError
from marketplace.ratelimits import rate_limited


def _back(request, conversation) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only (``redirect`` would take a bare word for a view name).
    if (
        nxt.startswith("/")
        and not nxt.startswith("//")
        and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure())
    ):
        return nxt
    return reverse("conversation:conversation", args=[conversation.appointment.pk])


@login_required
@rate_limited("conversation", methods=("POST",))
def conversation(request, pk):
    """GET: the conversation (``HX-Request``: only the message list). POST: write a message,
    then back to the page it was written on; 400/403/429 with the reason, nothing written."""
    convo = conversation_for(request.user, pk)  # 404 for anyone else
    form, status = MessageForm(), 200
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                message_post(
                    conversation=convo, author=request.user, body=form.cleaned_data["body"]
                )
            except TooManyMessages as exc:
                form.add_error(None, str(exc))
                status = 429
            except ConversationClosed as exc:
                form.add_error(None, str(exc))
                status = 403
            except BookingError as exc:
                form.add_error("body", str(exc))
                status = 400
            else:
                return HttpResponseRedirect(_back(request, convo) + "#conversation")
        else:
            status = 400
    elif request.headers.get("HX-Request"):
        return render(request, "bookings/conversation/messages.html", {"conversation": convo})
    return render(
        request,
        "bookings/conversation/page.html",
        {"conversation": convo, "form": form, "next": _back(request, convo)},
        status=status,
    )
