"""The visible initiatives' facet values held in memory as columns: counting and ordering.

Facet counts under "every other filter applies" (initiatives.search.facets) and the order of the
results are what a search costs. In SQL every facet is a GROUP BY over every match joined to
its links, which for a common word (就业: 57,000 of 100,000 rows) costs hundreds of
milliseconds however it is indexed. Here each worker process keeps, per database, the few
columns those need as numpy arrays (about 10 bytes per initiative and per link):

- per initiative (rows sorted by id): year, document kind and id, and the "newest" and
  "region" orders;
- per link: region links (region, prefecture, province), themes, instruments.

A filter becomes a boolean mask over the rows; a facet's counts are one ``bincount`` of its
links under the AND of the other masks; the result order is a mask over a precomputed order
(or, for relevance, a sort of the matches by the database's own rank). Only the text match
(FTS5 / GIN, ``initiatives.search.fulltext.match_ids``) and the page of rows shown come from SQL.

Staying in step without making a request wait:

- Triggers on the tables the index reads write a new random number into the one-row table
  ``initiative_index_stamp`` on every change (bulk paths, cascades, raw SQL and rolled-back
  transactions included: a rollback restores the old number, which stood for the old data),
  and append the touched initiative ids to the change log ``initiative_index_changes``.
- Each request reads the stamp (one primary-key lookup). The first request of a process
  builds the index; after that a request never builds or patches it: a background thread
  per process and database (``Updater``) reads the log since the last entry it applied,
  reloads only those initiatives and their links, and publishes a new index (the arrays
  sorted again: about 0.2 s at 100,000 rows against 1.2 s for a build; a full rebuild only
  when the log cannot be followed: pruned, rolled back, truncated, or more than
  REBUILD_SHARE of the rows changed).
  It also polls the stamp twice a second, so an edit is searchable well within 2 s.
- While the published index is behind the stamp, a request serves it with the rows of the
  unapplied log entries that are no longer visible (hidden or deleted) withheld: one query
  joining the log's tail to the initiatives. A hidden row is never shown or counted, even
  from a stale index; other edits of those rows (a new year or region) show once applied.

On PostgreSQL the stamp row serialises writing transactions, which ingest and curation
tolerate (one document or edit at a time); it also makes the log's sequence numbers commit
in order (the log triggers run after the stamp's), so "everything after entry N" is exact.

The parts: ``index_triggers`` (the stamp and the change log), ``index_build`` (reading the
columns: build and patch), ``index_masks`` (masks, counts, order); this module keeps each
process's published index in step and caches text matches and frequent words' rankings.
"""

import logging
import threading
from dataclasses import replace

import numpy as np
from django.db import connections

from initiatives.models import Status
from initiatives.search import fulltext as search
from initiatives.search.index_build import CHUNK, build, patch
from initiatives.search.index_triggers import CHANGES_TABLE, _log_position, read_stamp
from initiatives.search.segmentation import query_terms

logger = logging.getLogger(__name__)

# Following the changes ---------------------------------------------------------------------

UPDATE_IN_BACKGROUND = True  # tests writing inside their own transaction update in-request
POLL_SECONDS = 0.5  # how often each process's updater looks at the stamp unasked
REBUILD_SHARE = 0.2  # more initiatives changed than this share: rebuild rather than patch
LOG_KEEP = 200_000  # log entries kept behind the newest; older ones are pruned

_indexes = {}  # using → the published FacetIndex
_lock = threading.Lock()  # one build or update at a time, and publishing with the rankings
_updaters = {}  # using → Updater
_updaters_lock = threading.Lock()  # not ``_lock``: a request never waits for an update


def _changes_between(connection, index, upto=None):
    """``(initiative ids, (seq, token))``: what the log lists after ``index``'s position (up
    to entry ``upto``), or None when the log cannot be followed from there (the entry it
    applied was rolled back or pruned, or a table was truncated)."""
    with connection.cursor() as cursor:
        if index.seq:
            cursor.execute(f"SELECT token FROM {CHANGES_TABLE} WHERE seq = %s", [index.seq])
            row = cursor.fetchone()
            if row is None or row[0] != index.token:
                return None
        else:
            cursor.execute(f"SELECT min(seq) FROM {CHANGES_TABLE}")
            first = cursor.fetchone()[0]
            if first is not None and first > 1:  # entries pruned before this index read any
                return None
        sql = f"SELECT seq, initiative_id, token FROM {CHANGES_TABLE} WHERE seq > %s"
        params = [index.seq]
        if upto is not None:
            sql += " AND seq <= %s"
            params.append(upto)
        cursor.execute(sql + " ORDER BY seq", params)
        entries = cursor.fetchall()
    if not entries:
        return [], (index.seq, index.token)
    changed = {entry[1] for entry in entries}
    if None in changed:
        return None
    return sorted(changed), (entries[-1][0], entries[-1][2])


def _update(connection, index):
    """``(index, changed)``: ``index`` brought up to date, and the initiative ids patched
    (None: rebuilt). The stamp is read first and the rows last: a change made meanwhile
    leaves a newer stamp, and is applied next time."""
    stamp = read_stamp(connection)
    if index is not None and stamp == index.stamp:
        return index, []
    if index is not None:
        found = _changes_between(connection, index)
        if found is not None:
            changed, position = found
            if not changed:  # nothing the index holds (e.g. a statement touching no rows)
                return replace(index, stamp=stamp, seq=position[0], token=position[1]), []
            if len(changed) <= max(CHUNK, REBUILD_SHARE * len(index.ids)):
                return patch(connection, index, changed, stamp, position), changed
    return build(connection, stamp, _log_position(connection)), None


def _publish(using, old, new, changed):
    """Make ``new`` the index requests get, with the frequent words' rankings carried over
    from ``old`` (or ranked again from scratch after a rebuild). Called under ``_lock``."""
    if new is old:
        return
    rankings = _frequent.get(using, {})
    ranked = rankings.get(old.stamp) if old is not None else None
    if ranked is not None and changed is not None:  # (an empty ranking carries as well)
        carried = _carry_all(ranked, new, changed, using)
        if carried is not None:
            # The old stamp's too: requests still holding ``old`` keep finding theirs.
            _frequent[using] = {old.stamp: ranked, new.stamp: carried}
            _indexes[using] = new
            return
    _indexes[using] = new
    if changed is None or ranked is not None:
        # Rebuilt, or too much changed to carry the rankings: rank again from scratch. (A
        # patch while no ranking exists leaves it to the ranking under way, which carries
        # its result over to the index published by then.)
        _frequent.pop(using, None)
        _start_ranking(new, using)


def current(using="default"):
    """The index of database ``using`` to answer a request with, without waiting for one to
    be built (except the first of the process): the published one, with the rows no longer
    visible withheld if changes are still being applied."""
    connection = connections[using]
    index = _indexes.get(using)
    if index is None or not UPDATE_IN_BACKGROUND:
        with _lock:
            index = _indexes.get(using)
            new, changed = _update(connection, index)
            _publish(using, index, new, changed)
        if UPDATE_IN_BACKGROUND:
            _start_updater(using)
        return new
    if read_stamp(connection) == index.stamp:
        return index
    _start_updater(using).wake_up.set()
    return _withholding(connection, index)


def _withholding(connection, index):
    """``index`` with the rows withheld that the log's unapplied entries made invisible
    (hidden or deleted): one query, whatever else those changes were."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT DISTINCT c.initiative_id FROM {CHANGES_TABLE} c
            LEFT JOIN initiatives_initiative i ON i.id = c.initiative_id
            WHERE c.seq > %s AND (i.id IS NULL OR i.status = %s)""",
            [index.seq, Status.HIDDEN],
        )
        gone = [row[0] for row in cursor.fetchall()]
    withheld = np.zeros(len(index.ids), dtype=bool)
    if None in gone:  # a table truncated: nothing held is known to be there
        withheld[:] = True
    elif gone:
        withheld[index.rows_of(gone)[0]] = True
    behind = replace(index, withheld=withheld)
    behind.__dict__["code_texts"] = index.code_texts  # shared, not recomputed per request
    return behind


class Updater(threading.Thread):
    """Applies the change log to the published index of one database, in the background:
    woken by a request that found the stamp moved, or every ``POLL_SECONDS``."""

    def __init__(self, using):
        super().__init__(name=f"facet-index-{using}", daemon=True)
        self.using = using
        self.wake_up = threading.Event()
        self.updated = threading.Condition()
        self.stopping = False

    def run(self):
        try:
            while not self.stopping:
                self.wake_up.wait(POLL_SECONDS)
                self.wake_up.clear()
                if self.stopping:
                    break
                try:
                    self.step()
                except Exception:  # a database gone away: requests keep the last index
                    logger.exception("updating the facet index failed")
                    connections[self.using].close()
        finally:
            connections[self.using].close()  # this thread's own connection

    def step(self):
        connection = connections[self.using]
        with _lock:
            index = _indexes.get(self.using)
            new, changed = _update(connection, index)
            _publish(self.using, index, new, changed)
        if new is not index:
            _prune(connection, new.seq, self.using)
        with self.updated:
            self.updated.notify_all()


_pruned = {}  # using → the log position this process last pruned at


def _prune(connection, seq, using):
    """Drop the log entries more than ``LOG_KEEP`` behind ``seq``, every ``LOG_KEEP``
    entries (a process further behind than that rebuilds instead of patching)."""
    if seq - _pruned.get(using, 0) >= LOG_KEEP:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {CHANGES_TABLE} WHERE seq < %s", [seq - LOG_KEEP])
        _pruned[using] = seq


def _start_updater(using):
    updater = _updaters.get(using)
    if updater is None or not updater.is_alive():
        with _updaters_lock:
            updater = _updaters.get(using)
            if updater is None or not updater.is_alive():
                updater = _updaters[using] = Updater(using)
                updater.start()
    return updater


def wait_until_current(using="default", timeout=10.0):
    """Wait until this process's index has applied every change committed before the call;
    False if ``timeout`` seconds passed first. For tests and benchmarks: requests never wait."""
    target = _log_position(connections[using])[0]
    updater = _start_updater(using)
    updater.wake_up.set()
    with updater.updated:
        return updater.updated.wait_for(
            lambda: (index := _indexes.get(using)) is not None and index.seq >= target, timeout
        )


def stop_updates(using="default"):
    """Stop this process's updater of ``using`` (closing its connection) and forget the
    index: the next request builds it again."""
    updater = _updaters.pop(using, None)
    if updater is not None:
        updater.stopping = True
        updater.wake_up.set()
        updater.join()
    _indexes.pop(using, None)
    _frequent.pop(using, None)


# Text matches ------------------------------------------------------------------------------

# Matches kept per process, most recently used first, up to this many rows in all: a user
# clicking through facets, sorts and pages repeats one query text, and so do shared links.
MATCH_CACHE_ROWS = 2_000_000  # about 8 bytes a row (16 with ranks): 16-32 MB at most
# PostgreSQL ranks up to this many results by primary key instead of ranking every match
# (ts_rank reads each row's vector: 就业 matches 57 % of the rows). SQLite's bm25 is only
# computed inside a full MATCH scan (a rowid-restricted MATCH rescans the doclist per id).
RANK_BY_ID_MAX = 2_000
_matches = {}
_matches_lock = threading.Lock()


class TextMatch:
    """One query text's matches among an index's rows; their ranks fetched on demand and
    kept (a facet click or page 2 ranks the same rows again)."""

    def __init__(self, index, terms, using, ranked, found=None):
        self.index, self.terms, self.using = index, list(terms), using
        self.vendor = connections[using].vendor
        self.rank_of_row = None  # ranks fetched so far, by row (NaN: not fetched)
        ids, scores = found if found is not None else search.match_ids(terms, ranked, using)
        self.rows, held = index.rows_of(ids)
        if scores is not None:
            self._keep_ranks(self.rows, scores[held])

    @property
    def size(self):
        return len(self.rows) + (len(self.index.ids) if self.rank_of_row is not None else 0)

    @property
    def nbytes(self):
        return self.rows.nbytes + (self.rank_of_row.nbytes if self.rank_of_row is not None else 0)

    def _keep_ranks(self, rows, ranks):
        if self.rank_of_row is None:
            self.rank_of_row = np.full(len(self.index.ids), np.nan)
        self.rank_of_row[rows] = ranks

    def ranks(self, rows):
        """The rank of each of ``rows`` (all of them matches), lower first."""
        if not len(rows):
            return np.empty(0)
        missing = rows
        if self.rank_of_row is not None:
            missing = rows[np.isnan(self.rank_of_row[rows])]
        if len(missing) and len(missing) <= RANK_BY_ID_MAX and self.vendor != "sqlite":
            ids, scores = search.match_ids(
                self.terms, True, self.using, among=self.index.ids[missing].tolist()
            )
            found, held = self.index.rows_of(ids)
            self._keep_ranks(found, scores[held])
        elif len(missing):
            ids, scores = search.match_ids(self.terms, True, self.using)
            found, held = self.index.rows_of(ids)
            self._keep_ranks(found, scores[held])
        return self.rank_of_row[rows]

    def carried(self, index, changed):
        """This ranked match over a later ``index``: the rows of initiatives not in
        ``changed`` keep their ranks, the ``changed`` ones are matched and ranked again (by
        id). The ranks of unchanged rows are not refreshed for the corpus' new statistics."""
        ids = self.index.ids[self.rows]
        ranks = self.rank_of_row[self.rows]
        kept = ~np.isin(ids, np.asarray(changed, dtype=np.int64))
        again, scores = search.match_ids(self.terms, True, self.using, among=list(changed))
        ids = np.concatenate((ids[kept], again))
        ranks = np.concatenate((ranks[kept], scores))
        order = np.argsort(ids, kind="stable")
        return TextMatch(index, self.terms, self.using, True, found=(ids[order], ranks[order]))


def text_matches(index, terms, ranked, using="default"):
    """The ``TextMatch`` of ``terms`` over ``index``, cached under the index's stamp."""
    frequent = _frequent.get(using, {}).get(index.stamp, {})
    if tuple(terms) in frequent:
        return frequent[tuple(terms)]
    key = (using, index.stamp, tuple(terms))
    with _matches_lock:
        found = _matches.pop(key, None)
        if found is not None:
            _matches[key] = found  # most recent last
            return found
    found = TextMatch(index, terms, using, ranked)
    with _matches_lock:
        for stale in [k for k in _matches if k[0] == using and k[1] != index.stamp]:
            del _matches[stale]
        _matches[key] = found
        total = sum(match.size for match in _matches.values())
        while total > MATCH_CACHE_ROWS and len(_matches) > 1:
            total -= _matches.pop(next(iter(_matches))).size
    return found


def clear_match_cache():
    """Forget the recently used matches (not the frequent words' rankings: those belong to
    the index, see ``rank_frequent_terms``)."""
    with _matches_lock:
        _matches.clear()


# Frequent words ----------------------------------------------------------------------------

# A word found in a large share of the texts (就业, 创业 in employment documents) costs the
# most to search the first time: the database scores every match to rank them (SQLite's
# bm25 looks up each match's length, ~1.6 µs a match; PostgreSQL's ts_rank reads each
# matching vector), 100-200 ms at 100,000 initiatives. After a full build a background
# thread ranks the most frequent words once, so that no request waits for them; each later
# change of the index carries the rankings over (``TextMatch.carried``: only the changed
# initiatives are matched and ranked again), so an edit costs each process a few lookups by
# id, not a ranking of every match.
FREQUENT_SHARE = 0.1  # words in at least this share of the initiatives
FREQUENT_MAX = 16  # the most frequent first; each costs about 1.3 MB at 100,000 rows
FREQUENT_MIN_ROWS = 20_000  # below this, ranking any word is quick
RANK_FREQUENT_IN_BACKGROUND = True  # tests turn it off and call rank_frequent_terms
_frequent = {}  # using → {stamp: {terms: TextMatch}} (the newest index's, and the one before)

FREQUENT_SQL = {
    # fts5vocab's "row" table: one row per indexed word with the number of rows holding it.
    "sqlite": (
        """SELECT term FROM temp.initiative_fts_terms WHERE doc >= %s
        ORDER BY doc DESC, term LIMIT %s""",
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.initiative_fts_terms"
        " USING fts5vocab(main, initiative_fts, row)",
    ),
    "postgresql": (
        """SELECT word FROM ts_stat('SELECT search_vector FROM initiatives_initiative')
        WHERE ndoc >= %s ORDER BY ndoc DESC, word LIMIT %s""",
        None,
    ),
}


def frequent_terms(index, using="default"):
    """The query terms of the indexed words found in at least ``FREQUENT_SHARE`` of the
    rows, most frequent first (at most ``FREQUENT_MAX``)."""
    connection = connections[using]
    select, prepare = FREQUENT_SQL[connection.vendor]
    with connection.cursor() as cursor:
        if prepare:
            cursor.execute(prepare)
        cursor.execute(select, [max(1, int(len(index.ids) * FREQUENT_SHARE)), FREQUENT_MAX])
        words = [row[0] for row in cursor.fetchall()]
    found = []
    for word in words:
        # What a user typing the word searches for (the index holds search-mode pieces).
        terms = tuple(query_terms(word))
        if terms and terms not in found:
            found.append(terms)
    return found


def _carry_all(ranked, index, changed, using):
    """``{terms: TextMatch}`` carried over to ``index``; None if too much changed to match
    again by id (then ranking from scratch is cheaper)."""
    if len(changed) > RANK_BY_ID_MAX:
        return None
    return {terms: match.carried(index, changed) for terms, match in ranked.items()}


def rank_frequent_terms(index, using="default"):
    """Rank the frequent words' matches over ``index`` and keep them with the index (carried
    over to the one published meanwhile, if the change log leads there): a search for one
    of them then reads no text match from the database. Returns ``{terms: TextMatch}`` over
    the published index (empty when the log does not lead there: the work was stale)."""
    ranked = {}
    for terms in frequent_terms(index, using):
        if _indexes.get(using) is None:  # the process stopped following this database
            return {}
        ranked[terms] = TextMatch(index, terms, using, ranked=True)
    with _lock:
        published = _indexes.get(using)
        if published is None:
            return {}
        if published is not index:
            found = _changes_between(connections[using], index, upto=published.seq)
            ranked = _carry_all(ranked, published, found[0], using) if found else None
            if ranked is None:
                return {}
        _frequent[using] = {published.stamp: ranked}
    return ranked


_rankers = {}  # using → the thread ranking its frequent words (one at a time)
_rank_again = set()  # usings whose index was rebuilt while their ranking ran


def _start_ranking(index, using):
    """Rank the frequent words of ``index`` in a background thread, or, if one is already
    ranking, have it rank again once done. Called under ``_lock``."""
    if not RANK_FREQUENT_IN_BACKGROUND or len(index.ids) < FREQUENT_MIN_ROWS:
        return
    if using in _rankers:
        _rank_again.add(using)
        return
    _rankers[using] = threading.Thread(
        target=_rank_frequent_in_background,
        args=(using,),
        name="rank-frequent-terms",
        daemon=True,
    )
    _rankers[using].start()


def _rank_frequent_in_background(using):
    try:
        while True:
            index = _indexes.get(using)
            if index is not None:
                rank_frequent_terms(index, using)
            with _lock:
                if using not in _rank_again:
                    return
                _rank_again.discard(using)
    except Exception:  # a database gone away: searches rank these words themselves
        logger.exception("ranking the frequent words failed")
    finally:
        with _lock:
            _rankers.pop(using, None)
        connections[using].close()  # this thread's own connection
