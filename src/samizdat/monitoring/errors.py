"""Error reports to a Sentry-compatible server (SAMIZDAT_SENTRY_DSN), without readers in them.

The SDK is told to send nothing personal (`send_default_pii=False`, no local variables, no
request bodies, no sessions, no tracing), and `before_send` drops what it would still attach
about the request: headers (X-Forwarded-For among them), cookies, the query string, the
environment and any user; the addresses of the request being answered are removed from every
string left in the event.
"""

from typing import Any

from .logs import REDACTED, client_addresses, current_request

KEPT_REQUEST_KEYS = ("method", "url")


def _scrub(value: Any, addresses: list[str]) -> Any:
    if isinstance(value, str):
        for address in addresses:
            value = value.replace(address, REDACTED)
        return value
    if isinstance(value, dict):
        return {key: _scrub(item, addresses) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item, addresses) for item in value]
    return value


def before_send(event: dict, hint: dict) -> dict:
    request = event.get("request")
    if isinstance(request, dict):
        event["request"] = {key: request[key] for key in KEPT_REQUEST_KEYS if key in request}
        if "url" in event["request"]:
            event["request"]["url"] = event["request"]["url"].split("?")[0]
    event.pop("user", None)
    meta = event.get("_meta")
    if isinstance(meta, dict):
        meta.pop("request", None)  # notes on what was removed name the headers it had
    addresses = client_addresses(current_request.get())
    return _scrub(event, addresses) if addresses else event


def init(dsn: str, environment: str = "production") -> None:
    """Start reporting errors to `dsn` (settings.py calls this when SAMIZDAT_SENTRY_DSN is
    set)."""
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        auto_session_tracking=False,
        before_send=before_send,
    )
