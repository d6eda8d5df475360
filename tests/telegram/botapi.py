"""A local stand-in for Telegram's Bot API: the methods Samizdat calls, with Telegram's answer
shapes, limits and errors, on a loopback port (tests/telegram, bench/telegram.py).

Every call is recorded (method, parameters, uploaded files); `fail` scripts the next answers
of a method (429 with retry_after, 403, 401, 400); `hold` keeps a method's answer back until
released, as a slow network would.
"""

import html
import json
import re
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.net import free_port

TOKEN = "123456:TEST-token-for-the-stand-in"
CAPTION_LIMIT, TEXT_LIMIT = 1024, 4096


@dataclass
class Call:
    method: str
    params: dict
    files: dict = field(default_factory=dict)  # field name -> (filename, content type, bytes)
    at: float = 0.0


def visible_length(text: str) -> int:
    """Telegram's count after parsing HTML entities, in UTF-16 units."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    return len(plain.encode("utf-16-le")) // 2


def _error(code: int, description: str, retry_after: int | None = None) -> dict:
    answer = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        answer["parameters"] = {"retry_after": retry_after}
    return answer


class BotAPI:
    def __init__(self, token: str = TOKEN):
        self.token = token
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, int], dict] = {}
        self.scripted: dict[str, list[dict]] = {}
        self.held: dict[str, threading.Event] = {}
        self.arrived = threading.Condition()
        self._next_id = 100
        self._lock = threading.Lock()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        for event in self.held.values():
            event.set()
        self.server.shutdown()
        self.server.server_close()

    # --- scripting ---

    def fail(self, method: str, code: int, description: str, retry_after: int | None = None,
             times: int = 1) -> None:
        self.scripted.setdefault(method, []).extend(
            [_error(code, description, retry_after)] * times)

    def hold(self, method: str) -> threading.Event:
        """The method's next answers wait until the returned event is set."""
        self.held[method] = threading.Event()
        return self.held[method]

    def calls_of(self, *methods: str) -> list[Call]:
        return [c for c in self.calls if c.method in methods]

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Call]:
        """Block until `count` calls have arrived (for a worker in another process)."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.calls) >= count, timeout)
        return self.calls

    def in_channel(self, chat_id: str) -> dict[int, dict]:
        return {mid: m for (chat, mid), m in self.messages.items() if chat == chat_id}

    # --- the API ---

    def answer(self, token: str, method: str, params: dict, files: dict) -> dict:
        if token != self.token:
            return _error(401, "Unauthorized")
        scripted = self.scripted.get(method)
        if scripted:
            return scripted.pop(0)
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return _error(404, "Not Found")
        with self._lock:
            return handler(params, files)

    def _new(self, chat, content: dict) -> dict:
        self._next_id += 1
        self.messages[(chat, self._next_id)] = content
        return {"ok": True, "result": {"message_id": self._next_id, "date": int(time.time()),
                                       "chat": {"id": -1001234567890, "type": "channel"},
                                       **content}}

    def _sendMessage(self, params, files):  # noqa: N802 - Telegram's method names
        if visible_length(params.get("text", "")) > TEXT_LIMIT:
            return _error(400, "Bad Request: message is too long")
        reply = params.get("reply_parameters") or {}
        if reply and (params["chat_id"], reply.get("message_id")) not in self.messages \
                and not reply.get("allow_sending_without_reply"):
            return _error(400, "Bad Request: message to be replied not found")
        return self._new(params["chat_id"], {"text": params.get("text", ""),
                                             "reply_to": reply.get("message_id")})

    def _sendPhoto(self, params, files):  # noqa: N802
        if "photo" not in files:
            return _error(400, "Bad Request: there is no photo in the request")
        if visible_length(params.get("caption", "")) > CAPTION_LIMIT:
            return _error(400, "Bad Request: message caption is too long")
        return self._new(params["chat_id"], {"caption": params.get("caption", ""),
                                             "photo_bytes": len(files["photo"][2])})

    def _edit(self, params, key, value, limit):
        message = self.messages.get((params["chat_id"], int(params["message_id"])))
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        if visible_length(value) > limit:
            return _error(400, "Bad Request: message caption is too long" if key == "caption"
                          else "Bad Request: message is too long")
        if message.get(key) == value:
            return _error(400, "Bad Request: message is not modified: specified new message "
                               "content and reply markup are exactly the same as a current "
                               "content and reply markup of the message")
        message[key] = value
        return {"ok": True, "result": {"message_id": int(params["message_id"]), **message}}

    def _editMessageText(self, params, files):  # noqa: N802
        return self._edit(params, "text", params.get("text", ""), TEXT_LIMIT)

    def _editMessageCaption(self, params, files):  # noqa: N802
        return self._edit(params, "caption", params.get("caption", ""), CAPTION_LIMIT)

    def _editMessageMedia(self, params, files):  # noqa: N802
        message = self.messages.get((params["chat_id"], int(params["message_id"])))
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        if "photo" not in files:
            return _error(400, "Bad Request: there is no photo in the request")
        message["caption"] = (params.get("media") or {}).get("caption", "")
        message["photo_bytes"] = len(files["photo"][2])
        return {"ok": True, "result": {"message_id": int(params["message_id"]), **message}}

    def _deleteMessage(self, params, files):  # noqa: N802
        if self.messages.pop((params["chat_id"], int(params["message_id"])), None) is None:
            return _error(400, "Bad Request: message to delete not found")
        return {"ok": True, "result": True}

    # --- HTTP ---

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                match = re.fullmatch(r"/bot([^/]+)/(\w+)", self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if match is None:
                    return self._send(404, _error(404, "Not Found"))
                token, method = match.groups()
                params, files = _parse(self.headers.get("Content-Type", ""), body)
                call = Call(method, params, files, time.monotonic())
                held = api.held.get(method)
                with api.arrived:
                    api.calls.append(call)
                    api.arrived.notify_all()
                if held is not None:
                    held.wait(30)
                answer = api.answer(token, method, params, files)
                code = 200 if answer["ok"] else answer["error_code"]
                self._send(code, answer)

            def _send(self, code, answer):
                data = json.dumps(answer).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the caller died waiting (a killed worker): Telegram posted anyway

        return Handler


def _parse(content_type: str, body: bytes) -> tuple[dict, dict]:
    if content_type.startswith("application/json"):
        return json.loads(body or b"{}"), {}
    if not content_type.startswith("multipart/form-data"):
        return {}, {}
    message = BytesParser(policy=policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    params, files = {}, {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        data = part.get_payload(decode=True)
        if filename:
            files[name] = (filename, part.get_content_type(), data)
        else:
            text = data.decode()
            try:
                params[name] = json.loads(text) if text[:1] in "{[" or text in (
                    "true", "false") else text
            except ValueError:
                params[name] = text
    return params, files
