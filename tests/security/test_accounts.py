"""Sign-in lockout, Argon2, session rotation and revocation, the audit log's walls."""

import datetime
import ipaddress

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model

from samizdat.newsroom.models import AuditEntry
from tests.conftest import sign_in

from .test_second_factor import EN, PASSWORD, password_sign_in


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
    return 3


def fail(client, username, times):
    for _ in range(times):
        response = password_sign_in(client, username, "wrong password")
    return response


def test_lockout_after_the_limit_with_a_clear_message(client, editor, limit):
    response = fail(client, "editor", limit - 1)
    assert response.status_code == 200  # the ordinary "wrong password" form
    response = fail(client, "editor", 1)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "30 minutes" in response.content.decode()
    # Now even the right password is refused.
    assert password_sign_in(client, "editor").status_code == 429


def test_lockout_lifts_after_the_cool_off(client, editor, limit):
    fail(client, "editor", limit)
    assert password_sign_in(client, "editor").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=31)
    )
    response = password_sign_in(client, "editor")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/second-factor/")


def test_an_administrator_unlocks_an_account(client, staff, limit):
    from django.test import Client

    attacker = Client(REMOTE_ADDR="203.0.113.9")
    fail(attacker, "editor", limit)
    assert password_sign_in(Client(REMOTE_ADDR="198.51.100.7"), "editor").status_code == 429
    sign_in(client, staff["administrator"])
    response = client.post("/admin/auth/user/", {
        "action": "unlock_sign_in", "_selected_action": [staff["editor"].pk],
    }, follow=True, **EN)
    assert "1 account unlocked." in response.content.decode()
    assert password_sign_in(Client(REMOTE_ADDR="198.51.100.7"), "editor").status_code == 302
    assert AuditEntry.objects.filter(action="sign-in unlocked").exists()


def test_password_spraying_from_one_client_is_blocked(client, staff, limit):
    for name in ("admin", "editor", "contributor"):
        fail(client, name, 1)
    # A fourth account name, never tried before, is refused from the same client.
    assert password_sign_in(client, "moderator").status_code == 429


def test_no_raw_address_is_stored_for_failed_sign_ins(editor, limit):
    from django.test import Client

    fail(Client(REMOTE_ADDR="203.0.113.9"), "editor", 1)
    stored = AccessAttempt.objects.get().ip_address
    assert stored != "203.0.113.9"
    assert ipaddress.ip_address(stored) in ipaddress.ip_network("fd00::/8")


def test_passwords_are_hashed_with_argon2(staff):
    user = get_user_model().objects.get(username="editor")
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)


def test_signing_in_gives_a_new_session_key(client, editor):
    client.get("/admin/login/", **EN)
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    password_sign_in(client, "editor")
    assert client.session.session_key != before


def test_sign_out_everywhere_ends_existing_sessions(client, staff):
    from django.test import Client

    laptop, phone = Client(), Client()
    sign_in(laptop, staff["editor"])
    sign_in(phone, staff["editor"])
    assert phone.get("/admin/", **EN).status_code == 200
    sign_in(client, staff["administrator"])
    response = client.post("/admin/auth/user/", {
        "action": "sign_out_everywhere", "_selected_action": [staff["editor"].pk],
    }, follow=True, **EN)
    assert "1 account signed out everywhere." in response.content.decode()
    for device in (laptop, phone):
        response = device.get("/admin/newsroom/article/", **EN)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
        assert device.get("/admin/", **EN).status_code == 302  # stays signed out
    # The administrator's own session is untouched, and a fresh sign-in works again.
    assert client.get("/admin/", **EN).status_code == 200
    sign_in(laptop, staff["editor"])
    assert laptop.get("/admin/", **EN).status_code == 200


def test_resetting_the_second_factor_makes_the_member_enrol_again(client, staff):
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    member = Client()
    sign_in(member, staff["editor"])
    sign_in(client, staff["administrator"])
    client.post("/admin/auth/user/", {
        "action": "reset_second_factor", "_selected_action": [staff["editor"].pk],
    }, **EN)
    assert not TOTPDevice.objects.filter(user=staff["editor"]).exists()
    assert member.get("/admin/", **EN).status_code == 302
    response = password_sign_in(member, "editor")
    assert member.get(response["Location"], **EN)["Location"].startswith(
        "/admin/second-factor/enrol/")


def test_editors_cannot_read_or_change_the_audit_log(client, staff, make_article):
    make_article()
    entry = AuditEntry.objects.first()
    sign_in(client, staff["editor"])
    for url in ("/admin/newsroom/auditentry/", f"/admin/newsroom/auditentry/{entry.pk}/change/",
                f"/admin/newsroom/auditentry/{entry.pk}/delete/"):
        assert client.get(url, **EN).status_code == 403, url
    response = client.post(f"/admin/newsroom/auditentry/{entry.pk}/change/",
                           {"action": "forged"}, **EN)
    assert response.status_code == 403
    assert b"auditentry" not in client.get("/admin/", **EN).content
    # Nor can an editor see or change staff accounts, where the security actions live.
    assert client.get("/admin/auth/user/", **EN).status_code == 403
    entry.refresh_from_db()
    assert entry.action != "forged"
    sign_in(client, staff["administrator"])
    assert client.get("/admin/newsroom/auditentry/", **EN).status_code == 200
    response = client.post(f"/admin/newsroom/auditentry/{entry.pk}/change/",
                           {"action": "forged"}, **EN)
    entry.refresh_from_db()
    assert entry.action != "forged"


def test_role_changes_and_newsroom_settings_are_audited(client, staff, scaffold):
    from django.contrib.auth.models import Group

    sign_in(client, staff["administrator"])
    member = staff["contributor"]
    editors = Group.objects.get(name="editor")
    response = client.post(f"/admin/auth/user/{member.pk}/change/", {
        "username": member.username, "email": member.email, "is_active": "on",
        "is_staff": "on", "groups": [editors.pk],
        "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
    }, **EN)
    assert response.status_code == 302, response.content[:2000]
    assert member.groups.filter(name="editor").exists()
    entry = AuditEntry.objects.get(action="edit", object_type="auth.user")
    assert entry.actor_name == staff["administrator"].username
    assert "groups" in entry.details["fields"]
    section = scaffold["sections"]["en"][0]
    client.post(f"/admin/newsroom/section/{section.pk}/change/", {
        "edition": section.edition_id, "name": "Renamed", "slug": section.slug,
        "description": "", "position": section.position, "comment_policy": "default",
    }, **EN)
    assert AuditEntry.objects.filter(action="edit", object_type="newsroom.section",
                                     object_id=str(section.pk)).exists()
    tag = scaffold["tags"]["en"][0]
    client.post(f"/admin/newsroom/tag/{tag.pk}/delete/", {"post": "yes"}, **EN)
    assert AuditEntry.objects.filter(action="delete", object_type="newsroom.tag",
                                     object_repr=str(tag)).exists()


def test_an_administrator_setting_a_password_is_audited_and_ends_old_sessions(client, staff):
    from django.test import Client

    member = Client()
    sign_in(member, staff["editor"])
    assert member.get("/admin/", **EN).status_code == 200
    sign_in(client, staff["administrator"])
    new_password = "a different horse battery staple"
    response = client.post(f"/admin/auth/user/{staff['editor'].pk}/password/", {
        "password1": new_password, "password2": new_password, "usable_password": "true",
    }, **EN)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="password set by administrator")
    assert entry.object_id == str(staff["editor"].pk)
    assert entry.actor_name == staff["administrator"].username
    assert member.get("/admin/", **EN).status_code == 302


# --- Findings of the outside test (issue 22): the lockout cannot be reset from outside ----

def test_a_correct_password_does_not_forgive_failures_against_other_accounts(staff, limit):
    """Guessing a colleague's password between one's own sign-ins stays limited: a correct
    password (its first step) forgives nothing."""
    from django.test import Client

    insider = Client(REMOTE_ADDR="203.0.113.9")
    statuses = []
    for _ in range(3):
        statuses.append(fail(insider, "editor", 1).status_code)
        insider.cookies.clear()
        statuses.append(password_sign_in(insider, "contributor").status_code)
        insider.cookies.clear()
    assert statuses[:4] == [200, 302, 200, 302]
    # The third failure reached the limit: the client and the colleague's name are blocked.
    assert statuses[4] == 429 and statuses[5] == 429
    assert password_sign_in(Client(REMOTE_ADDR="198.51.100.7"), "editor").status_code == 429


def test_the_second_factor_forgives_that_accounts_failures_only(staff, limit):
    from django.test import Client

    from .test_second_factor import current_code, enrolled

    device = enrolled(staff["editor"])
    member = Client(REMOTE_ADDR="203.0.113.9")
    fail(member, "editor", 1)  # a typo
    fail(member, "contributor", 1)  # and a guess at a colleague's account
    assert password_sign_in(member, "editor").status_code == 302
    assert AccessAttempt.objects.filter(username="editor").exists()  # not yet forgiven
    response = member.post("/admin/second-factor/", {"code": current_code(device),
                                                     "next": "/admin/"}, **EN)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert not AccessAttempt.objects.filter(username="editor").exists()
    assert AccessAttempt.objects.filter(username="contributor").count() == 1


ONION = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion"


def test_failures_over_the_onion_without_circuits_do_not_lock_out_other_onion_staff(
        settings, staff, limit):
    """Every onion reader arrives from the tor daemon's address: there, only the account
    name is blocked, never the address (it would lock every onion user out at once)."""
    from django.test import Client

    settings.ONION_ADDRESS = ONION
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ONION]
    tor = Client(REMOTE_ADDR="127.0.0.1", HTTP_HOST=ONION)
    for name in ("admin", "contributor", "moderator"):
        fail(tor, name, 1)
    fail(tor, "moderator", limit)
    assert password_sign_in(tor, "moderator").status_code == 429  # that account is blocked
    assert password_sign_in(Client(REMOTE_ADDR="127.0.0.1", HTTP_HOST=ONION),
                            "editor").status_code == 302
    # The same failures from one clearnet address block that address.
    web = Client(REMOTE_ADDR="203.0.113.9")
    for name in ("admin", "contributor", "moderator"):
        fail(web, name, 1)
    assert password_sign_in(web, "editor").status_code == 429
