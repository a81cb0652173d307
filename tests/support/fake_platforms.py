"""The messaging platforms' APIs, faked on loopback: records every call and answers like the real one.

    with FakePlatforms(tokens) as fake:
        env = {"TELEGRAM_API_URL": fake.url("telegram"), ...}
        ...
        fake.calls("telegram", "sendMessage")  # -> [Call(...)]

One threaded HTTP server serves all four under a prefix each: ``/telegram/bot<token>/<method>``,
``/twilio/2010-04-01/Accounts/<sid>/Messages.json``, ``/facebook/me/messages`` and
``/slack/<method>``. A wrong token is refused the way the platform refuses it, so a test
also proves the connector authenticates.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    platform: str
    endpoint: str  # "sendMessage", "Messages.json", "me/messages", "chat.postMessage"
    query: Dict[str, str]
    headers: Dict[str, str]
    body: Dict[str, Any]  # decoded JSON, or the form's fields


@dataclass(frozen=True)
class Tokens:
    telegram: str = "123456:TEST-telegram-token"
    twilio_sid: str = "AC00000000000000000000000000000000"
    twilio_token: str = "twilio-auth-token"
    facebook: str = "facebook-page-access-token"
    slack: str = "xoxb-slack-bot-token"


class FakePlatforms:
    def __init__(self, tokens: Tokens = Tokens()) -> None:
        self.tokens = tokens
        self._calls: List[Call] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                status, answer = fake._handle(self)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakePlatforms":
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, platform: str) -> str:
        """Base URL to configure, e.g. ``TELEGRAM_API_URL``."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/{platform}"

    def calls(self, platform: str, endpoint: Optional[str] = None) -> List[Call]:
        with self._lock:
            return [c for c in self._calls if c.platform == platform and endpoint in (None, c.endpoint)]

    def wait_for(self, platform: str, endpoint: str, count: int = 1, timeout: float = 10) -> List[Call]:
        """Calls once at least ``count`` arrived (for calls made in the background)."""
        deadline = time.monotonic() + timeout
        while len(self.calls(platform, endpoint)) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.calls(platform, endpoint)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    # --- answering like the platforms --------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> Tuple[int, Dict[str, Any]]:
        url = urlsplit(request.path)
        platform, _, rest = url.path.lstrip("/").partition("/")
        raw = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        if (request.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
            body: Dict[str, Any] = {
                k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()
            }
        else:
            body = json.loads(raw or b"{}")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        headers = {k.lower(): v for k, v in request.headers.items()}
        answer = getattr(self, f"_{platform}", None)
        if answer is None:
            return 404, {"error": "unknown platform"}
        status, payload, endpoint = answer(rest, query, headers, body)
        if status < 400 and payload.get("ok", True):  # only calls the platform accepted
            with self._lock:
                self._calls.append(Call(platform, endpoint, query, headers, body))
        return status, payload

    def _telegram(self, rest: str, query: Dict, headers: Dict, body: Dict) -> Tuple[int, Dict, str]:
        bot, _, method = rest.partition("/")
        if bot != f"bot{self.tokens.telegram}":
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, method
        if method == "sendMessage":
            result: Any = {
                "message_id": len(self._calls) + 1,
                "date": int(time.time()),
                "chat": {"id": int(body["chat_id"]), "type": "private"},
                "text": body["text"],
            }
            return 200, {"ok": True, "result": result}, method
        if method in ("setWebhook", "answerCallbackQuery"):
            return 200, {"ok": True, "result": True}, method
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, method

    def _twilio(self, rest: str, query: Dict, headers: Dict, body: Dict) -> Tuple[int, Dict, str]:
        expected = (
            "Basic "
            + base64.b64encode(f"{self.tokens.twilio_sid}:{self.tokens.twilio_token}".encode()).decode()
        )
        if rest != f"2010-04-01/Accounts/{self.tokens.twilio_sid}/Messages.json":
            return 404, {"code": 20404, "message": "The requested resource was not found"}, rest
        if headers.get("authorization") != expected:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}, "Messages.json"
        if not body.get("To") or not body.get("From") or not body.get("Body"):
            return 400, {"code": 21604, "message": "A 'To', 'From' and 'Body' are required"}, "Messages.json"
        return (
            201,
            {
                "sid": f"SM{len(self._calls):032d}",
                "status": "queued",
                "to": body["To"],
                "from": body["From"],
                "body": body["Body"],
            },
            "Messages.json",
        )

    def _facebook(self, rest: str, query: Dict, headers: Dict, body: Dict) -> Tuple[int, Dict, str]:
        if query.get("access_token") != self.tokens.facebook:
            return (
                400,
                {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}},
                rest,
            )
        return 200, {"recipient_id": body["recipient"]["id"], "message_id": f"m_{len(self._calls)}"}, rest

    def _slack(self, rest: str, query: Dict, headers: Dict, body: Dict) -> Tuple[int, Dict, str]:
        if headers.get("authorization") != f"Bearer {self.tokens.slack}":
            return 200, {"ok": False, "error": "invalid_auth"}, rest
        return 200, {"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}"}, rest
