"""Log lines that never hold a reader's address, as plain text or as JSON lines.

Django's request loggers (django.request, django.security.*) attach the request to the
record, and a JSON formatter prints every attribute of a record; runserver's attaches the
socket, whose repr holds the peer's address. NoClientAddress, on every handler, replaces
that attribute with the method and path, and removes the addresses of the request being
answered (REMOTE_ADDR, X-Forwarded-For and the like, as sent) from the message, its
arguments, the traceback and every other attribute, whichever logger wrote the line.
"""

import contextvars
import ipaddress
import logging
import re

# The request this thread is answering, set by monitoring.middleware, so that lines logged
# without it (a view's own logger, a library's) can be cleaned of its addresses too.
current_request = contextvars.ContextVar("samizdat_current_request", default=None)

ADDRESS_HEADERS = ("REMOTE_ADDR", "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED",
                   "HTTP_CF_CONNECTING_IP", "HTTP_TRUE_CLIENT_IP")
REDACTED = "[client]"
# Attributes every record has: not extras, and (but for the text ones) holding no address.
STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def client_addresses(request) -> list[str]:
    """The addresses a request names for its client, longest first (for replacing)."""
    meta = getattr(request, "META", None)
    if not isinstance(meta, dict):
        return []
    found = set()
    for header in ADDRESS_HEADERS:
        for part in re.split(r"[,;\s]+", str(meta.get(header, ""))):
            part = part.strip().strip('"')
            if part.lower().startswith("for="):
                part = part[4:].strip('"')
            part = part.strip("[]")
            if part.count(":") == 1 and "." in part:  # "192.0.2.1:1234"
                part = part.split(":")[0]
            try:
                address = ipaddress.ip_address(part)
            except ValueError:
                continue
            if not address.is_loopback and not address.is_unspecified:
                found.add(part)
    return sorted(found, key=len, reverse=True)


def _describe(request) -> str:
    method = getattr(request, "method", None)
    path = getattr(request, "path", None)
    return f"{method} {path}" if isinstance(method, str) and isinstance(path, str) else "-"


def scrub(text: str, addresses: list[str]) -> str:
    for address in addresses:
        text = text.replace(address, REDACTED)
    return text


class NoClientAddress(logging.Filter):
    """Lets every record through, without the client's address (see the module's doc)."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        addresses = []
        attached = record.__dict__.get("request")
        if attached is not None:
            addresses = client_addresses(attached)
            record.request = _describe(attached)
        current = current_request.get()
        if current is not None:
            addresses = sorted({*addresses, *client_addresses(current)}, key=len, reverse=True)
        if not addresses:
            return True
        record.msg = scrub(record.getMessage(), addresses)
        record.args = ()
        if record.exc_info:
            record.exc_text = scrub(self._formatter.formatException(record.exc_info),
                                    addresses)
            record.exc_info = None  # formatters print exc_text instead
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text, addresses)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info, addresses)
        for key, value in list(record.__dict__.items()):
            if key in STANDARD:
                continue
            if isinstance(value, str):
                setattr(record, key, scrub(value, addresses))
            elif not isinstance(value, int | float | bool | type(None)):
                setattr(record, key, scrub(repr(value), addresses))
        return True

