"""``python -m benchmarks [--sizes 1000,10000,100000] …``: see docs/benchmarks.md.

The database engine is the one DATABASE_URL names (SQLite when unset); the benchmark makes
its own databases (var/bench/sqlite/bench-<size>.sqlite3, or <name>_<size> on PostgreSQL) and
never touches the configured one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="documents per database, comma-separated (1000000 works too)",
    )
    parser.add_argument("--repeats", type=int, default=30, help="timed requests per page")
    parser.add_argument("--roles", default="", help="usernames, comma-separated (default all)")
    parser.add_argument("--pages", default="", help="page names, comma-separated (default all)")
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--per-day", type=float, default=30.0, help="documents a day")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep databases of a previous run that already have the size",
    )
    parser.add_argument(
        "--generate-only",
        action="store_true",
        help="build the databases and stop (measure later with --reuse)",
    )
    parser.add_argument("--lifecycle-repeats", type=int, default=5)
    parser.add_argument("--skip-lifecycle", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--http-duration", type=float, default=15.0)
    parser.add_argument("--http-concurrency", type=int, default=4)
    parser.add_argument("--http-cap", type=int, default=5000)
    parser.add_argument("--http-user", default="vanthu")
    parser.add_argument("--output", default="", help="JSON file (default var/bench/…)")
    parser.add_argument(
        "--plot",
        default="docs/benchmarks-pages.png",
        help="PNG from the latest SQLite and PostgreSQL results ('' : none)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    options = parse(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    return run(options)


def run(options: argparse.Namespace) -> dict:
    from django.conf import settings

    from . import data, environment, http_load, lifecycle, pages, report

    environment.prepare_process()
    backend = environment.Backend.current()
    sizes = sorted(int(s) for s in options.sizes.split(",") if s.strip())
    generation = data.build(
        backend,
        sizes,
        units=options.units,
        people=options.people,
        per_day=options.per_day,
        reuse=options.reuse,
    )
    databases = {size: generation[size]["database"] for size in sizes}
    if options.generate_only:
        print(json.dumps(generation, indent=1))
        return {"generation": generation}
    backend.use(databases[sizes[0]])
    database_version = backend.version()
    roles = [r for r in options.roles.split(",") if r] or None
    chosen = [p for p in options.pages.split(",") if p] or None
    result: dict = {
        "backend": backend.vendor,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "python -m benchmarks " + " ".join(sys.argv[1:]),
        "machine": report.machine(database_version),
        "sizes": sizes,
        "generation": {str(k): v for k, v in generation.items()},
        "pages": pages.measure(
            backend, databases, repeats=options.repeats, roles=roles, pages=chosen
        ),
        "lifecycle": {},
    }
    if not options.skip_lifecycle:
        for size in sizes:
            backend.use(databases[size])
            result["lifecycle"][str(size)] = lifecycle.measure(repeats=options.lifecycle_repeats)
    if not options.skip_http:
        backend.use(databases[sizes[-1]])
        result["http"] = http_load.run(
            username=options.http_user,
            duration=options.http_duration,
            concurrency=options.http_concurrency,
            cap=options.http_cap,
        ) | {"size": sizes[-1]}
    first_life = result["lifecycle"].get(str(sizes[-1]))
    result["targets"] = report.targets(result["pages"], first_life, backend.vendor)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    output = Path(options.output or environment.BENCH_DIR / f"{backend.vendor}-{stamp}.json")
    report.write_json(result, output)
    report.write_json(result, environment.BENCH_DIR / f"latest-{backend.vendor}.json")
    print(report.summary(result))
    print(f"\nJSON: {output}")
    if options.plot:
        latest = [environment.BENCH_DIR / f"latest-{v}.json" for v in ("sqlite", "postgresql")]
        results = [json.loads(p.read_text()) for p in latest if p.exists()]
        target = Path(options.plot)
        if not target.is_absolute():
            target = Path(settings.BASE_DIR) / target
        if report.plot(results, target):
            print(f"plot: {target}")
        else:
            print("plot skipped: pip install -e '.[bench]' (matplotlib)", file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
