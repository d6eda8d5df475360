"""The framework's floor: a minimal Django project whose one view returns fixed bytes.

Served by the same granian command as Samizdat, it shows what Django and the server cost
before any of our code runs. BENCH_FLOOR_FILE names the bytes to return.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

BODY = Path(os.environ["BENCH_FLOOR_FILE"]).read_bytes()


def page(request):
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


settings.configure(
    DEBUG=False, ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__,
    MIDDLEWARE=[], INSTALLED_APPS=[], USE_I18N=False,
    SECRET_KEY="bench-floor-only",  # noqa: S106 - signs nothing
)
urlpatterns = [path("article.html", page)]
application = get_wsgi_application()
