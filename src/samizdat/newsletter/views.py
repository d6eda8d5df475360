"""The reader's side of the newsletter: the form's endpoint, the confirmation link and the
unsubscribe link (RFC 8058's one-click POST as well as a page with a button).

The form sits in the footer of cached pages, so it carries no CSRF token and nothing here
sets a cookie: a forged subscription only makes us ask the address's owner, who can ignore
it, and a subscribing page must come from this site (Sec-Fetch-Site, else Origin).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from samizdat import clients
from samizdat.site.views import current_edition, render

from . import services


def _page(request, edition, context, status=200):
    response = render(request, "newsletter/result.html", edition, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
def subscribe(request):
    edition = current_edition()
    if not services.offered(edition):
        return _page(request, edition, {"errors": [_(
            "This edition has no newsletter at the moment.")]}, status=404)
    if not clients.from_this_site(request):
        return _page(request, edition, {"errors": [_(
            "Subscriptions can only be sent from this site's own pages.")]}, status=403)
    if clients.over_limit(request, "newsletter", settings.NEWSLETTER_SUBSCRIBE_LIMIT, 600):
        return _page(request, edition, {"errors": [_(
            "Too many subscriptions from your connection; try again later.")]}, status=429)
    done = {"message": _("Almost done: we have sent a link to your address. Open it within "
                         "%(days)d days to confirm; until then we send nothing else.")
            % {"days": services.CONFIRM_DAYS}}
    if request.POST.get("website"):  # the field people do not see: a robot filled it
        return _page(request, edition, done)
    try:
        services.subscribe(edition, request.POST.get("email", "")[:300],
                           digest=bool(request.POST.get("digest")),
                           alerts=bool(request.POST.get("alerts")))
    except ValidationError as error:
        return _page(request, edition, {"errors": error.messages,
                                        "email": request.POST.get("email", "")[:300]},
                     status=400)
    return _page(request, edition, done)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    edition = current_edition()
    subscriber = services.check_confirmation(token)
    if subscriber is None or subscriber.edition_id != edition.pk:
        raise Http404("bad or expired link")
    if request.method == "POST":
        services.confirm(token)
        return _page(request, edition, {"message": _(
            "Subscribed. Every email has a link to stop it.")})
    # A page with a button, not a change on opening: mail scanners open links too.
    return _page(request, edition, {"confirm": True})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: a page with a button. POST (the button, or a mail program's one-click request
    with `List-Unsubscribe=One-Click`, RFC 8058): the subscription is deleted at once."""
    edition = current_edition()
    if request.method == "POST":
        services.unsubscribe(token)
        return _page(request, edition, {"message": _(
            "Done: your address is deleted and you will get no more newsletters from us.")})
    if services.subscriber_for_unsubscribe(token) is None:
        return _page(request, edition, {"message": _(
            "This subscription does not exist any more: nothing will be sent.")})
    return _page(request, edition, {"unsubscribe": True})
