"""The action server: rasa-sdk's app on 127.0.0.1, refusing calls without the shared secret.

    python -m processes.action_server [--actions actions] [--port 5055]

rasa-sdk 3.6 listens on ``SANIC_HOST`` (default 0.0.0.0) and runs any action for anyone who
posts to ``/webhook``, e.g. ``action_flag_crisis`` for a made-up conversation. Here the
default host is 127.0.0.1 (containers set ``SANIC_HOST=0.0.0.0`` and sit on a private
network), and when ``ACTION_SERVER_TOKEN`` is set (required with ``APP_ENV=production``)
every request except ``/health`` must carry it in ``X-Action-Token``: endpoints*.yml make
the Rasa server send it. Only rasa-sdk and the standard library, so the actions image needs
no more of the bot than this file.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from typing import List, Optional

TOKEN_HEADER = "X-Action-Token"
OPEN_PATHS = {"/health"}  # for load balancers and health checks: says nothing
MIN_TOKEN_CHARS = 32

logger = logging.getLogger("processes.action_server")


def required_token(environ=os.environ) -> str:
    """The shared secret, or "" when none is configured (refused in production)."""
    token = environ.get("ACTION_SERVER_TOKEN", "").strip()
    production = environ.get("APP_ENV", "").strip().lower() == "production"
    if (token and len(token) < MIN_TOKEN_CHARS) or (production and not token):
        raise SystemExit(
            f"ACTION_SERVER_TOKEN must be a random secret of at least {MIN_TOKEN_CHARS} characters"
            + (" (required with APP_ENV=production)." if production else ".")
        )
    return token


def allowed(token: str, path: str, given: Optional[str]) -> bool:
    """Whether a request to ``path`` carrying ``given`` in ``X-Action-Token`` may proceed."""
    if not token or path in OPEN_PATHS:
        return True
    return hmac.compare_digest((given or "").encode(), token.encode())


def create_app(actions: str, token: str):
    from rasa_sdk.endpoint import create_app as sdk_app
    from sanic import response

    app = sdk_app(actions, cors_origins=[])  # only the Rasa server calls it, never a browser

    @app.on_request
    async def check_token(request):
        if allowed(token, request.path, request.headers.get(TOKEN_HEADER)):
            return None
        logger.warning("Refused an action call without the shared secret from %s", request.ip)
        return response.json({"error": "forbidden"}, status=403)

    return app


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--actions", default="actions")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTION_PORT", "5055")))
    parser.add_argument("--host", default=os.environ.get("SANIC_HOST", "127.0.0.1"))
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    token = required_token()
    app = create_app(args.actions, token)
    logger.info(
        "Action server on http://%s:%s (%s)",
        args.host,
        args.port,
        "shared secret required" if token else "no shared secret: development only",
    )
    from rasa_sdk import utils

    app.run(args.host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
