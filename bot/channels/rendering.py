"""How one bot message looks on each messaging channel: pure functions, no I/O.

Answers are written once, for the web: text plus buttons. Channels differ in what they can
show. SMS and WhatsApp (through Twilio) have no buttons, Messenger shows at most three with
20-character titles, every platform caps message length, and no platform opens a ``tel:``
or ``sms:`` link from a button: those become plain lines ("Call 999", "Text SHOUT to 85258").
``shape`` turns a message into what a channel can send; ``picked_payload`` maps a typed "2"
back to the second option offered. Both number options the same way, so
the number a user reads is the option the number picks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import unquote_plus

# Shown under numbered options; kept short because SMS is billed per 153-character segment.
NUMBER_PROMPT = "Reply with a number, or type your question."


@dataclass(frozen=True)
class Style:
    """What a channel can display. Lengths count UTF-16 code units, as the platforms do."""

    max_text: int
    max_buttons: int = 0  # native buttons per message; 0 means none: options become numbered text
    max_title: int = 0  # longest button title; 0 means no limit
    max_payload_bytes: int = 0  # longest value a button can carry back; 0 means no limit
    max_text_with_buttons: int = 0  # text cap of a message carrying buttons; 0: as max_text


STYLES: Dict[str, Style] = {
    "sms": Style(max_text=1600),
    "whatsapp": Style(max_text=1600),
    # Inline keyboards have no documented button cap; beyond 10 a numbered list reads better.
    "telegram": Style(max_text=4096, max_buttons=10, max_payload_bytes=64),
    "facebook": Style(
        max_text=2000, max_buttons=3, max_title=20, max_payload_bytes=1000, max_text_with_buttons=640
    ),
    # A section block holds 3000 characters (a whole message 40000); one block per message.
    "slack": Style(max_text=3000, max_buttons=25, max_title=75, max_payload_bytes=2000),
}


@dataclass(frozen=True)
class Option:
    """A choice the user can pick: by tapping a button, or by typing its number."""

    number: int
    title: str
    payload: str


@dataclass(frozen=True)
class Shaped:
    """One bot message as a channel will send it."""

    texts: Tuple[str, ...]  # messages, in order
    options: Tuple[Option, ...]  # choices offered with the message
    native: bool  # True: attach ``options`` as the channel's buttons to the last text


def units(text: str) -> int:
    """Length as platforms count it: UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


LINK_SCHEMES = ("tel:", "sms:", "http://", "https://")


def _target(button: Mapping[str, Any]) -> str:
    """A button's link target (``tel:…``, ``sms:…`` or ``http…``), or "" for a button that replies."""
    for key in ("url", "payload"):
        value = str(button.get(key) or "").strip()
        if value.lower().startswith(LINK_SCHEMES):
            return value
    return ""


_SMS = re.compile(r"sms:([^?]*)(?:\?(.*))?", re.IGNORECASE)


def _sms_line(title: str, target: str) -> str:
    """``sms:85258?&body=SHOUT`` as what to do by hand: ``Text SHOUT to 85258``."""
    match = _SMS.fullmatch(target)
    number, query = (match.group(1), match.group(2) or "") if match else (target[4:], "")
    body = next((unquote_plus(p[5:]) for p in query.split("&") if p.lower().startswith("body=")), "")
    digits = re.sub(r"\D", "", number)
    if title and digits and digits in re.sub(r"\D", "", title):
        return title
    return f"Text {body} to {number}" if body else f"{title or 'Text'}: {number}"


def options_from(buttons: Sequence[Mapping[str, Any]]) -> List[Option]:
    """The buttons that send a reply, numbered from 1; link buttons are not options."""
    replying = [b for b in buttons if not _target(b) and b.get("payload")]
    return [
        Option(n, str(b.get("title") or b["payload"]), str(b["payload"]))
        for n, b in enumerate(replying, start=1)
    ]


def link_line(button: Mapping[str, Any]) -> str:
    """A link button as plain text: ``Call 0808 101 0337`` rather than a dead ``tel:`` link."""
    title, target = str(button.get("title") or "").strip(), _target(button)
    if target.lower().startswith("tel:"):
        number, digits = target[4:], re.sub(r"\D", "", target)
        # Titles usually show the number already, spaced for reading; keep them as they are.
        if digits and digits in re.sub(r"\D", "", title):
            return title
        return f"{title}: {number}" if title else number
    if target.lower().startswith("sms:"):
        return _sms_line(title, target)
    return f"{title}: {target}" if title else target


def numbered_list(options: Sequence[Option]) -> str:
    return "\n".join(f"{o.number}. {o.title}" for o in options) + "\n\n" + NUMBER_PROMPT


def _as_buttons(text: Optional[str], options: Sequence[Option], style: Style) -> bool:
    """Whether ``options`` go out as the channel's buttons (else as numbered text).

    Buttons need a message to hang from, so options without text are always listed."""
    if not options or not (text or "").strip() or len(options) > style.max_buttons:
        return False
    return all(
        (not style.max_title or units(o.title) <= style.max_title)
        and (not style.max_payload_bytes or len(o.payload.encode("utf-8")) <= style.max_payload_bytes)
        for o in options
    )


def shape(text: Optional[str], buttons: Optional[Sequence[Mapping[str, Any]]], style: Style) -> Shaped:
    """Splits ``text`` to the channel's length and turns buttons into what the channel shows."""
    buttons = buttons or []
    options = options_from(buttons)
    links = [link_line(b) for b in buttons if _target(b)]
    native = _as_buttons(text, options, style)
    body = "\n\n".join(
        part
        for part in (
            (text or "").strip(),
            "\n".join(links),
            "" if native or not options else numbered_list(options),
        )
        if part
    )
    texts = split_text(body, style.max_text)
    if native and style.max_text_with_buttons:
        texts = texts[:-1] + split_text(texts[-1], style.max_text_with_buttons)
    return Shaped(tuple(texts), tuple(options), native)


_NUMBER_REPLY = re.compile(r"^\s*#?\s*(\d{1,2})\s*[.)]?\s*$")


def option_number(reply: Optional[str]) -> Optional[int]:
    """``"2"``, ``" 2."`` or ``"#2"`` -> 2; anything else -> None."""
    match = _NUMBER_REPLY.match(reply or "")
    return int(match.group(1)) if match else None


def picked_payload(reply: Optional[str], offered: Mapping[str, Any], style: Style) -> Optional[str]:
    """The payload of the option ``reply`` picks in the ``offered`` message (its ``text`` and
    ``buttons``, as Rasa stores a bot message), if that message showed its options numbered."""
    number, options = option_number(reply), options_from(offered.get("buttons") or [])
    if number is None or _as_buttons(offered.get("text"), options, style) or not 1 <= number <= len(options):
        return None
    return options[number - 1].payload


# Where to break an over-long message, best first: paragraph, line, sentence, word.
_BREAKS = (
    (re.compile(r"\n\s*\n"), "\n\n"),
    (re.compile(r"\n"), "\n"),
    (re.compile(r"(?<=[.!?:])\s+"), " "),
    (re.compile(r"\s+"), " "),
)


def split_text(text: str, limit: int) -> List[str]:
    """Splits ``text`` into messages of at most ``limit`` units, at the most natural breaks."""
    text = text.strip()
    if units(text) <= limit:
        return [text] if text else []
    for pattern, joiner in _BREAKS:  # noqa: B007 (the joiner of the break that split is used below)
        pieces = [p.strip() for p in pattern.split(text) if p.strip()]
        if len(pieces) > 1:
            break
    else:
        return _cut(text, limit)
    chunks: List[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{joiner}{piece}" if current else piece
        if units(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        *full, current = split_text(piece, limit)
        chunks.extend(full)
    if current:
        chunks.append(current)
    return chunks


def _cut(text: str, limit: int) -> List[str]:
    """Last resort for a single over-long word: cut between characters."""
    chunks, current = [], ""
    for char in text:
        if units(current + char) > limit:
            chunks.append(current)
            current = ""
        current += char
    return chunks + ([current] if current else [])


def truncate(title: str, limit: int) -> str:
    """``title`` cut to ``limit`` units with an ellipsis, for platforms that reject long labels."""
    if units(title) <= limit:
        return title
    while units(title) > limit - 1:
        title = title[:-1]
    return title.rstrip() + "…"
