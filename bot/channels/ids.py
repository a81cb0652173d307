"""Conversation ids owned by the server: every channel files its conversations under its own prefix.

A REST client naming ``whatsapp:+4477…`` or a widget session lands in ``rest:whatsapp:+4477…``,
a conversation only REST can reach: no channel can write into another's conversations.
``web:`` is the widget socket's (bot/channels/widget.py) and nothing else's. The platform's own
id (a chat id, a phone number) is what follows the prefix; connectors strip it to reply.
"""

from __future__ import annotations

NAMESPACES = ("rest", "web", "telegram", "twilio", "slack", "messenger")


def conversation_id(namespace: str, platform_id: str) -> str:
    if namespace not in NAMESPACES:
        raise ValueError(f"unknown conversation namespace {namespace!r}")
    return f"{namespace}:{platform_id}"


def platform_id(conversation: str, namespace: str) -> str:
    """The id to reply to: ``conversation`` without ``namespace:`` (unchanged if it has none)."""
    prefix = f"{namespace}:"
    return conversation[len(prefix) :] if conversation.startswith(prefix) else conversation


def namespace_of(conversation: str) -> str:
    head, sep, _ = conversation.partition(":")
    return head if sep and head in NAMESPACES else ""
