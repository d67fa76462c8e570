"""The benchmark scripts run (smoke test, no timing assertions)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_runs_and_incremental_equals_clean(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| 1,000 | one entry |" in result.stdout and "| seed | no change |" in result.stdout


def test_full_builds_of_the_tools_take_turns(tmp_path):
    """A B, B A, A B: the machine's drift in speed falls on every tool alike."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import run

    log = tmp_path / "order"
    builds = {name: ([sys.executable, "-c", f"open({str(log)!r}, 'a').write({name!r})"], None, None) for name in "ab"}
    result = run.alternating(builds, 3)
    assert log.read_text() == "abbaab"
    assert len(result["b"]["runs"]) == 3 and result["b"]["seconds"] == sorted(result["b"]["runs"])[1]
