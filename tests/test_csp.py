"""The Content-Security-Policy: strict on reader pages, just wide enough in the admin."""

import re

from tests.conftest import sign_in


def test_reader_pages_forbid_inline_script_and_style(client, scaffold):
    response = client.get("/en/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_admin_allows_the_editor_import_map_by_hash_only(client, staff):
    sign_in(client, staff["editor"])
    response = client.get("/admin/newsroom/article/add/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script_src
    assert re.search(r"'sha256-[A-Za-z0-9+/=]+'", script_src)
    assert b'<script type="importmap"' in response.content


def test_the_policy_built_once_is_django_csps_and_follows_the_settings(client, scaffold, settings):
    # Reader responses get the policy built once per process (samizdat.security.csp.CSPMiddleware):
    # it must be exactly what django-csp builds, and a settings change must reach it.
    from csp.utils import build_policy

    assert client.get("/en/")["Content-Security-Policy"] == build_policy()
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'self'"]}}
    policy = client.get("/en/missing-page/")["Content-Security-Policy"]  # not a kept page
    assert policy == build_policy() and "data:" not in policy
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    response = client.get("/en/another-missing-page/")
    assert response["Content-Security-Policy"] == policy
    assert response["Content-Security-Policy-Report-Only"] == "default-src 'none'"
