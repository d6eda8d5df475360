"""Security actions: enrolling and checking second factors, ending sessions, unlocking."""

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from samizdat import clients
from samizdat.newsroom.services import audit

from .models import StaffSecurity

RECOVERY_CODES = 10
SESSION_LOGIN_AT = "samizdat_login_at"


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp(user) -> TOTPDevice:
    """The authenticator being enrolled: one unconfirmed device, kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def confirm_totp(request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm an enrolment with a first code; return the new recovery codes, or None."""
    if not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_recovery_codes(request.user)
    _mark_verified(request, device)
    audit(request.user, "second factor enrolled", request.user)
    return codes


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with fresh single-use ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def verify_second_factor(request, code: str) -> bool:
    """Check an authenticator code or a recovery code; a used code never works again."""
    device = match_token(request.user, code.replace(" ", ""))
    if device is None:
        audit(request.user, "second factor refused", request.user)
        return False
    _mark_verified(request, device)
    if isinstance(device, StaticDevice):
        audit(request.user, "recovery code used", request.user,
              remaining=device.token_set.count())
    return True


def _mark_verified(request, device) -> None:
    otp_login(request, device)
    # A new session key once fully signed in: a key fixed before sign-in is worthless.
    request.session.cycle_key()
    forgive_failures(request.user)


def forgive_failures(user) -> int:
    """Forget the failed sign-ins recorded against this account, and only those: failures
    from the same client against other accounts stay counted (a password alone never
    forgives, or guessing a colleague's password between one's own sign-ins would be
    unlimited)."""
    from axes.utils import reset

    return reset(username=user.get_username())


def lockout_parameters(request_or_attempt, credentials=None) -> list[str]:
    """What django-axes blocks after too many failures: the account name, and the client
    unless the client is the onion audience's shared address."""
    if isinstance(request_or_attempt, HttpRequest) and clients.is_shared(request_or_attempt):
        return ["username"]
    return ["username", "ip_address"]


def sign_out_everywhere(user, actor) -> None:
    """End every session the user has, on every device, from their next request on."""
    StaffSecurity.objects.update_or_create(
        user=user, defaults={"sessions_valid_after": timezone.now()}
    )
    audit(actor, "signed out everywhere", user)


@transaction.atomic
def reset_second_factor(user, actor) -> None:
    """Forget the user's authenticator and recovery codes; they enrol again at next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    sign_out_everywhere(user, actor)
    audit(actor, "second factor reset", user)


def unlock(user, actor) -> int:
    """Lift a sign-in lockout on the user's name."""
    from axes.utils import reset

    count = reset(username=user.get_username())
    audit(actor, "sign-in unlocked", user, attempts_cleared=count)
    return count


def session_is_revoked(request) -> bool:
    started = request.session.get(SESSION_LOGIN_AT)
    valid_after = (
        StaffSecurity.objects.filter(user=request.user)
        .values_list("sessions_valid_after", flat=True).first()
    )
    return bool(valid_after and (started is None or started < valid_after.timestamp()))
