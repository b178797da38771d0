"""The records office's benchmarks run at a tiny size and print their figures (no timing is
asserted: times belong to their output, docs/records.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Independent of the test database's backend: CI runs it in the SQLite pass only.
pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # SQLite
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow
def test_the_search_benchmark_prints_a_time_per_query_and_role():
    output = run("benchmarks.search", "--documents", "200", "--repeats", "1")
    lines = [line for line in output.splitlines() if " ms " in line]
    assert {"vanthu", "chuyenvien"} <= {line.split()[1] for line in lines}
    assert any("'ke hoach an toan giao thong'" in line and "hits" in line for line in lines)


@pytest.mark.slow
def test_the_register_benchmark_prints_rows_per_second():
    output = run("benchmarks.registers", "--documents", "30", "--no-pdf")
    assert "30 issued documents" in output
    assert "rows/s" in output and "xlsx:" in output
