"""Comment pages and the one endpoint that takes comments (an HTML form or JSON).

Pages that show comments are reader pages (cached whole, with the article's comment
dependency); nothing on them belongs to one visitor, so the form carries no CSRF token.
Posting is protected from other sites by the browser's own word on where a request comes
from (Sec-Fetch-Site, else Origin), which a forging page cannot set.
"""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from samizdat import clients
from samizdat.clients import client_key, from_this_site
from samizdat.newsroom.models import Article
from samizdat.site.pagecache import reader_page
from samizdat.site.views import current_edition, render

from . import reading, services, tokens
from .models import Comment, Status


def client_of(request) -> str:
    return client_key(request, "comments", days=settings.COMMENTS_IDENTITY_DAYS)


def _article(article_id) -> Article:
    return get_object_or_404(
        Article.objects.published().select_related("edition", "section"),
        pk=article_id, edition=current_edition())


def _page(request, template, article, context, status=200):
    response = render(request, template, article.edition,
                      {"article": article, **context}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _wants_json(request) -> bool:
    return request.content_type == "application/json"


def _draft(request) -> services.Draft:
    if _wants_json(request):
        try:
            data = json.loads(request.body.decode("utf-8"))
            # "\ud800" is valid JSON but no text: a lone surrogate cannot be stored or shown.
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except (UnicodeError, ValueError, RecursionError):
            raise ValidationError({"__all__": _("The request is not valid JSON in UTF-8.")}
                                  ) from None
        if not isinstance(data, dict):
            raise ValidationError({"__all__": _("Send a JSON object.")})
    else:
        data = request.POST
    def field(name):
        value = data.get(name, "")
        return value if isinstance(value, str) else ""

    parent = data.get("parent")
    parent = str(parent) if isinstance(parent, int) else field("parent")
    return services.Draft(
        name=field("name"), body=field("body"), email=field("email"),
        parent_id=int(parent) if parent.isascii() and parent.isdigit() and len(parent) < 12
        else None,
        honeypot=field("website"), puzzle=field("puzzle"), answer=field("answer"))


@csrf_exempt
@require_POST
def post(request, article_id):
    if not from_this_site(request):
        return _refusal(request, None, services.Refused(
            _("Comments can only be sent from this site's own pages."), status=403))
    article = _article(article_id)
    draft = None
    try:
        draft = _draft(request)
        comment = services.post(article, draft, client_of(request))
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {
            "__all__": error.messages}
        if _wants_json(request):
            return JsonResponse({"errors": errors}, status=400)
        return _page(request, "comments/result.html", article,
                     {"errors": errors, "draft": draft},
                     status=400)
    except services.Refused as refused:
        return _refusal(request, article, refused, draft)
    waiting = comment.status == Status.PENDING
    message = (_("Thank you. Your comment will appear once a moderator has read it.")
               if waiting else _("Thank you. Your comment is published."))
    if comment.email:
        message += " " + _("We have sent a link to your email address: follow it to get "
                           "replies by email.")
    if _wants_json(request):
        return JsonResponse({"id": comment.pk, "status": comment.status, "message": message},
                            status=201)
    return _page(request, "comments/result.html", article,
                 {"message": message, "comment": comment, "waiting": waiting})


def _refusal(request, article, refused, draft=None):
    if _wants_json(request) or article is None:
        return JsonResponse({"errors": {"__all__": [refused.message]},
                             "challenge": refused.challenge}, status=refused.status)
    return _page(request, "comments/result.html", article,
                 {"errors": {"__all__": [refused.message]}, "draft": draft,
                  "challenge": refused.challenge}, status=refused.status)


@reader_page
def article_comments(request, article_id, before=None):
    article = _article(article_id)
    reading.depends(request, article)
    return render(request, "comments/comment_list.html", article.edition, {
        "article": article, "comments": reading.threads(article, before and int(before)),
        "comments_open": services.is_open(article), "paged": bool(before)})


@reader_page
def thread_page(request, article_id, root_id, after=None):
    article = _article(article_id)
    reading.depends(request, article)
    found = reading.thread(article, int(root_id), after and int(after))
    if found is None:
        raise Http404("no such thread")
    return render(request, "comments/comment_thread.html", article.edition, {
        "article": article, "thread": found, "comments_open": services.is_open(article)})


@reader_page
def reply_page(request, article_id, parent_id):
    """The form for a reply, for readers without JavaScript (with it, the form moves)."""
    article = _article(article_id)
    reading.depends(request, article)
    parent = get_object_or_404(Comment.objects.filter(article=article, status=Status.APPROVED),
                               pk=parent_id)
    return render(request, "comments/comment_reply.html", article.edition, {
        "article": article, "parent": parent, "comments_open": services.is_open(article)})


@csrf_exempt
@require_POST
def report(request, comment_id):
    if not from_this_site(request):
        return JsonResponse({"errors": {"__all__": [_("Not from this site.")]}}, status=403)
    comment = get_object_or_404(Comment.objects.select_related("article__edition"),
                                pk=comment_id, status=Status.APPROVED)
    client = client_of(request)
    if clients.hit(f"comments:reports:{client}") > clients.shared_limit(
            settings.COMMENTS_CLIENT_HARD_LIMIT, clients.is_shared_key(client)):
        return JsonResponse({"errors": {"__all__": [_("Too many reports from your connection; "
                                                      "try again later.")]}}, status=429)
    services.report(comment, client)
    message = _("Thank you: a moderator will look at this comment.")
    if _wants_json(request):
        return JsonResponse({"message": message})
    return _page(request, "comments/result.html", comment.article, {"message": message})


def _from_token(token: str, purpose: str, days: int) -> int:
    comment_id = tokens.comment_of(token, purpose, days)
    if comment_id is None:
        raise Http404("bad or expired link")
    return comment_id


def confirm(request, token):
    comment = services.confirm_email(_from_token(token, "confirm", 7))
    if comment is None:
        raise Http404("no such comment")
    return _page(request, "comments/result.html", comment.article, {"message": _(
        "Your email address is confirmed: we will write when someone replies to you.")})


@csrf_exempt
def unsubscribe(request, token):
    comment_id = _from_token(token, "unsubscribe", 365)
    if request.method == "POST" and not from_this_site(request):
        raise Http404("not from this site")
    comment = get_object_or_404(Comment.objects.select_related("article__edition"),
                                pk=comment_id)
    if request.method == "POST":
        services.forget_email(comment.pk)
        return _page(request, "comments/result.html", comment.article, {"message": _(
            "Done: your email address is erased and you will get no more email from us.")})
    return _page(request, "comments/unsubscribe.html", comment.article, {})

