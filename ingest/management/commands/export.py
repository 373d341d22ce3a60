"""python manage.py export initiatives|targets|coverage|panel [--output FILE] [filters] — the
CSV contract. ``coverage`` and ``panel`` are whole tables (initiatives.exports.research) and take no
filters. ``export package --output FILE.zip`` writes the full download (/data/knowledge-base.zip)
and records its release, as a download from the site does."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from initiatives.exports import package, research, streaming
from initiatives.exports.rows import INITIATIVE_COLUMNS, TARGET_COLUMNS, stream_csv
from initiatives.exports.views import _snapshot, filtered_lines
from initiatives.models import Initiative, Target
from initiatives.search import filters

FILTER_OPTIONS = [
    "q",
    "province",
    "region",
    "theme",
    "year",
    "year_min",
    "year_max",
    "in_force",
    "instrument",
    "kind",
    "sort",
    "indicator",
    "target_kind",
]


WHOLE_TABLES = {
    "coverage": (research.COVERAGE_COLUMNS, research.coverage_rows),
    "panel": (research.PANEL_COLUMNS, research.panel_rows),
}


class _Counted:
    """Rows that count themselves as they are written (for the summary line)."""

    def __init__(self, rows):
        self.rows = rows
        self.n = 0

    def __iter__(self):
        for row in self.rows:
            self.n += 1
            yield row

    def count(self):
        return self.n


class Command(BaseCommand):
    help = "Export initiatives or targets as CSV (UTF-8 with BOM), with the search page's filters."

    def add_arguments(self, parser):
        parser.add_argument(
            "table", choices=["initiatives", "targets", "coverage", "panel", "package"]
        )
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        parser.add_argument(
            "--base-url",
            default=None,
            help="prefix for the url column (default: the SITE_URL setting, as on the web)",
        )
        for name in FILTER_OPTIONS:
            parser.add_argument(
                f"--{name.replace('_', '-')}", dest=name, action="append", default=[]
            )

    def handle(self, *args, **options):
        params = {name: options[name] for name in FILTER_OPTIONS if options[name]}
        if options["table"] == "package":
            return self.write_package(params, options)
        if options["table"] in WHOLE_TABLES:
            if params:
                raise CommandError(
                    f"{options['table']} takes no filters (got "
                    + ", ".join("--" + name.replace("_", "-") for name in params)
                    + ")"
                )
            columns, rows_function = WHOLE_TABLES[options["table"]]
            rows = _Counted(rows_function())
            queryset, errors = rows, []
            text = stream_csv(columns, rows)
        elif options["table"] == "initiatives":
            queryset, errors, filterset = _filtered(
                Initiative.objects.visible(), params, "initiatives"
            )
            site = (options["base_url"] or settings.SITE_URL).rstrip("/")
            columns = INITIATIVE_COLUMNS
            if filterset is not None and not errors:
                lines = filtered_lines(filterset, site)  # honours --sort, as the web CSV does
            else:
                lines = streaming.initiative_lines(queryset, site)
            text = streaming.stream(columns, lines)
        else:
            queryset, errors, _ = _filtered(Target.objects.visible(), params, "targets")
            columns = TARGET_COLUMNS
            text = streaming.stream(columns, streaming.target_lines(queryset))
        if errors:
            raise CommandError("; ".join(errors))
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                out.writelines(text)
            self.stderr.write(
                f"{queryset.count()} {options['table']} written to {options['output']}"
            )
        else:
            sys.stdout.reconfigure(encoding="utf-8", newline="")
            try:
                sys.stdout.writelines(text)  # the BOM first, as in the file
                sys.stdout.flush()
            except BrokenPipeError:  # `export … | head`: the reader has all it wanted
                sys.stderr.close()

    def write_package(self, params, options):
        if params or not options["output"]:
            raise CommandError("package takes no filters and needs --output FILE.zip")
        site = (options["base_url"] or settings.SITE_URL).rstrip("/")
        with _snapshot(), open(options["output"], "wb") as out:
            written = package.write_knowledge_base(out, site)
        release = written.record()
        self.stderr.write(
            f"release {written.version} ({'new' if release else 'already recorded'}): "
            f"{sum(written.counts.values())} rows in {len(written.counts)} tables written to "
            f"{options['output']}"
        )


def _filtered(queryset, params, table):
    """Apply the search page's FilterSet, so the command selects exactly what the page shows.

    The page drops a bad value and says so; a command run unattended should not quietly
    export more than was asked for, so every value the CSV export would refuse (and every
    notice about the query) is an error here.
    """
    if not params:
        return queryset, [], None
    data = QueryDict(mutable=True)
    for key, values in params.items():
        data.setlist(key, values)
    filterset_class = filters.InitiativeFilter if table == "initiatives" else filters.TargetFilter
    filterset = filterset_class(data, queryset=queryset)
    errors = [str(error) for error in filterset.strict_errors()]
    if not errors:
        errors = [str(notice) for notice in filterset.notices]
    return filterset.qs, errors, filterset
