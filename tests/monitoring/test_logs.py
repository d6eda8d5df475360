"""No log line holds a reader's address: a 404, a 500 and a 403 from a known address, in
JSON lines (SAMIZDAT_LOG_FORMAT=json) and in plain text."""

import copy
import io
import json
import logging
import logging.config

import pytest
from django.conf import settings as django_settings
from django.test import Client

ADDRESS = "203.0.113.77"
FORWARDED = "198.51.100.23"
IPV6 = "2001:db8::7"
CLIENT = {"REMOTE_ADDR": ADDRESS, "HTTP_X_FORWARDED_FOR": f"{FORWARDED}, {IPV6}",
          "HTTP_X_REAL_IP": FORWARDED}


@pytest.fixture(params=["json", "text"])
def log_output(request):
    config = copy.deepcopy(django_settings.LOGGING)
    if request.param == "json":
        config["handlers"]["console"]["formatter"] = "json"
    else:
        config["handlers"]["console"].pop("formatter", None)
    config["root"]["level"] = "INFO"
    logging.config.dictConfig(config)
    stream = io.StringIO()
    logging.getLogger().handlers[0].setStream(stream)
    yield request.param, stream
    logging.config.dictConfig(django_settings.LOGGING)


@pytest.mark.django_db
def test_no_reader_address_in_the_logs(log_output, settings, scaffold):
    kind, stream = log_output
    settings.ROOT_URLCONF = "tests.monitoring.urls"
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    assert client.get("/en/no-such-page/", **CLIENT).status_code == 404
    assert client.get("/boom/", **CLIENT).status_code == 500
    assert client.post("/admin/login/", {"username": "x"}, **CLIENT).status_code == 403
    output = stream.getvalue()
    lines = output.splitlines()
    assert "Not Found: /en/no-such-page/" in output
    assert "Internal Server Error: /boom/" in output
    assert "RuntimeError: failed for [client] via [client], [client]" in output
    assert "about to fail for [client]" in output  # a line logged without the request
    assert "Forbidden (CSRF cookie not set.): /admin/login/" in output
    for address in (ADDRESS, FORWARDED, IPV6):
        assert address not in output
    if kind == "json":
        records = [json.loads(line) for line in lines if line.startswith("{")]
        assert {r["logger"] for r in records} >= {"django.request", "django.security.csrf",
                                                  "samizdat.tests"}
        errors = [r for r in records if r["message"] == "Internal Server Error: /boom/"]
        assert errors[0]["level"] == "ERROR" and errors[0]["request"] == "GET /boom/"
        assert "Traceback" in errors[0]["exc_info"]
