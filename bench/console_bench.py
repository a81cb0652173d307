"""Times the console's list, filters and analytics over a large history (``make bench-console``).

Each scenario is a real HTTP request through the Flask app (login session check, SQL,
template, audit log line), timed over several runs after a warm-up. Needs a database
seeded by ``python -m bench.console_seed``. Exits 1 if any median exceeds the budget.

    python -m bench.console_bench [--db-url URL] [--write docs/console-performance.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import List, Tuple

import sqlalchemy as sa

from console import auth
from console.app import create_app
from console.db import make_engine, schema, users
from console.settings import ConsoleConfig

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/console_bench"
BUDGET_MS = 300.0
USER, PASSWORD = "bench-admin", "bench password, long enough"


def scenarios() -> List[Tuple[str, str]]:
    today = date.today()
    month = f"date_from={(today - timedelta(days=30)).isoformat()}&date_to={today.isoformat()}"
    return [
        ("List, newest first", "/conversations"),
        ("List, page 500", "/conversations?page=500"),
        ("Filter: crisis", "/conversations?crisis=yes"),
        ("Filter: unanswered", "/conversations?unanswered=yes"),
        ("Filter: referral line offered", "/conversations?referral=yes"),
        ("Filter: not reviewed", "/conversations?reviewed=no"),
        ("Filter: tag", "/conversations?tag=safeguarding"),
        ("Filter: topic", "/conversations?topic=faq%2Fcost"),
        ("Filter: channel", "/conversations?channel=telegram"),
        ("Filter: last 30 days", f"/conversations?{month}"),
        ("Filter: free-text search", "/conversations?q=bupa"),
        ("Filter: combined", f"/conversations?{month}&channel=rest&unanswered=yes&reviewed=no"),
        ("Unanswered questions", "/unanswered"),
        ("Analytics, all time", "/analytics"),
        ("Analytics, last 30 days, one channel", f"/analytics?{month}&channel=socketio"),
    ]


def login(app, engine):
    with engine.connect() as conn:
        exists = users.get(conn, USER)
    if not exists:
        auth.create_user(engine, USER, PASSWORD, "admin")
    client = app.test_client()
    page = client.get("/login").text
    token = page.split('name="_csrf" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": USER, "password": PASSWORD, "_csrf": token})
    assert response.status_code == 302, "bench login failed"
    return client


def run(url: str, repeat: int) -> List[Tuple[str, str, float, float]]:
    engine = make_engine(url)
    app = create_app(ConsoleConfig(db_url=url), engine)
    client = login(app, engine)
    results = []
    for name, path in scenarios():
        client.get(path)  # warm-up: caches, query plans
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        results.append((name, path, statistics.median(times), max(times)))
        print(f"{name:<40} median {results[-1][2]:7.1f} ms   max {results[-1][3]:7.1f} ms", flush=True)
    return results


def report(url: str, results, repeat: int) -> str:
    engine = make_engine(url)
    with engine.connect() as conn:
        conversations = conn.execute(sa.select(sa.func.count()).select_from(schema.conversations)).scalar()
        events = conn.execute(sa.select(sa.func.count()).select_from(schema.events)).scalar()
        server = (
            conn.execute(sa.text("select version()")).scalar()
            if engine.dialect.name == "postgresql"
            else "SQLite"
        )
    lines = [
        "| Screen | Request | Median | Slowest |",
        "| --- | --- | ---: | ---: |",
        *(
            f"| {name} | `{path}` | {median:.0f} ms | {slowest:.0f} ms |"
            for name, path, median, slowest in results
        ),
        "",
        f"{conversations:,} conversations, {events:,} events; {repeat} timed runs per request after one warm-up; "
        f"{server.split(',')[0]}; Python {platform.python_version()}; {os.cpu_count()} CPU cores shared "
        f"with other work; measured {date.today().isoformat()}.",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db-url", default=os.environ.get("CONSOLE_BENCH_DB_URL", DEFAULT_URL))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--write", type=Path, help="replace the results table in this Markdown file")
    args = parser.parse_args(argv)
    results = run(args.db_url, args.repeat)
    if args.write:
        text = args.write.read_text(encoding="utf-8")
        start, end = "<!-- bench-console:start -->", "<!-- bench-console:end -->"
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        args.write.write_text(
            f"{before}{start}\n{report(args.db_url, results, args.repeat)}\n{end}{after}", encoding="utf-8"
        )
        print(f"Results written to {args.write}.")
    slow = [name for name, _, median, _ in results if median > BUDGET_MS]
    if slow:
        print(f"Over the {BUDGET_MS:.0f} ms budget: {', '.join(slow)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
