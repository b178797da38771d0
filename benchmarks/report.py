"""The benchmark's output: JSON, a text table with the issue's targets, a PNG plot."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from django.conf import settings

# Issue 13's targets, checked here and never by timed tests.
MAX_QUERIES = 20
MAX_P95_GROWTH = 1.5
MAX_P95_MS_POSTGRES = 150
MAX_LIFECYCLE_RATIO = 2.0


def _run(*command: str) -> str:
    try:
        return subprocess.run(  # noqa: S603
            command,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
            cwd=settings.BASE_DIR,
        ).stdout.strip()
    except OSError:
        return ""


def machine(database_version: str) -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "revision": _run("git", "rev-parse", "--short", "HEAD"),
        "working_tree_changed": bool(_run("git", "status", "--porcelain", "--untracked-files=no")),
        "nproc": os.cpu_count(),
        "memory": _run("free", "-h").splitlines()[1:2],
        "cpu": cpu,
        "python": platform.python_version(),
        "database": database_version,
    }


def targets(pages: list[dict], lifecycle: dict | None, vendor: str) -> list[dict]:
    """Per page and role: the issue's targets between the smallest and the largest size."""
    by_key: dict[tuple[str, str], dict[int, dict]] = defaultdict(dict)
    for row in pages:
        by_key[(row["page"], row["role"])][row["size"]] = row
    checks = []
    for (page, role), sizes in by_key.items():
        small, large = sizes[min(sizes)], sizes[max(sizes)]
        if small["p95_ms"] is None or large["p95_ms"] is None:
            continue
        check = {
            "page": page,
            "role": role,
            "small": min(sizes),
            "large": max(sizes),
            "queries_flat": small["queries"] == large["queries"],
            "queries_le_20": large["queries"] <= MAX_QUERIES,
            "p95_growth": round(large["p95_ms"] / small["p95_ms"], 2),
        }
        check["p95_growth_ok"] = check["p95_growth"] <= MAX_P95_GROWTH
        if vendor == "postgresql":
            check["p95_le_150ms"] = large["p95_ms"] <= MAX_P95_MS_POSTGRES
        checks.append(check)
    if lifecycle:
        checks.append(
            {
                "lifecycle_ratio": lifecycle["time_ratio"],
                "lifecycle_ok": lifecycle["time_ratio"] <= MAX_LIFECYCLE_RATIO,
            }
        )
    return checks


def _mark(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISS")


def table(result: dict) -> str:
    """A Markdown table: one row per page and role, queries/p50/p95 per size, targets."""
    pages = result["pages"]
    sizes = sorted({row["size"] for row in pages})
    checks = {(c["page"], c["role"]): c for c in result["targets"] if "page" in c}
    head = ["page", "role"] + [f"{s:,}: q / p50 / p95 ms" for s in sizes]
    head += ["q flat ≤20", f"p95 ×{MAX_P95_GROWTH}"]
    postgres = result["backend"] == "postgresql"
    if postgres:
        head.append(f"p95 ≤{MAX_P95_MS_POSTGRES} ms")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    grouped: dict[tuple[str, str], dict[int, dict]] = defaultdict(dict)
    for row in pages:
        grouped[(row["page"], row["role"])][row["size"]] = row
    for (page, role), by_size in grouped.items():
        cells = [page, role]
        for size in sizes:
            row = by_size.get(size)
            if row is None or row["p50_ms"] is None:
                cells.append("—")
                continue
            status = "" if row["status"] == [200] else f" ({','.join(map(str, row['status']))})"
            cells.append(f"{row['queries']} / {row['p50_ms']:.0f} / {row['p95_ms']:.0f}{status}")
        check = checks.get((page, role))
        if check:
            cells.append(_mark(check["queries_flat"] and check["queries_le_20"]))
            cells.append(f"{check['p95_growth']} {_mark(check['p95_growth_ok'])}")
            if postgres:
                cells.append(_mark(check["p95_le_150ms"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary(result: dict) -> str:
    parts = [table(result)]
    life = result.get("lifecycle") or {}
    for size, entry in sorted(life.items(), key=lambda item: int(item[0])):
        ok = _mark(entry["time_ratio"] <= MAX_LIFECYCLE_RATIO)
        parts.append(
            f"lifecycle at {int(size):,} ({entry['receipts']} receipts, PDFs stubbed): "
            f"{entry['app_queries']} queries, {entry['app_ms']:.0f} ms; bare viewflow flow "
            f"{entry['bare_queries']} queries, {entry['bare_ms']:.0f} ms; ratio "
            f"{entry['time_ratio']}× time, {entry['query_ratio']}× queries "
            f"(target ≤ {MAX_LIFECYCLE_RATIO}×: {ok})"
            + (
                f"; the approval alone: {entry['approve_queries']} queries, "
                f"{entry['approve_ms']:.0f} ms; besides, on the worker: "
                f"{entry['worker_jobs']} jobs (signed originals, e-mails), "
                f"{entry['worker_queries']} queries, {entry['worker_ms']:.0f} ms"
                if "worker_jobs" in entry
                else ""
            )
        )
    http = result.get("http")
    if http:
        parts.append(
            f"HTTP load, {http['path']} as {http['user']} at {int(http['size']):,} documents: "
            f"gunicorn {http['workers']} workers, {http['concurrency']} clients, "
            f"{http['requests']} requests in {http['wall_s']} s = {http['requests_per_second']} "
            f"req/s, p50 {http['p50_ms']} ms, p95 {http['p95_ms']} ms, statuses {http['statuses']}"
        )
    for size, entry in sorted(result.get("generation", {}).items(), key=lambda i: int(i[0])):
        if entry.get("rows_per_second"):
            parts.append(
                f"generation to {int(size):,}: {entry['generated']:,} documents, "
                f"{entry['rows_written']:,} rows in {entry['seconds']} s "
                f"({entry['rows_per_second']:,} rows/s)"
            )
    return "\n\n".join(parts)


def write_json(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1))


def plot(results: list[dict], path: Path) -> bool:
    """p95 against size, one line per page (the worst role), one panel per backend."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.colors import ListedColormap
    except ImportError:
        return False
    fig, axes = plt.subplots(1, len(results), figsize=(7 * len(results), 5), squeeze=False)
    for axis, result in zip(axes[0], results, strict=True):
        worst: dict[str, dict[int, float]] = defaultdict(dict)
        for row in result["pages"]:
            if row["p95_ms"] is not None:
                current = worst[row["page"]].get(row["size"], 0)
                worst[row["page"]][row["size"]] = max(current, row["p95_ms"])
        colormap = plt.get_cmap("tab20")
        assert isinstance(colormap, ListedColormap)  # tab20 is a qualitative (listed) colormap
        # a ListedColormap built from a list of colours keeps it (typed as any array-like)
        colours = cast("Sequence[tuple[float, ...]]", colormap.colors)
        for number, (page, points) in enumerate(sorted(worst.items())):
            sizes = sorted(points)
            axis.plot(
                sizes,
                [points[s] for s in sizes],
                marker="os^D"[number % 4],
                color=colours[number % len(colours)],
                label=page,
            )
        if result["backend"] == "postgresql":
            axis.axhline(
                MAX_P95_MS_POSTGRES,
                color="red",
                linestyle="--",
                linewidth=1,
                label=f"target {MAX_P95_MS_POSTGRES} ms",
            )
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("documents")
        axis.set_ylabel("p95 ms (slowest role)")
        axis.set_title(f"{result['machine']['database']} @ {result['machine']['revision']}")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
