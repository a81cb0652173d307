"""The benchmark's load generator and report, against a tiny local stand-in for Rasa."""

import asyncio

import pytest
from aiohttp import web

from bench import loadgen, report


async def start_fake_rasa(delay: float):
    async def webhook(request):
        body = await request.json()
        await asyncio.sleep(delay)
        return web.json_response([{"recipient_id": body["sender"], "text": "hi"}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}/webhooks/rest/webhook"


def test_open_loop_keeps_its_schedule_and_counts_latency_from_when_each_message_was_due():
    async def scenario():
        runner, url = await start_fake_rasa(delay=0.05)
        try:
            return await loadgen.open_loop(url, ["a", "b"], rate=40, seconds=1.0, conversations=5)
        finally:
            await runner.cleanup()

    result = asyncio.run(scenario())
    assert result.sent == 40 and result.ok == 40 and result.errors == 0
    assert min(result.latencies_ms) >= 50  # the server's delay is always included
    assert result.duration < 1.0 + 0.5  # sending did not wait for replies


def test_closed_loop_throughput_is_bounded_by_senders_over_latency():
    async def scenario():
        runner, url = await start_fake_rasa(delay=0.05)
        try:
            return await loadgen.closed_loop(url, ["a"], senders=2, seconds=1.0)
        finally:
            await runner.cleanup()

    result = asyncio.run(scenario())
    assert result.errors == 0
    assert 20 <= result.throughput <= 2 / 0.05 + 1  # at most 2 senders x 20 replies a second


def test_load_goes_to_this_machine_only():
    with pytest.raises(ValueError):
        asyncio.run(loadgen.open_loop("http://10.0.0.1:5005/webhooks/rest/webhook", ["a"], 1, 1))


def test_rounds_are_pooled_and_sections_replaced_in_place(tmp_path):
    def load(round_no, latencies):
        summary = {
            "phase": "closed@8",
            "ok": len(latencies),
            "errors": 0,
            "duration": 1.0,
            "throughput": float(len(latencies)),
            "server_cpu_ms_per_msg": 10.0,
            "rss_peak_mb": 500.0 + round_no,
            "load_after": {"load1": 1.0},
        }
        return {
            "round": round_no,
            "setup": "product",
            "kind": "load",
            "summary": summary,
            "latencies_ms": latencies,
        }

    records = [
        {
            "round": r,
            "setup": "product",
            "kind": "start",
            "ready_seconds": 10.0 + r,
            "idle_rss_mb": 400.0,
            "first_reply_ms": 30.0,
        }
        for r in (0, 1)
    ]
    records += [load(0, [10.0] * 10), load(1, [30.0] * 10)]
    phase = report.aggregate(records)["product"]["phases"]["closed@8"]
    assert phase["throughput"] == 10.0 and phase["ok"] == 20 and phase["rss_peak_mb"] == 501.0
    assert phase["p50_ms"] == 30.0 and phase["p95_ms"] == 30.0

    doc = tmp_path / "performance.md"
    doc.write_text("intro\n\n<!-- bench:x -->\nold\n<!-- /bench:x -->\n\nafter\n")
    report.write_section(doc, "x", "new table")
    assert doc.read_text() == "intro\n\n<!-- bench:x -->\nnew table\n<!-- /bench:x -->\n\nafter\n"
