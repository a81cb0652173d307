"""Outbound calls to the platforms' APIs: one helper, always with a timeout.

Our connectors call the platforms over plain HTTP rather than through their SDKs, because
the SDKs Rasa ships with (aiogram, twilio, fbmessenger, slack_sdk) hard-code the API address,
and the address must be configurable (a local fake in tests, a regional endpoint in use).
URLs can carry tokens (Telegram puts the bot token in the path), so logs name the call,
never the URL.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Optional

import aiohttp

logger = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=10)  # seconds for a whole call, connect included


async def post(
    what: str,
    url: str,
    *,
    json: Optional[Dict[str, Any]] = None,
    data: Optional[Dict[str, str]] = None,
    params: Optional[Dict[str, str]] = None,
    headers: Optional[Dict[str, str]] = None,
    auth: Optional[aiohttp.BasicAuth] = None,
) -> Optional[Any]:
    """POSTs JSON or a form and returns the decoded JSON answer; logs and returns None on failure."""
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            async with session.post(
                url, json=json, data=data, params=params, headers=headers, auth=auth
            ) as response:
                text = await response.text()
                if response.status >= 400:
                    logger.error("%s failed: HTTP %s %s", what, response.status, text[:300])
                    return None
                try:
                    return await response.json(content_type=None)
                except ValueError:
                    return text
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        logger.error("%s failed: %s", what, type(error).__name__)
        return None
