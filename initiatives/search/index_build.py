"""Reading the facet columns into memory: the ``FacetIndex`` arrays, a full build, and a patch
that reloads only the initiatives the change log names."""

import functools
from dataclasses import dataclass

import numpy as np

from initiatives.models import Document, Initiative, InitiativeRegion, Status

# Building -----------------------------------------------------------------------------------

KINDS = list(Document.Kind.values)
NO_YEAR = 0
NO_REGION = -1
# The per-initiative columns besides ``ids``, as ``FacetIndex`` fields; ``_read_rows`` is
# the one place that reads them (a patch carries each of them over the same way).
ROW_FIELDS = ("year", "year_start", "year_end", "kind", "document")
CHUNK = 500  # ids per query when reading a few initiatives


@dataclass
class FacetIndex:
    stamp: int | None
    ids: np.ndarray  # initiative ids, ascending; a row is a position here
    year: np.ndarray  # year or NO_YEAR
    year_start: np.ndarray  # the period in force, or NO_YEAR for both ends
    year_end: np.ndarray
    kind: np.ndarray  # index into KINDS
    document: np.ndarray  # document id
    newest: np.ndarray  # rows in "newest" order: year desc (none last), id desc
    by_region: np.ndarray  # rows by first region code (none last), year desc, id
    codes: np.ndarray  # the region codes the links use, ascending (as integers)
    link_row: np.ndarray  # region links, by row: row, and region / prefecture / province as
    link_region: np.ndarray  # positions in ``codes`` (NO_REGION: none)
    link_prefecture: np.ndarray
    link_province: np.ndarray
    province_row: np.ndarray  # (row, province) and (row, prefecture) once each: an
    province: np.ndarray  # initiative with two counties in one city counts once there
    prefecture_row: np.ndarray
    prefecture: np.ndarray
    theme_row: np.ndarray  # theme and instrument links, sorted by row
    theme_id: np.ndarray
    instrument_row: np.ndarray
    instrument_id: np.ndarray
    # The change log's last entry applied (seq, token): where the next patch starts.
    seq: int = 0
    token: int | None = None
    # Rows not to show although held: no longer visible since this index was made (set on
    # the copy a request gets while the index is behind; None: nothing withheld).
    withheld: np.ndarray | None = None

    def rows_of(self, ids):
        """``(rows, held)``: the rows of the ``ids`` the index holds, and which those are
        (hidden initiatives, or rows written since the index was built, are not held)."""
        ids = np.asarray(ids, dtype=np.int64)
        held = _held(self.ids, ids)
        rows = np.searchsorted(self.ids, ids[held])
        if self.withheld is not None:
            shown = ~self.withheld[rows]
            held[held] = shown
            rows = rows[shown]
        return rows, held

    def live(self):
        """The rows a search may show: every row, less the withheld ones."""
        if self.withheld is None:
            return np.ones(len(self.ids), dtype=bool)
        return ~self.withheld

    def code_positions(self, codes):
        """Positions in ``codes`` of these region codes (unused codes dropped)."""
        wanted = np.array([int(c) for c in codes], dtype=np.int64)
        positions = np.searchsorted(self.codes, wanted)
        positions[positions == len(self.codes)] = 0
        return positions[self.codes[positions] == wanted] if len(self.codes) else positions[:0]

    def links_of(self, rows, link_rows, values):
        """Per row of ``rows``, the ``values`` of its links (``link_rows`` is one of the
        index's link-row columns, sorted by row)."""
        starts = np.searchsorted(link_rows, rows, side="left")
        ends = np.searchsorted(link_rows, rows, side="right")
        return [values[start:end].tolist() for start, end in zip(starts, ends, strict=True)]

    def labels_of(self, ids):
        """``{id: (region codes, theme ids, instrument ids)}`` of these initiatives (the
        ones the index holds): what a result row shows besides its own columns, without a
        query per kind of link."""
        rows, held = self.rows_of(ids)
        regions = self.links_of(rows, self.link_row, self.link_region)
        themes = self.links_of(rows, self.theme_row, self.theme_id)
        instruments = self.links_of(rows, self.instrument_row, self.instrument_id)
        return {
            int(pk): ([self.code_of(position) for position in r], t, i)
            for pk, r, t, i in zip(
                np.asarray(ids)[held].tolist(), regions, themes, instruments, strict=True
            )
        }

    def newest_ids(self, mask, limit):
        """Ids of the first ``limit`` rows of ``mask`` in "newest" order."""
        if self.withheld is not None:
            mask = mask & ~self.withheld
        order = self.newest[mask[self.newest]]
        return self.ids[order[:limit]].tolist()

    def code_of(self, position):
        return self.code_texts[position]

    @functools.cached_property
    def code_texts(self):
        """The codes as the gazetteer writes them ("510100"), by position: a drill-down
        names a few thousand counties per request."""
        return [f"{code:06d}" for code in self.codes.tolist()]

    @property
    def nbytes(self):
        return sum(v.nbytes for v in vars(self).values() if isinstance(v, np.ndarray))


def _fetch(connection, queryset):
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _fetch_some(connection, queryset, field, ids):
    """``_fetch`` of ``queryset`` (all rows when ``ids`` is None, else those whose ``field``
    is one of ``ids``, a chunk of ids per query)."""
    if ids is None:
        return _fetch(connection, queryset)
    rows = []
    for start in range(0, len(ids), CHUNK):
        rows += _fetch(connection, queryset.filter(**{f"{field}__in": ids[start : start + CHUNK]}))
    return rows


def _read_rows(connection, ids=None):
    """``(ids, {field: column})``: the ROW_FIELDS of the visible initiatives (of ``ids`` only,
    if given), as numbers."""
    visible = Initiative.objects.exclude(status=Status.HIDDEN).order_by("pk")
    rows = _fetch_some(
        connection,
        visible.values_list(
            "pk", "year", "document__kind", "document_id", "year_start", "year_end"
        ),
        "pk",
        ids,
    )
    n = len(rows)
    kind_position = {kind: k for k, kind in enumerate(KINDS)}
    return np.fromiter((r[0] for r in rows), dtype=np.int64, count=n), {
        "year": np.fromiter((r[1] or NO_YEAR for r in rows), dtype=np.int32, count=n),
        "kind": np.fromiter((kind_position.get(r[2], 0) for r in rows), dtype=np.int8, count=n),
        "document": np.fromiter((r[3] for r in rows), dtype=np.int64, count=n),
        "year_start": np.fromiter((r[4] or NO_YEAR for r in rows), dtype=np.int32, count=n),
        "year_end": np.fromiter((r[5] or NO_YEAR for r in rows), dtype=np.int32, count=n),
    }


def _region_links():
    """The region links the index counts: (initiative, region, prefecture, province).

    Partners and places only mentioned (a destination, a 浙江商会) are not counted."""
    return (
        InitiativeRegion.objects.filter(role__in=InitiativeRegion.COUNTED_ROLES)
        .values_list("initiative_id", "region_id", "prefecture_id", "province_id")
        .order_by()
    )


def _read_links(connection, ids=None):
    """Every link of the initiatives (of ``ids`` only, if given), by initiative id:
    ``{"region": (owner, region, prefecture, province), "theme": (owner, theme id),
    "instrument": (owner, instrument id)}``, region codes as integers (NO_REGION: none)."""
    pairs = _fetch_some(connection, _region_links(), "initiative_id", ids)
    n = len(pairs)
    found = {
        "region": tuple(
            np.fromiter((int(p[k]) if p[k] else NO_REGION for p in pairs), dtype=np.int64, count=n)
            for k in range(4)
        )
    }
    for name, field, column in (
        ("theme", "themes", "theme_id"),
        ("instrument", "instruments", "policyinstrument_id"),
    ):
        model = Initiative._meta.get_field(field).remote_field.through
        queryset = model.objects.values_list("initiative_id", column).order_by()
        pairs = _fetch_some(connection, queryset, "initiative_id", ids)
        found[name] = tuple(
            np.fromiter((p[k] for p in pairs), dtype=np.int64, count=len(pairs)) for k in (0, 1)
        )
    return found


def build(connection, stamp, position=(0, None)):
    """The index of everything visible now; ``position``: the log's last entry, read
    before the rows (so that any later change is applied on top)."""
    ids, rows = _read_rows(connection)
    return _assemble(ids, rows, _read_links(connection), stamp, position)


def _assemble(ids, rows, links, stamp, position):
    """A ``FacetIndex`` from id-keyed columns (``_read_rows``, ``_read_links``)."""
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    rows = {field: column[order] for field, column in rows.items()}

    def owned(owner):
        keep = _held(ids, owner)
        return np.searchsorted(ids, owner[keep]), keep

    owner, *columns = links["region"]
    link_row, keep = owned(owner)
    columns = [column[keep] for column in columns]
    codes = _unique(np.concatenate(columns)) if columns else np.empty(0, np.int64)
    codes = codes[codes != NO_REGION]
    link_region, link_prefecture, link_province = (
        np.where(column == NO_REGION, NO_REGION, np.searchsorted(codes, column)).astype(np.int32)
        for column in columns
    )
    # Links sorted by row (a row's regions by code): ``links_of`` reads a row's slice.
    by_row = np.lexsort((link_region, link_row))
    link_row, link_region, link_prefecture, link_province = (
        column[by_row] for column in (link_row, link_region, link_prefecture, link_province)
    )

    def distinct(values):
        has = values != NO_REGION
        pairs = _unique(link_row[has].astype(np.int64) * (len(codes) + 1) + values[has])
        return pairs // (len(codes) + 1), (pairs % (len(codes) + 1)).astype(np.int32)

    province_row, province = distinct(link_province)
    prefecture_row, prefecture = distinct(link_prefecture)

    def through(name):
        owner, value = links[name]
        row, keep = owned(owner)
        by_row = np.argsort(row, kind="stable")
        return row[by_row], value[keep][by_row].astype(np.int32)

    theme_row, theme_id = through("theme")
    instrument_row, instrument_id = through("instrument")

    # Sort keys: "year desc, none last" is ascending on (-year, or +1 for none).
    year = rows["year"]
    year_desc = np.where(year == NO_YEAR, 1, -year.astype(np.int64))
    newest = np.lexsort((-ids, year_desc))
    first_region = np.full(len(ids), len(codes), dtype=np.int64)  # none: after every code
    # Links are sorted by row, then region: a row's first link has its smallest region.
    first = np.flatnonzero(np.diff(link_row, prepend=-1) != 0) if len(link_row) else link_row
    first_region[link_row[first]] = link_region[first]
    by_region = np.lexsort((ids, year_desc, first_region))
    return FacetIndex(
        stamp=stamp,
        ids=ids,
        **rows,
        newest=newest,
        by_region=by_region,
        codes=codes,
        link_row=link_row,
        link_region=link_region,
        link_prefecture=link_prefecture,
        link_province=link_province,
        province_row=province_row,
        province=province,
        prefecture_row=prefecture_row,
        prefecture=prefecture,
        theme_row=theme_row,
        theme_id=theme_id,
        instrument_row=instrument_row,
        instrument_id=instrument_id,
        seq=position[0],
        token=position[1],
    )


def patch(connection, index, changed, stamp, position):
    """``index`` with the initiatives ``changed`` (ids) read again: their rows and links
    dropped, then those of them still visible read from the database and added."""
    changed = np.unique(np.asarray(changed, dtype=np.int64))
    keep = ~np.isin(index.ids, changed)
    new_ids, new_rows = _read_rows(connection, changed.tolist())
    new_links = _read_links(connection, changed.tolist())

    def code(positions):
        if not len(index.codes):
            return np.full(len(positions), NO_REGION, dtype=np.int64)
        return np.where(positions == NO_REGION, NO_REGION, index.codes[positions])

    old_links = {
        "region": (
            index.ids[index.link_row],
            code(index.link_region),
            code(index.link_prefecture),
            code(index.link_province),
        ),
        "theme": (index.ids[index.theme_row], index.theme_id.astype(np.int64)),
        "instrument": (index.ids[index.instrument_row], index.instrument_id.astype(np.int64)),
    }
    links = {}
    for name, old in old_links.items():
        kept = ~np.isin(old[0], changed)
        links[name] = tuple(
            np.concatenate((column[kept], added))
            for column, added in zip(old, new_links[name], strict=True)
        )
    rows = {
        field: np.concatenate((getattr(index, field)[keep], new_rows[field]))
        for field in ROW_FIELDS
    }
    return _assemble(np.concatenate((index.ids[keep], new_ids)), rows, links, stamp, position)


def _unique(values):
    """``np.unique`` by sorting (numpy 2's hashing variant is several times slower on the
    index's integer columns)."""
    values = np.sort(values)
    return values[np.diff(values, prepend=values[:1] - 1) != 0] if len(values) else values


def _held(ids, owner):
    """Which of ``owner`` (initiative ids of links) are rows of the index."""
    if not len(ids):
        return np.zeros(len(owner), dtype=bool)
    at = np.searchsorted(ids, owner)
    at[at == len(ids)] = 0
    return ids[at] == owner
