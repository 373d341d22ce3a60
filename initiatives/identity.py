"""What keeps a row the same row: stable keys, sentence matching between versions, diffs.

A row's ``key`` is made from its document's first version (``Document.origin_hash``) and its
own sentence, so two installations that ingest the same documents in any order give every
row the same key. It is given once, when the row is made, and then stays with the row like
its id, also when a later version rewords the sentence.
"""

import difflib
import hashlib
import re
import unicodedata
from collections import defaultdict, deque

KEY_LENGTH = 20
INITIATIVE, TARGET = "i", "t"

# Pairing a changed sentence with its successor: how alike they must be, and how many
# comparisons one write may spend on it (a re-extraction that cut the text quite
# differently would otherwise compare every old unit with every new one).
SIMILAR = 0.6
MAX_COMPARISONS = 40_000

_SPACE = re.compile(r"\s+")
# Where the document diff cuts text into sentences: after a full stop, a semicolon, a
# question or exclamation mark, and at line ends (headings and table rows have no stop).
_SENTENCE_END = re.compile(r"(?<=[。；！？;!?])|\n")


def normalise(sentence):
    """The sentence as keys compare it: NFKC, without any white space."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", sentence or ""))


def row_key(origin_hash, kind, sentence, occurrence):
    """``kind`` is INITIATIVE or TARGET; ``occurrence`` counts earlier equal sentences."""
    material = "\x1f".join([origin_hash, kind, normalise(sentence), str(occurrence)])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:KEY_LENGTH]


class KeyMaker:
    """Keys for one document's new rows of one kind, never one the document already uses."""

    def __init__(self, origin_hash, kind, taken=()):
        self.origin_hash, self.kind = origin_hash, kind
        self.taken = set(taken)
        self.seen = defaultdict(int)

    def __call__(self, sentence):
        text = normalise(sentence)
        while True:
            key = row_key(self.origin_hash, self.kind, text, self.seen[text])
            self.seen[text] += 1
            if key not in self.taken:
                self.taken.add(key)
                return key


def match(old, new):
    """Pair old sentences with new ones: ``(pairs, lost, fresh)``.

    ``old`` and ``new`` are lists of sentences in document order. ``pairs`` is a list of
    ``(old index, new index, same)``: equal sentences first, in order of occurrence (so
    the second of two equal sentences stays the second), then a changed sentence with the
    most alike new one left over (``same`` False). ``lost`` are the old indexes with no
    successor, ``fresh`` the new indexes nobody had before.
    """
    waiting = defaultdict(deque)
    for j, sentence in enumerate(new):
        waiting[normalise(sentence)].append(j)
    pairs, rest_old = [], []
    for i, sentence in enumerate(old):
        queue = waiting.get(normalise(sentence))
        if queue:
            pairs.append((i, queue.popleft(), True))
        else:
            rest_old.append(i)
    used = {j for _i, j, _same in pairs}
    rest_new = [j for j in range(len(new)) if j not in used]
    if rest_old and rest_new and len(rest_old) * len(rest_new) <= MAX_COMPARISONS:
        for i in rest_old[:]:
            best, best_ratio = None, SIMILAR
            matcher = difflib.SequenceMatcher(None, autojunk=False)
            matcher.set_seq2(normalise(old[i]))
            for j in rest_new:
                matcher.set_seq1(normalise(new[j]))
                if matcher.real_quick_ratio() < best_ratio:
                    continue
                if matcher.quick_ratio() < best_ratio:
                    continue
                ratio = matcher.ratio()
                if ratio >= best_ratio and (best is None or ratio > best_ratio):
                    best, best_ratio = j, ratio
            if best is not None:
                pairs.append((i, best, False))
                rest_old.remove(i)
                rest_new.remove(best)
    return pairs, rest_old, rest_new


def sentences(text):
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text or "")) if s]


def sentence_diff(old_text, new_text, context=1):
    """What changed between two texts, sentence by sentence, for a reader.

    A list of hunks; each hunk a list of ``(op, sentence)`` with op ``" "`` (unchanged
    context), ``"-"`` (only in the old text) or ``"+"`` (only in the new one).
    """
    a, b = sentences(old_text), sentences(new_text)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    hunks = []
    for group in matcher.get_grouped_opcodes(context):
        hunk = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                hunk += [(" ", s) for s in a[i1:i2]]
                continue
            hunk += [("-", s) for s in a[i1:i2]]
            hunk += [("+", s) for s in b[j1:j2]]
        hunks.append(hunk)
    return hunks
