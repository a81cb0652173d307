"""Table definitions: Rasa's ``events`` (read, and deleted from by retention) and ``console_*``.

``events`` mirrors ``rasa.core.tracker_store.SQLTrackerStore.SQLEvent`` (a test checks they
agree) so the console need not import Rasa. Everything the console writes lives in tables
prefixed ``console_``: review state that staff create, and a summary derived from ``events``
that can always be rebuilt.
"""

from __future__ import annotations

import sqlalchemy as sa

rasa_metadata = sa.MetaData()
metadata = sa.MetaData()

events = sa.Table(
    "events",
    rasa_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

# --- bookkeeping -----------------------------------------------------------------------

schema_versions = sa.Table(
    "console_schema_versions",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.Float, nullable=False),
)

state = sa.Table(
    "console_state",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# --- staff and their sessions ----------------------------------------------------------

users = sa.Table(
    "console_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("must_change_password", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

sessions = sa.Table(
    "console_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # sha256 of the cookie value
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
)

audit = sa.Table(
    "console_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("username", sa.String(64)),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("target", sa.Text),
    sa.Column("detail", sa.Text),
    sa.Column("remote_addr", sa.String(64)),
)
sa.Index("ix_console_audit_user_action_at", audit.c.username, audit.c.action, audit.c.at)
# The login throttle counts failures per address too (migration 5).
sa.Index("ix_console_audit_addr_action_at", audit.c.remote_addr, audit.c.action, audit.c.at)

# --- the summary, derived from events (db/summary.py) ----------------------------------

conversations = sa.Table(
    "console_conversations",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("last_at", sa.Float, nullable=False),
    sa.Column("started_day", sa.String(10), nullable=False),  # local date, for per-day charts
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("user_messages", sa.Integer, nullable=False),
    sa.Column("bot_messages", sa.Integer, nullable=False),
    sa.Column("topics", sa.Text, nullable=False),  # space-separated, for display
    sa.Column("crisis", sa.Boolean, nullable=False),
    sa.Column("fallback_count", sa.Integer, nullable=False),
    sa.Column("low_confidence_count", sa.Integer, nullable=False),
    sa.Column("unanswered", sa.Boolean, nullable=False),
    sa.Column("referral_offered", sa.Boolean, nullable=False),
    sa.Column("first_message", sa.Text, nullable=False),
    sa.Column("search_text", sa.Text, nullable=False),  # users' messages, lower-cased
    sa.Column("last_event_id", sa.Integer, nullable=False),
    # migration 6: the page the visitor started on; any message in the risk check-in band
    sa.Column("start_page", sa.String(255), nullable=False, server_default=""),
    sa.Column("possible_risk", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("crisis_message", sa.Text, nullable=False, server_default=""),  # what set off the safety net
)
c = conversations.c
# Newest first is the default order; rare flags get partial indexes so "crisis, newest
# first" reads only crisis rows.
# (started_at, sender_id): the list's exact order, so a deep page is found in the index alone.
sa.Index("ix_console_conv_started_sender", c.started_at, c.sender_id)
sa.Index("ix_console_conv_last", c.last_at)
sa.Index("ix_console_conv_channel_started", c.channel, c.started_at)
for _flag in ("crisis", "unanswered", "referral_offered"):
    sa.Index(
        f"ix_console_conv_{_flag}",
        c.started_at,
        postgresql_where=c[_flag].is_(True),
        sqlite_where=c[_flag].is_(True),
    )

conversation_topics = sa.Table(
    "console_conversation_topics",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("topic", sa.String(255), primary_key=True),
    # copied from the conversation so per-topic analytics need no join
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("channel", sa.String(64), nullable=False),
)
sa.Index("ix_console_topics_topic_started", conversation_topics.c.topic, conversation_topics.c.started_at)
sa.Index("ix_console_topics_started", conversation_topics.c.started_at)

unanswered = sa.Table(
    "console_unanswered",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("normalized", sa.String(255), nullable=False, index=True),  # the group key
    sa.Column("intent", sa.String(255)),  # what the bot guessed
    sa.Column("confidence", sa.Float),
    sa.Column("fallback", sa.Boolean, nullable=False),
    # migration 7: a visitor voted the answer to this question not helpful (thumbs down)
    sa.Column("rated_unhelpful", sa.Boolean, nullable=False, server_default=sa.false()),
)

# Visitors' votes on FAQ answers (bot/nlg/feedback.py), one per answered topic per
# conversation (the latest vote counts), with the question the answer was for (migration 7).
feedback = sa.Table(
    "console_feedback",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),  # the vote's event
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("topic", sa.String(255), nullable=False),  # "faq/<id>", the answer voted on
    sa.Column("helpful", sa.Boolean, nullable=False),
    sa.Column("question_event_id", sa.Integer),  # the visitor's question that answer was for
)
sa.Index("ix_console_feedback_topic", feedback.c.topic)

# Visitor messages the NLU scored in the risk check-in band (below crisis): the crisis
# queue's "possible risk" list (migration 6).
risk_messages = sa.Table(
    "console_risk_messages",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("score", sa.Float),
    sa.Column("kinds", sa.String(255), nullable=False),
)

# --- review state, created by staff ----------------------------------------------------

# Visitor messages staff filed under the topic they should have reached: an unanswered
# question, or a wrong answer corrected from a transcript. One row per message, so
# deleting a conversation deletes its filings (console_assignments, keyed by the text,
# outlived the conversation; migration 5 replaced it).
filings = sa.Table(
    "console_filings",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),  # the visitor's words: the training example
    sa.Column("topic", sa.String(255), nullable=False),  # where it should have gone
    sa.Column("bot_topic", sa.String(255)),  # where the bot sent it
    sa.Column("reason", sa.String(16), nullable=False),  # "unanswered" or "wrong_answer"
    sa.Column("filed_by", sa.String(64), nullable=False),
    sa.Column("filed_at", sa.Float, nullable=False),
)
sa.Index("ix_console_filings_topic", filings.c.topic)

reviews = sa.Table(
    "console_reviews",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("reviewed_by", sa.String(64), nullable=False),
    sa.Column("reviewed_at", sa.Float, nullable=False),
)

tags = sa.Table(
    "console_tags",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("tag", sa.String(64), primary_key=True),
    sa.Column("added_by", sa.String(64), nullable=False),
    sa.Column("added_at", sa.Float, nullable=False),
)
sa.Index("ix_console_tags_tag", tags.c.tag)

notes = sa.Table(
    "console_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)

flags = sa.Table(
    "console_flags",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("flagged_by", sa.String(64), nullable=False),
    sa.Column("flagged_at", sa.Float, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

# Tables that hold something about one conversation: what deleting a conversation clears.
PER_CONVERSATION = (
    conversations,
    conversation_topics,
    unanswered,
    risk_messages,
    reviews,
    tags,
    notes,
    flags,
    filings,
    feedback,
)

# --- daily roll-ups of the summary, for analytics (db/rollups.py) -----------------------

daily = sa.Table(
    "console_daily",
    metadata,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("channel", sa.String(64), primary_key=True),
    sa.Column("conversations", sa.Integer, nullable=False),
    sa.Column("user_messages", sa.Integer, nullable=False),
    sa.Column("fallback_messages", sa.Integer, nullable=False),
    sa.Column("low_confidence_messages", sa.Integer, nullable=False),
    sa.Column("crisis", sa.Integer, nullable=False),
    sa.Column("referral", sa.Integer, nullable=False),
    sa.Column("unanswered", sa.Integer, nullable=False),
)

daily_topics = sa.Table(
    "console_daily_topics",
    metadata,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("channel", sa.String(64), primary_key=True),
    sa.Column("topic", sa.String(255), primary_key=True),
    sa.Column("conversations", sa.Integer, nullable=False),
)
sa.Index("ix_console_conv_started_day", conversations.c.started_day)
