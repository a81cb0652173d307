"""The conversation filters, shared by the list, the analytics and the exports.

Parsed from the query string so every filtered view has a URL staff can bookmark or
share; anything malformed is dropped (and reported) rather than failing the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Dict, List, Mapping, Optional

_YES_NO = {"yes": True, "no": False}
_TAG_RE = re.compile(r"^[\w\- ]{1,64}$")


@dataclass
class Filters:
    date_from: Optional[date] = None
    date_to: Optional[date] = None
    channel: Optional[str] = None
    topic: Optional[str] = None
    crisis: Optional[bool] = None
    unanswered: Optional[bool] = None
    referral: Optional[bool] = None
    reviewed: Optional[bool] = None
    possible_risk: Optional[bool] = None
    tag: Optional[str] = None
    q: Optional[str] = None
    page: int = 1
    problems: List[str] = field(default_factory=list, compare=False)

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> "Filters":
        filters = cls()
        for name in ("date_from", "date_to"):
            raw = (args.get(name) or "").strip()
            if raw:
                try:
                    setattr(filters, name, date.fromisoformat(raw))
                except ValueError:
                    filters.problems.append(f"Ignored the date {raw!r}: use YYYY-MM-DD.")
        for name in ("crisis", "unanswered", "referral", "reviewed", "possible_risk"):
            setattr(filters, name, _YES_NO.get((args.get(name) or "").strip().lower()))
        for name in ("channel", "topic"):
            raw = (args.get(name) or "").strip()
            setattr(filters, name, raw[:255] or None)
        tag = normalize_tag(args.get("tag") or "")
        filters.tag = tag or None
        filters.q = (args.get("q") or "").strip()[:200] or None
        try:
            filters.page = max(1, min(int(args.get("page") or 1), 100_000))
        except ValueError:
            filters.page = 1
        return filters

    def query_args(self, **overrides: object) -> Dict[str, str]:
        """The filters as query-string arguments (for links to other pages or exports)."""
        args: Dict[str, str] = {}
        for item in fields(self):
            if item.name == "problems":
                continue
            value = overrides.get(item.name, getattr(self, item.name))
            if value is None or (item.name == "page" and value == 1):
                continue
            if isinstance(value, bool):
                value = "yes" if value else "no"
            args[item.name] = str(value)
        return args

    @property
    def active(self) -> bool:
        return bool(self.query_args(page=1))


def normalize_tag(raw: str) -> str:
    """Tags are short lower-case labels: letters, digits, spaces, - and _."""
    tag = " ".join(raw.strip().lower().split())
    return tag if _TAG_RE.match(tag) else ""
