"""An append-only file of conversation events the database could not take yet.

Each process writes its own file, ``<pid>-<random>.jsonl`` in ``JOURNAL_DIR`` (default
``var/journal``), and holds an exclusive ``flock`` on it for as long as it lives. So
several servers can share the directory: a file whose lock is free belongs to a process
that died, and whichever server replays next takes it over. Each line is one failed save,
``{"sender_id": ..., "events": [...]}``, flushed to disk (fsync) before the reply goes out.
The files hold what users typed (already redacted by the tracker store): mode 0600,
deleted as soon as they have been replayed.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, Tuple

logger = logging.getLogger(__name__)

Entry = Dict[str, Any]  # {"sender_id": str, "events": [event dicts]}


class Unavailable(Exception):
    """Raised by a replay ``write`` when the database is still down: keep the entry, stop."""


class Journal:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._fd: Optional[int] = None  # our own file, opened on the first failed save
        self._path: Optional[Path] = None
        self._entries: List[Entry] = []  # what our file holds, in order

    def append(self, sender_id: str, events: List[Dict[str, Any]]) -> None:
        """Durably records events for ``sender_id``; raises ``OSError`` if the disk refuses."""
        entry = {"sender_id": sender_id, "events": events}
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        fd = self._own_file()
        os.write(fd, line)
        os.fsync(fd)
        self._entries.append(entry)

    def pending_events(self, sender_id: str) -> List[Dict[str, Any]]:
        """Events this process journaled for ``sender_id`` and has not replayed."""
        return [
            event for entry in self._entries if entry["sender_id"] == sender_id for event in entry["events"]
        ]

    def pending_count(self) -> int:
        """Entries waiting, in our file and in files left by processes that died."""
        return len(self._entries) + sum(len(self._read(path)) for path in self._orphans(lock=False))

    def has_own_entries(self) -> bool:
        return bool(self._entries)

    async def replay(self, write: Callable[[Entry], Awaitable[None]]) -> int:
        """Hands every waiting entry, oldest first, to ``write``; returns how many were written.

        ``write`` raises ``Unavailable`` to stop (the rest stays journaled); any other error
        means this entry can never be written, so it is set aside in ``rejected/`` for a
        person to look at, and replay goes on.
        """
        written = 0
        for path, fd in self._orphans(lock=True):
            try:
                remaining, count = await self._replay_entries(self._read(path), write)
                written += count
                if remaining:
                    self._rewrite(fd, remaining)
                    return written
                path.unlink()
            finally:
                os.close(fd)
        if self._entries:
            self._entries, count = await self._replay_entries(self._entries, write)
            written += count
            self._rewrite(self._own_file(), self._entries)
        return written

    async def _replay_entries(
        self, entries: List[Entry], write: Callable[[Entry], Awaitable[None]]
    ) -> Tuple[List[Entry], int]:
        for index, entry in enumerate(entries):
            try:
                await write(entry)
            except Unavailable:
                return entries[index:], index
            except Exception:
                logger.exception(
                    "Journal entry for %s cannot be stored; set aside in rejected/", entry["sender_id"]
                )
                self._reject(entry)
        return [], len(entries)

    def _own_file(self) -> int:
        if self._fd is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._path = self.directory / f"{os.getpid()}-{secrets.token_hex(4)}.jsonl"
            self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return self._fd

    def _orphans(self, lock: bool) -> Iterator[Any]:
        """Other processes' files whose lock is free, oldest first: (path, locked fd), or paths.

        A generator, so a replay that stops early leaves the later files unopened.
        """
        paths = sorted(self.directory.glob("*.jsonl"), key=_mtime) if self.directory.is_dir() else []
        for path in paths:
            if path == self._path:
                continue
            try:
                fd = os.open(path, os.O_RDWR | os.O_APPEND)
            except FileNotFoundError:
                continue  # replayed by another server meanwhile
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)  # its process is alive and will replay it
                continue
            if lock:
                yield path, fd
            else:
                os.close(fd)
                yield path

    @staticmethod
    def _read(path: Path) -> List[Entry]:
        entries = []
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            try:
                entries.append(json.loads(line))
            except ValueError:  # a line cut short when its process died mid-write
                logger.error("Skipping unreadable line %d of %s", number, path)
        return entries

    @staticmethod
    def _rewrite(fd: int, entries: List[Entry]) -> None:
        os.ftruncate(fd, 0)
        os.write(fd, "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries).encode("utf-8"))
        os.fsync(fd)

    def _reject(self, entry: Entry) -> None:
        rejected = self.directory / "rejected"
        rejected.mkdir(exist_ok=True)
        with open(rejected / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as file:
            file.write(json.dumps(entry, ensure_ascii=False) + "\n")


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
