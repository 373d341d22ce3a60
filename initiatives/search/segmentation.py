"""Chinese word segmentation for full-text search: one segmenter for documents and queries.

Documents are indexed with *search mode* (every dictionary word inside a longer word is
emitted too, so 担保贷款 finds 创业担保贷款), queries are cut in *accurate mode* and their
terms ANDed. Both sides go through the same normalisation (NFKC, traditional → simplified,
lower case) and keep only runs of letters and digits, so the index tokens are exactly what
SQLite's ``unicode61`` tokenizer and PostgreSQL's ``simple`` parser see as single words:
the two databases then match the same rows.

The jieba tokenizer is our own instance (not the global one) with the policy instruments
and the gazetteer's place names added, built lazily once per process; the first call costs
about half a second (dictionary load). It is ``jieba_fast``'s: jieba's algorithm and
dictionary with the word graph and the HMM in C, about twice as fast, and the same tokens
once punctuation is dropped (tests/test_segmentation.py compares the two on the sample
corpus; jieba itself is kept as that reference). ``opencc`` is the C++ library's binding.
"""

import logging
import re
import threading
import unicodedata
from functools import lru_cache

import jieba_fast
import opencc
from django.conf import settings

from regions import data_version

MAX_QUERY_TERMS = 20
# Longer "words" (a run of Latin letters, a pasted hash) are cut to this length on both sides:
# PostgreSQL refuses lexemes over 2 KiB, and nobody searches for 60 characters of one word.
MAX_TOKEN_LENGTH = 60

_WORD = re.compile(r"[^\W_]+")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _converter():
    return opencc.OpenCC("t2s")


def normalise(text):
    """Full-width → half-width, traditional → simplified, lower case."""
    text = unicodedata.normalize("NFKC", text or "")
    return _converter().convert(text).lower()


def custom_words():
    """Instrument names and synonyms, place names: words jieba must keep whole."""
    from initiatives.models import PolicyInstrument
    from regions.models import Region

    words = set()
    for name, synonyms in PolicyInstrument.objects.values_list("name", "synonyms"):
        words.add(name)
        words.update(synonyms or ())
    for name, short_name in Region.objects.values_list("name", "short_name"):
        words.add(name)
        words.add(short_name)
    return sorted(w for w in (normalise(w).strip() for w in words) if len(w) >= 2)


_tokenizer = None
_tokenizer_version = None  # the data version the custom dictionary was read at


def tokenizer():
    """The process-wide jieba tokenizer with the custom dictionary (built on first use, and
    again when instruments or regions changed in any process: ``regions.data_version``)."""
    global _tokenizer, _tokenizer_version
    version = data_version.stamp()
    if _tokenizer is None or _tokenizer_version != version:
        with _lock:
            if _tokenizer is None or _tokenizer_version != version:
                _tokenizer = _build_tokenizer(custom_words())
                _tokenizer_version = version
    return _tokenizer


def _build_tokenizer(words, implementation=jieba_fast):
    """A tokenizer of ``implementation`` (``jieba_fast``, or ``jieba`` as the reference)."""
    implementation.setLogLevel(logging.WARNING)
    cache_dir = settings.JIEBA_CACHE_DIR / implementation.__name__
    cache_dir.mkdir(parents=True, exist_ok=True)
    tk = implementation.Tokenizer()
    tk.tmp_dir = str(cache_dir)
    tk.initialize()
    for word in words:
        # jieba suggests the frequency that keeps the word whole (never below its own).
        tk.add_word(word)
    return tk


def reset_tokenizer():
    """Forget the custom dictionary (tests, or after curators change the vocabulary)."""
    global _tokenizer
    with _lock:
        _tokenizer = None


def _words(token):
    return [w[:MAX_TOKEN_LENGTH] for w in _WORD.findall(token)]


def _search_mode(tk, text):
    """jieba's search mode, extended to dictionary words of any length inside a token.

    ``cut_for_search`` only looks at 2- and 3-character pieces: 担保贷款 inside
    创业担保贷款 would be lost if 担保贷款 were itself a dictionary word.
    """
    freq = tk.FREQ
    for token in tk.cut(text, HMM=True):
        n = len(token)
        if n > 2:
            for size in range(2, n):
                for i in range(n - size + 1):
                    piece = token[i : i + size]
                    if freq.get(piece):
                        yield piece
        yield token


def _index_tokens(tk, text, tokens):
    for token in _search_mode(tk, text):
        # Most tokens are one word already (``isalnum`` is the regex's ``[^\W_]``, char by
        # char): only punctuation and mixed tokens need the regex.
        if token.isalnum():
            tokens.append(token[:MAX_TOKEN_LENGTH])
        else:
            tokens.extend(_words(token))
    return tokens


def segment_for_index(text):
    """Space-separated search tokens of ``text``, as stored in ``Initiative.search_text``."""
    return " ".join(_index_tokens(tokenizer(), normalise(text), []))


# jieba cuts a text block by block: runs of these characters, each cut on its own (what
# lies between them gives no word). So a block's tokens do not depend on what surrounds it.
_BLOCK = jieba_fast.re_han_default


def segment_many_for_index(texts):
    """``[segment_for_index(t) for t in texts]``, with each distinct block cut once.

    For the texts of one document: an initiative's title is mostly words of its text, and
    a document repeats its phrases. The tokens are exactly ``segment_for_index``'s
    (jieba cuts block by block, see ``_BLOCK``); the memory of blocks lasts for this call.
    """
    tk = tokenizer()
    seen = {}
    out = []
    for text in texts:
        tokens = []
        for block in _BLOCK.split(normalise(text)):
            if not block:
                continue
            found = seen.get(block)
            if found is None:
                found = seen[block] = _index_tokens(tk, block, [])
            tokens.extend(found)
        out.append(" ".join(tokens))
    return out


def query_terms(q):
    """The words of a query (accurate mode), deduplicated, at most ``MAX_QUERY_TERMS``."""
    tk = tokenizer()
    terms = []
    for token in tk.cut(normalise(q), HMM=True):
        for word in _words(token):
            if word not in terms:
                terms.append(word)
    return terms[:MAX_QUERY_TERMS]


def pieces_of(term):
    """Shorter dictionary words that cover ``term`` end to end (longest first), or ``[]``.

    A query word may straddle two words of the indexed text: 创业基金 in 返乡创业基金 is cut
    返乡创业 / 基金. Matching either the word or all of its pieces keeps such texts found.
    """
    tk = tokenizer()
    n, at, out = len(term), 0, []
    if n < 3:
        return []
    while at < n:
        for size in range(min(n - 1, n - at), 1, -1):
            piece = term[at : at + size]
            if tk.FREQ.get(piece):
                out.append(piece)
                at += size
                break
        else:
            return []
    return out


def query_plan(terms):
    """For each term, the alternatives that satisfy it: ``[[term], [piece, piece]]``."""
    plan = []
    for term in terms:
        alternatives = [[term]]
        pieces = pieces_of(term)
        if pieces:
            alternatives.append(pieces)
        plan.append(alternatives)
    return plan
