"""The Support page's donation methods, with QR codes drawn on the server as inline SVG."""

import io

import segno
from django.db.models import Q
from django.utils.safestring import mark_safe

from samizdat.newsroom.models import DonationMethod


def qr_svg(data: str) -> str:
    """An SVG QR code with no scripts and no external references, safe to inline."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(
        buffer, kind="svg", scale=4, border=2, xmldecl=False, svgns=True,
        title=None, desc=None, svgclass="qr", lineclass=None, omitsize=False,
    )
    return buffer.getvalue().decode()


def donation_methods(edition) -> list[DonationMethod]:
    methods = list(
        DonationMethod.objects.filter(Q(edition=edition) | Q(edition__isnull=True))
    )
    for method in methods:
        # segno only draws modules: the SVG carries no text from the address itself.
        method.qr = mark_safe(qr_svg(method.address)) if method.address else ""  # noqa: S308
    return methods
