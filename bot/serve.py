"""Serves a trained model over HTTP without the ``rasa`` command line (``python -m bot.serve``).

    python -m bot.serve --model models/current.tar.gz --port 5005 [--endpoints endpoints.yml]

Same server as ``rasa run`` (Rasa's own ``configure_app`` and agent loading), minus what a
production bot does not need, each measured in docs/performance.md: the CLI's import of
every sub-command, two slow imports (``trim_imports``), the HTTP API (off unless
``RASA_ENABLE_API=1`` with ``RASA_JWT_SECRET``, or ``--enable-api``), and a cold first
reply (one throwaway parse before the port opens). ``SANIC_WORKERS`` > 1 needs a Redis
lock store (endpoints.production.yml). ``make run``, the tests and the benchmarks start it
through processes/catalogue.py; deploy/Dockerfile runs it as the image's command.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from functools import partial
from typing import List, Optional

# Before TensorFlow is imported (via rasa), or its C++ start-up logging costs time and noise.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
# Rasa's usage telemetry is off unless the practice opts in (RASA_TELEMETRY_ENABLED=true);
# rasa/telemetry.py reads this variable before its config file (docs/security.md, F13).
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def trim_imports() -> None:
    """Two import-order fixes, measured in docs/performance.md (about 8 s and 65 MB together).

    - TensorFlow imports jax only for TFLite conversion, which Rasa never does; a None entry
      in sys.modules makes that optional import fail fast, as TFLite allows.
    - skops (the LogisticRegressionClassifier's loader) builds its list of trusted types by
      scanning every loaded module; imported before TensorFlow, it scans hundreds, not thousands.
    """
    sys.modules.setdefault("jax", None)  # type: ignore[arg-type]
    import skops.io  # noqa: F401


logger = logging.getLogger("bot.serve")
WARM_UP_TEXT = "hello, what is psychodynamic therapy?"


async def warm_up(app, _loop) -> None:
    """Parses one message so TensorFlow traces its graphs now, not on a visitor's first message."""
    agent = getattr(app.ctx, "agent", None)
    if agent is not None and agent.is_ready():
        await agent.parse_message(WARM_UP_TEXT)  # parse only: nothing is written to the tracker store


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="models/current.tar.gz")
    parser.add_argument("--interface", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", "5005")))
    parser.add_argument("--endpoints", default="endpoints.yml")
    parser.add_argument("--credentials", default="credentials.yml")
    parser.add_argument("--enable-api", action="store_true", help="also serve Rasa's HTTP API")
    parser.add_argument(
        "--jwt-secret", help="the API's JWT secret (RASA_ENABLE_API=1 + RASA_JWT_SECRET set it)"
    )
    parser.add_argument("--jwt-method", default="HS256")
    parser.add_argument("--cors", nargs="*", help="origins allowed to call in (default: WEB_ALLOWED_ORIGINS)")
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false")
    parser.add_argument(
        "--no-trim-imports",
        dest="trim_imports",
        action="store_false",
        help="import as `rasa run` does (for measuring the difference)",
    )
    parser.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "INFO"))
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    from bot import settings

    # The API switch and the CORS origins come from the environment, wherever this is started.
    try:
        api_args = settings.rasa_api_args()
        # the secrets docs/security.md lists: mandatory with APP_ENV=production
        settings.rest_channel_token(), settings.action_server_token(), settings.conversation_id_key()
    except settings.ConfigurationError as error:
        sys.exit(f"Could not start: {error}")
    args = parse_args([*(sys.argv[1:] if argv is None else argv), *api_args])
    cors = settings.web_allowed_origins() if args.cors is None else args.cors
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.trim_imports:
        trim_imports()

    from rasa.core import run
    from rasa.core.utils import AvailableEndpoints, number_of_sanic_workers

    endpoints = AvailableEndpoints.read_endpoints(args.endpoints)
    app = run.configure_app(
        run.create_http_input_channels(None, args.credentials),
        cors=cors,
        enable_api=args.enable_api,
        jwt_secret=args.jwt_secret,
        jwt_method=args.jwt_method,
        port=args.port,
        endpoints=endpoints,
    )
    # What serve_application does, with warm-up registered after the model load (listeners
    # run in registration order, and serve_application registers its own ones last).
    app.register_listener(
        partial(run.load_agent_on_start, args.model, endpoints, None), "before_server_start"
    )
    if args.warm_up:
        app.register_listener(warm_up, "before_server_start")
    app.register_listener(run.close_resources, "after_server_stop")
    from rasa import telemetry

    # printed, not logged: Rasa's logging set-up can hide this module's INFO lines
    print(
        "Rasa telemetry:",
        "ON (RASA_TELEMETRY_ENABLED=true)" if telemetry.is_telemetry_enabled() else "off",
        flush=True,
    )
    logger.info("Serving %s on http://%s:%s", args.model, args.interface, args.port)
    app.run(
        host=args.interface,
        port=args.port,
        backlog=int(os.environ.get("SANIC_BACKLOG", "100")),
        workers=number_of_sanic_workers(endpoints.lock_store),
        access_log=False,
    )


if __name__ == "__main__":
    main()
