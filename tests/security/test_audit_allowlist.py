"""Every vulnerability the dependency audit ignores carries a reviewed reason."""

import re

from tests.support.project import ROOT

ENTRY = re.compile(r"(PYSEC|GHSA|CVE|OSV)-[\w-]+\s+#\s*\S.{10,}")


def test_every_ignored_vulnerability_has_a_reason():
    lines = (ROOT / "scripts" / "audit-allowlist.txt").read_text(encoding="utf-8").splitlines()
    entries = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    assert [entry for entry in entries if not ENTRY.fullmatch(entry)] == []


def test_the_audit_tool_is_pinned_exactly():
    lines = (ROOT / "scripts" / "audit-requirements.txt").read_text(encoding="utf-8").splitlines()
    requirements = [line for line in lines if line.strip() and not line.startswith("#")]
    assert "pip_audit==2.10.1" in requirements or "pip-audit==2.10.1" in requirements
    assert all(re.fullmatch(r"[\w.-]+==[\w.]+", line) for line in requirements), "every package pinned"
