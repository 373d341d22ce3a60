"""Counting and ordering over a facet index: one filter set's masks, counts under any subset of
the filters, the ordered result rows."""

import numpy as np

from initiatives.search.index_build import KINDS, NO_YEAR

# Counting and ordering ---------------------------------------------------------------------


class Selection:
    """One filter set's masks over an index: counts under any subset of the filters, the
    ordered result rows.

    ``masks`` maps a filter name (``q``, ``province``, ``region``, ``theme``, ``year``,
    ``instrument``, ``kind``) to a boolean mask over the rows; absent names do not filter.
    ``text`` (a ``TextMatch``, with a query text) ranks the results for relevance order;
    ``boost`` (per row, how many of the instruments named in the query it is tagged with)
    comes before that rank, and rows ``text`` does not match come after those it does.
    """

    def __init__(self, index, masks, text=None, boost=None):
        self.index = index
        self.masks = masks
        self.text = text
        self.boost = boost
        self._cache = {}

    def mask(self, leave_out=()):
        key = frozenset(name for name in self.masks if name not in leave_out)
        if key not in self._cache:
            mask = self.index.live()
            for name in key:
                mask &= self.masks[name]
            self._cache[key] = mask
        return self._cache[key]

    def count(self, leave_out=()):
        return int(self.mask(leave_out).sum())

    def year_kind_cells(self, leave_out):
        """``[(year or None, kind, n)]`` of the rows passing all but ``leave_out``."""
        index, mask = self.index, self.mask(leave_out)
        key = index.year[mask].astype(np.int64) * len(KINDS) + index.kind[mask]
        return [
            (int(v) // len(KINDS) or None, KINDS[int(v) % len(KINDS)], int(n))
            for v, n in _nonzero(np.bincount(key))
        ]

    def link_counts(self, rows, values, leave_out):
        """``{value: initiatives}`` over (row, value) links, each pair once, under all
        filters but ``leave_out``."""
        hit = self.mask(leave_out)[rows]
        return {int(v): int(n) for v, n in _nonzero(np.bincount(values[hit]))}

    def region_counts(self, rows, values, leave_out):
        """``link_counts`` over region links, keyed by region code."""
        return {
            self.index.code_of(position): n
            for position, n in self.link_counts(rows, values, leave_out).items()
        }

    def theme_years(self):
        """``{(theme id, year): n}`` of the results (every filter applied)."""
        index, mask = self.index, self.mask()
        hit = mask[index.theme_row]
        years = index.year[index.theme_row[hit]].astype(np.int64)
        themes = index.theme_id[hit].astype(np.int64)
        dated = years != NO_YEAR
        key = themes[dated] * 10_000 + years[dated]
        return {(int(v) // 10_000, int(v) % 10_000): int(n) for v, n in _nonzero(np.bincount(key))}

    def ordered_ids(self, sort):
        """Initiative ids of the results in the page's order."""
        index, mask = self.index, self.mask()
        if sort == "relevance" and self.text is not None:
            rows = np.flatnonzero(mask)
            if self.boost is None:
                rank = self.text.ranks(rows)
            else:
                matched = rows_mask(index, self.text.rows)[rows]
                rank = np.full(len(rows), np.inf)
                rank[matched] = self.text.ranks(rows[matched])
            year = index.year[rows]
            year_desc = np.where(year == NO_YEAR, 1, -year.astype(np.int64))
            keys = (index.ids[rows], year_desc, rank)
            if self.boost is not None:
                keys += (-self.boost[rows],)
            order = rows[np.lexsort(keys)]
        else:
            order = index.by_region if sort == "region" else index.newest
            order = order[mask[order]]
        return index.ids[order]


def _nonzero(counts):
    values = np.flatnonzero(counts)
    return zip(values.tolist(), counts[values].tolist(), strict=True)


def in_force_mask(index, year):
    """Rows in force in ``year``: their period contains it, or without one, their year."""
    no_period = index.year_start == NO_YEAR
    return np.where(
        no_period, index.year == year, (index.year_start <= year) & (index.year_end >= year)
    )


def rows_mask(index, rows):
    mask = np.zeros(len(index.ids), dtype=bool)
    mask[rows] = True
    return mask


def links_mask(index, link_rows, hit):
    """Rows with at least one link where ``hit`` is true."""
    return rows_mask(index, link_rows[hit])
