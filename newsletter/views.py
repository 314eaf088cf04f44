from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from armorpt import languages
from armorpt.ratelimits import limited
from newsletter import services, tokens
from newsletter.forms import SignupForm
from newsletter.models import Subscriber


@never_cache
@require_http_methods(["GET", "POST"])
@limited("newsletter")
def signup(request):
    """GET: the page with the form. POST (the footer's form posts here too): ask for a confirmation."""
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.filled_honeypot():
            return _check_your_inbox(request)
        if form.is_valid():
            data = form.cleaned_data
            # Their emails will be in the language of the page they signed up on.
            language = languages.current()
            services.sign_up(
                email=data["email"], first_name=data["first_name"], source=data["source"], language=language
            )
            return _check_your_inbox(request)
    else:
        form = SignupForm(initial={"source": Subscriber.Source.PAGE})
    return render(request, "newsletter/signup.html", {"form": form})


def _check_your_inbox(request):
    # The same page whatever the address's state, so that nobody can find out who is subscribed.
    return render(request, "newsletter/check_your_inbox.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET: a page with one button (mail scanners follow links; consent takes a click). POST: confirm."""
    try:
        link = services.confirm_link(token)
    except tokens.Expired:
        return _bad_link(request, "newsletter/link_expired.html", 410)
    if link is None:
        return _bad_link(request, "newsletter/link_invalid.html", 404)
    if request.method == "POST" and services.confirm(link):
        return render(request, "newsletter/welcome.html", _about(link.subscriber))
    if link.subscriber.status == Subscriber.Status.CONFIRMED:
        return render(request, "newsletter/already_confirmed.html", _about(link.subscriber))
    if not link.usable:
        return _bad_link(request, "newsletter/link_used.html", 410)
    return render(request, "newsletter/confirm.html", _about(link.subscriber))


# A mail client's one-click unsubscribe (RFC 8058) POSTs here with no cookies and no CSRF token.
# Forging this request gains nothing: it needs the signed token, which already allows unsubscribing.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: a page with one button, never unsubscribes (link scanners follow links). POST: unsubscribe."""
    subscriber = services.subscriber_for_unsubscribe(token)
    if subscriber is None:
        return render(request, "newsletter/unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        services.unsubscribe(subscriber)
        return render(request, "newsletter/unsubscribed.html", _about(subscriber))
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return render(request, "newsletter/unsubscribed.html", _about(subscriber, earlier=True))
    return render(request, "newsletter/unsubscribe.html", _about(subscriber))


def _bad_link(request, template, status):
    return render(request, template, {"form": SignupForm(initial={"source": Subscriber.Source.PAGE})}, status=status)


def _about(subscriber, **extra):
    return {"subscriber": subscriber, "masked_email": masked(subscriber.email), **extra}


def masked(email):
    """a•••@example.com: enough to recognise your own address, not to read someone else's off a forwarded link."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}•••@{domain}"
