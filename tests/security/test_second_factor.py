"""The admin opens only after a password and a second factor; codes work once."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from samizdat.newsroom.models import AuditEntry

PASSWORD = "correct horse battery staple"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def password_sign_in(client, username, password=PASSWORD):
    return client.post("/admin/login/?next=/admin/newsroom/article/",
                       {"username": username, "password": password,
                        "next": "/admin/newsroom/article/"}, **EN)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def test_a_password_alone_does_not_open_the_admin(client, editor):
    response = password_sign_in(client, "editor")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/second-factor/")
    for url in ("/admin/", "/admin/newsroom/article/", "/admin/newsroom/article/add/"):
        response = client.get(url, **EN)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    # The login page sends a half-signed-in member on to the second factor, not to the admin.
    response = client.get("/admin/login/?next=/admin/", **EN)
    assert response["Location"].startswith("/admin/second-factor/")


def test_enrolment_shows_a_qr_code_and_refuses_a_wrong_first_code(client, editor):
    password_sign_in(client, "editor")
    response = client.get("/admin/second-factor/?next=/admin/", follow=True, **EN)
    assert response.redirect_chain[-1][0].startswith("/admin/second-factor/enrol/")
    html = response.content.decode()
    assert "<svg" in html and 'id="totp-secret"' in html
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    wrong = f"{(int(current_code(device)) + 1) % 10**6:06d}"
    response = client.post("/admin/second-factor/enrol/", {"code": wrong}, **EN)
    assert "This code does not match" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/admin/", **EN).status_code == 302


def test_enrolment_with_the_right_code_opens_the_admin_and_shows_recovery_codes(client, editor):
    password_sign_in(client, "editor")
    client.get("/admin/second-factor/enrol/", **EN)
    device = TOTPDevice.objects.get(user=editor)
    key_before = client.session.session_key
    response = client.post("/admin/second-factor/enrol/",
                           {"code": current_code(device), "next": "/admin/"}, **EN)
    assert response.status_code == 200
    codes = StaticToken.objects.filter(device__user=editor).values_list("token", flat=True)
    assert len(codes) == 10
    html = response.content.decode()
    assert all(code in html for code in codes)
    assert client.session.session_key != key_before  # a new key once fully signed in
    assert client.get("/admin/newsroom/article/", **EN).status_code == 200
    assert AuditEntry.objects.filter(action="second factor enrolled", object_id=editor.pk).exists()


def test_an_enrolled_member_cannot_enrol_a_new_authenticator_with_the_password(client, editor):
    enrolled(editor)
    password_sign_in(client, "editor")
    response = client.get("/admin/second-factor/enrol/", **EN)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/second-factor/")
    assert TOTPDevice.objects.filter(user=editor).count() == 1


def test_a_wrong_code_is_refused(client, editor):
    device = enrolled(editor)
    password_sign_in(client, "editor")
    wrong = f"{(int(current_code(device)) + 5) % 10**6:06d}"
    response = client.post("/admin/second-factor/", {"code": wrong}, **EN)
    assert response.status_code == 200
    assert "This code is wrong, expired or already used." in response.content.decode()
    assert client.get("/admin/", **EN).status_code == 302
    assert AuditEntry.objects.filter(action="second factor refused").count() == 1


def test_a_replayed_code_is_refused(client, editor):
    device = enrolled(editor)
    code = current_code(device)
    password_sign_in(client, "editor")
    response = client.post("/admin/second-factor/", {"code": code, "next": "/admin/"}, **EN)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/", **EN).status_code == 200
    client.logout()
    # Someone who watched the code being typed tries it a moment later.
    password_sign_in(client, "editor")
    response = client.post("/admin/second-factor/", {"code": code}, **EN)
    assert "already used" in response.content.decode()
    assert client.get("/admin/", **EN).status_code == 302


def test_a_recovery_code_works_once(client, editor):
    from samizdat.security import services

    enrolled(editor)
    recovery = services.new_recovery_codes(editor)[0]
    password_sign_in(client, "editor")
    response = client.post("/admin/second-factor/", {"code": recovery}, **EN)
    assert response.status_code == 302
    assert client.get("/admin/", **EN).status_code == 200
    client.logout()
    password_sign_in(client, "editor")
    response = client.post("/admin/second-factor/", {"code": recovery}, **EN)
    assert response.status_code == 200
    assert client.get("/admin/", **EN).status_code == 302
    assert StaticToken.objects.filter(device__user=editor).count() == 9


def test_renewed_recovery_codes_replace_the_old_ones(client, editor):
    from samizdat.security import services
    from tests.conftest import sign_in

    old = services.new_recovery_codes(editor)
    sign_in(client, editor)
    response = client.post("/admin/second-factor/recovery-codes/", **EN)
    new = list(StaticToken.objects.filter(device__user=editor).values_list("token", flat=True))
    assert len(new) == 10 and not set(old) & set(new)
    assert all(code in response.content.decode() for code in new)


def test_preview_needs_the_second_factor_too(client, editor, make_article):
    from samizdat.site.preview import make_token

    article = make_article(status="draft")
    client.force_login(editor)  # password only
    response = client.get(f"/en/preview/{make_token(article)}/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_next_never_leads_off_the_site(client, editor, target):
    device = enrolled(editor)
    password_sign_in(client, "editor")
    response = client.post("/admin/second-factor/",
                           {"code": current_code(device), "next": target}, **EN)
    assert response["Location"] == "/admin/"
