"""``manage.py bench [options]``: the benchmark of issue 13 (benchmarks/, docs/benchmarks.md).

A thin door: the options are those of ``python -m benchmarks``, passed through unchanged.
"""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Generate 1k/10k/100k documents and time every page (see docs/benchmarks.md)."

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*", help="options of python -m benchmarks")

    def run_from_argv(self, argv):
        # Options go to the benchmark's own parser, untouched by Django's.
        from benchmarks.__main__ import parse, run

        run(parse(argv[2:]))

    def handle(self, *args, **options):
        from benchmarks.__main__ import parse, run

        run(parse(list(args)))
