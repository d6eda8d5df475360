"""A small Bot API client: one POST per method, JSON in, JSON out, files as multipart.

The standard library's urllib, not python-telegram-bot or aiogram (docs/telegram.md says
why): five methods, called from a synchronous task, need nothing more.
"""

import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass
class Upload:
    """A file sent with the request itself (multipart), so Telegram fetches nothing."""

    name: str
    data: bytes
    content_type: str


class BotAPIError(Exception):
    """Telegram said no (`code` is its error_code) or could not be reached (`code` None)."""

    def __init__(self, method: str, code: int | None, description: str,
                 retry_after: int | None = None):
        super().__init__(f"{method}: {code or 'no answer'} {description}".strip())
        self.method = method
        self.code = code
        self.description = description
        self.retry_after = retry_after

    @property
    def permanent(self) -> bool:
        """Trying the same call again cannot succeed: a bad token, a bot removed from the
        channel, a request Telegram refuses. Rate limits and server or network failures pass."""
        return self.code is not None and self.code != 429 and 400 <= self.code < 500


class Bot:
    def __init__(self, token: str, base_url: str, timeout: float = 30.0):
        self.token = token
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def call(self, method: str, params: dict, files: dict[str, Upload] | None = None) -> dict:
        """Call `method` and return its `result`, or raise BotAPIError."""
        if files:
            body, content_type = _multipart(params, files)
        else:
            body, content_type = json.dumps(params).encode(), "application/json"
        request = urllib.request.Request(  # noqa: S310 - the address is the operator's setting
            f"{self.base_url}/bot{self.token}/{method}", data=body, method="POST",
            headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            raw = error.read()
            answer = _json(raw)
            if not answer:
                raise BotAPIError(method, error.code, self._clean(str(error.reason))) from None
        except (OSError, ValueError) as error:  # refused, reset, timed out, bad address
            raise BotAPIError(method, None, self._clean(str(error))) from None
        answer = _json(raw)
        if answer.get("ok") is True:
            return answer.get("result")
        parameters = answer.get("parameters") or {}
        raise BotAPIError(method, answer.get("error_code") or 500,
                          self._clean(str(answer.get("description", ""))),
                          retry_after=parameters.get("retry_after"))

    def _clean(self, text: str) -> str:
        """The token must not reach an error message, a log line or the admin."""
        return text.replace(self.token, "…") if self.token else text


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _multipart(params: dict, files: dict[str, Upload]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in params.items():
        if not isinstance(value, str):
            value = json.dumps(value)
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     .encode() + value.encode() + b"\r\n")
    for field, upload in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{upload.name}"\r\nContent-Type: {upload.content_type}\r\n\r\n'.encode()
            + upload.data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
