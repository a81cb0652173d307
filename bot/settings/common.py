"""What every settings module shares: where the project lives, the error a practice can act
on, and the small parsers for environment values."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Mapping

import yaml

# bot/settings/common.py -> the repository root (practice.yml, var/, models/ live there).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
PRACTICE_FILE = PROJECT_ROOT / "practice.yml"


class ConfigurationError(RuntimeError):
    """Raised with a message a practice can act on when configuration is wrong."""


def read_practice_file(path: Path, what: str) -> Dict[str, Any]:
    """practice.yml as a mapping (``{}`` when empty), or an error naming ``what`` was being read."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigurationError(f"Cannot read {what} from {path}: {error}") from error
    if not isinstance(raw, dict):
        raise ConfigurationError(
            f"Cannot read {what} from {path}: it must hold named sections, not a list or text."
        )
    return raw


def flag(value: Any, name: str) -> bool:
    """``true``/``false`` in any of the usual spellings; anything else is refused."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {value!r}.")


def whole_number(environ: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    """A non-negative integer from the environment, at least ``minimum``; unset: ``default``."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise ConfigurationError(f"{name} must be a whole number of at least {minimum}, not {raw!r}.")
    return int(raw)


def var_dir(environ: Mapping[str, str]) -> Path:
    """Folder for runtime files: the SQLite store, the journal, the generated keys (``VAR_DIR``)."""
    return Path(environ.get("VAR_DIR", PROJECT_ROOT / "var"))
