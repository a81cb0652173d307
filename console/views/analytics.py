"""Analytics: how many people came, what they asked, how often the bot failed or referred."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from console import charts
from console.db import analytics
from console.db import conversations as store
from console.events import channel_label, topic_label
from console.filters import Filters
from console.views import audited_query, config, engine, log, refresh_summary, zone

blueprint = Blueprint("analytics", __name__)


@blueprint.route("/analytics")
def show():
    refresh_summary()
    filters = Filters.parse(request.args)
    with engine().connect() as conn:
        numbers = analytics.compute(conn, filters)
        numbers.helpfulness = analytics.helpfulness(conn, filters, zone())
        channels, _ = store.filter_choices(conn)
    per_day = numbers.per_day
    figures = {
        "per_day": charts.column_chart(
            [(day[5:], n) for day, n, _, _ in per_day], "Conversations per day", width=1300, height=240
        ),
        "crisis_per_day": charts.column_chart(
            [(day[5:], crisis) for day, _, crisis, _ in per_day],
            "Crisis conversations per day",
            width=1300,
            height=180,
        ),
        "referral_per_day": charts.column_chart(
            [(day[5:], referral / n if n else 0) for day, n, _, referral in per_day],
            "Share of conversations offered the referral line, per day",
            width=1300,
            height=180,
            value_format="{:.0%}",
        ),
        "topics": charts.bar_chart(
            [(topic_label(topic), n) for topic, n in numbers.top_topics], "Top topics"
        ),
        "channels": charts.bar_chart(
            [(channel_label(c), n) for c, n in numbers.by_channel], "Conversations by channel"
        ),
        "helpfulness": charts.bar_chart(
            [(topic_label(h.topic), h.share) for h in numbers.helpfulness],
            "Share of votes saying the answer helped, per topic",
            value_format="{:.0%}",
            peak=1,
        ),
    }
    log("view_analytics", detail=audited_query())
    return render_template(
        "analytics.html",
        numbers=numbers,
        figures=figures,
        filters=filters,
        channels=channels,
        zone_name=config().timezone,
    )
