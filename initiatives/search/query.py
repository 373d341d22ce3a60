"""What the words typed in the search box mean, for the page, the CSV export and the API.

The box takes what a policy officer types: ``乐山 创业担保贷款``, ``四川 高校毕业生 -贷款``.
The text is cut at spaces (ASCII or full-width) into tokens, each read on its own:

- a place name or short name of the gazetteer (四川, 乐山, 巨鹿县, 金牛区; in English
  Sichuan, Leshan) is a region filter, not a word: most initiatives never repeat their own
  region's name;
- ``-word`` or ``NOT word`` excludes the initiatives whose text holds that word;
- ``"exact phrase"`` (ASCII or Chinese quotes) must appear as typed, spaces and all;
- ``A OR B`` matches either side (``A OR B C``: A or B, and C; ``A OR B OR C`` chains);
- an instrument's name or synonym (创业担保贷款, 小额担保贷款) matches the initiatives whose
  text holds it OR that are tagged with that instrument, tagged ones first in relevance
  order (a synonym typed finds the rows tagged under another one);
- an English word of a theme's or an instrument's English name (``skills``, ``loan``) is
  searched as that vocabulary's Chinese words or the word itself (the documents are Chinese;
  an English page's visitor types English);
- anything else is searched as words (``initiatives.search.segmentation.query_terms``).

Only whole tokens are read as places: 中山 inside 中山大学 stays a word. The tokens are kept
in order so that a chip can give the query without one of them.
"""

import re
from dataclasses import dataclass, field

from initiatives.models import PolicyInstrument, Theme
from initiatives.search.segmentation import normalise, query_terms
from regions.gazetteer import NATIONAL, gazetteer

WORD, REGION, EXCLUDE, PHRASE, ANY = "word", "region", "exclude", "phrase", "any"
INSTRUMENT = "instrument"
# What is searched in the text (one chip on the search page); places and exclusions are not.
SEARCHED = (WORD, PHRASE, ANY, INSTRUMENT)
MINUS = ("-", "－", "—")  # what a hyphen key or a Chinese input method types
NOT = "not"
OR = "or"
# A quoted phrase (ASCII or Chinese quotes; an unclosed quote runs to the end) or a run of
# anything but spaces; \s covers the full-width space U+3000.
PIECES = re.compile(r'"([^"]*)"?|“([^”]*)”?|[^\s"“]+')


@dataclass(frozen=True)
class Token:
    kind: str  # WORD, REGION, EXCLUDE, PHRASE, ANY or INSTRUMENT
    text: str  # as typed (without the minus sign or NOT; a phrase without its quotes)
    codes: tuple = ()  # REGION: the places the name stands for
    raw: tuple = ()  # the typed pieces, to rebuild the query without this token
    options: tuple = ()  # ANY: the WORD and PHRASE tokens either of which may match
    instrument: tuple = ()  # INSTRUMENT: (id, slug, name) of the instrument it names


@dataclass(frozen=True)
class Phrase:
    """A search term: ``text`` must appear as typed; ``words`` find the candidates in the
    full-text index (which does not keep word order), the text itself is then checked."""

    text: str
    words: tuple


@dataclass(frozen=True)
class AnyOf:
    """A search term met by any one of ``options``: each a tuple of words (all must
    match) or a ``Phrase``."""

    options: tuple


@dataclass
class ParsedQuery:
    tokens: list = field(default_factory=list)

    @property
    def text(self):
        """The words to search for (places and exclusions taken out)."""
        return " ".join(t.text for t in self.tokens if t.kind == WORD)

    @property
    def searched_text(self):
        """What is searched in the text, as typed (words, phrases, OR groups)."""
        return " ".join(p for t in self.tokens if t.kind in SEARCHED for p in t.raw)

    @property
    def phrases(self):
        return [t.text for t in self.tokens if t.kind == PHRASE]

    @property
    def any_of(self):
        """One tuple of option tokens per ``A OR B`` group."""
        return [t.options for t in self.tokens if t.kind == ANY]

    @property
    def instruments(self):
        """``(token, (id, slug, name))`` per instrument named as a whole token."""
        return [(t, t.instrument) for t in self.tokens if t.kind == INSTRUMENT]

    @property
    def region_codes(self):
        """Every place named, in order, each once."""
        return list(dict.fromkeys(c for t in self.tokens if t.kind == REGION for c in t.codes))

    @property
    def excluded(self):
        return list(dict.fromkeys(t.text for t in self.tokens if t.kind == EXCLUDE))

    def without(self, kind=None, position=None):
        """The query text without the tokens of ``kind`` (WORD: all that is searched in the
        text) or the one at ``position``."""
        kinds = SEARCHED if kind == WORD else (kind,)
        kept = [t for i, t in enumerate(self.tokens) if t.kind not in kinds and i != position]
        return " ".join(piece for t in kept for piece in t.raw)


def place_codes(name):
    """The gazetteer codes ``name`` stands for: an official name before a short one; 全国
    is no filter (it is everywhere). Traditional characters and full-width forms are
    read as the gazetteer spells names."""
    gaz = gazetteer()
    for spelling in dict.fromkeys((name, normalise(name))):
        for table in (gaz.official, gaz.short):
            codes = [c for c in table.get(spelling, ()) if gaz.get(c).level != NATIONAL]
            if codes:
                return tuple(codes)
    codes = [c for c in gaz.english.get(name.lower(), ()) if gaz.get(c).level != NATIONAL]
    return tuple(codes)


def _pieces(text):
    """``(piece as typed, phrase or None)`` in order; an empty phrase is dropped."""
    found = []
    for match in PIECES.finditer(text or ""):
        phrase = match.group(1) if match.group(1) is not None else match.group(2)
        if phrase is None:
            found.append((match.group(0), None))
        elif phrase.strip():
            found.append((match.group(0), " ".join(phrase.split())))
    return found


def instrument_names(instruments=None):
    """``{name or synonym: (id, slug, name)}`` of ``instruments`` (default: all of them, read
    from the vocabulary curators edit); a synonym shared by two instruments names neither."""
    if instruments is None:
        instruments = PolicyInstrument.objects.all()
    found, shared = {}, set()
    for instrument in instruments:
        pk, slug, name = instrument.pk, instrument.slug, instrument.name
        synonyms = instrument.synonyms if isinstance(instrument.synonyms, list) else []
        for spelling in dict.fromkeys([name, *(synonyms or [])]):
            if not isinstance(spelling, str) or len(spelling) < 2:
                continue
            if spelling in found and found[spelling][0] != pk:
                shared.add(spelling)
            found.setdefault(spelling, (pk, slug, name))
    for spelling in shared:
        if found[spelling][2] != spelling:  # an instrument's own name stays its own
            del found[spelling]
    return found


def parse(text, names=None):
    """A ``ParsedQuery`` for the text of the ``q`` parameter; ``names`` is
    ``instrument_names()`` if the caller has it (read only when needed otherwise)."""
    pieces = _pieces(text)
    tokens, i = [], 0
    while i < len(pieces):
        piece, phrase = pieces[i]
        if phrase is None and piece.lower() == NOT and i + 1 < len(pieces):
            following = pieces[i + 1]
            tokens.append(Token(EXCLUDE, following[1] or following[0], raw=(piece, following[0])))
            i += 2
            continue
        i += 1
        if phrase is not None:
            tokens.append(Token(PHRASE, phrase, raw=(piece,)))
            continue
        if piece[0] in MINUS and len(piece) > 1 and piece[1:].strip("-－—"):
            tokens.append(Token(EXCLUDE, piece[1:].lstrip("-－—"), raw=(piece,)))
            continue
        codes = place_codes(piece) if len(piece) >= 2 else ()
        chinese = english_terms(piece) if not codes and ENGLISH_WORD.fullmatch(piece) else ()
        if not codes and not chinese and len(piece) >= 2:
            if names is None:
                names = instrument_names()
            named = names.get(piece) or names.get(normalise(piece))
        else:
            named = None
        if codes:
            tokens.append(Token(REGION, piece, codes=codes, raw=(piece,)))
        elif named:
            tokens.append(Token(INSTRUMENT, piece, raw=(piece,), instrument=named))
        elif chinese:
            options = tuple(Token(WORD, w, raw=(w,)) for w in (piece, *chinese))
            tokens.append(Token(ANY, piece, raw=(piece,), options=options))
        else:
            tokens.append(Token(WORD, piece, raw=(piece,)))
    return ParsedQuery(_or_groups(tokens, pieces))


ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z-]{2,}")
# Words of the English names that say nothing on their own.
ENGLISH_STOPWORDS = frozenset(
    "and the for with from into its their of on in to by or not via per non new other all".split()
)
MAX_ENGLISH_OPTIONS = 12
# Words in many vocabulary names, where the names would mislead (employment is in the
# poverty theme's name, but means 就业 everywhere): searched as their plain Chinese word.
ENGLISH_GENERAL = {
    "employment": ("就业",),
    "job": ("就业", "岗位"),
    "jobs": ("就业", "岗位"),
    "unemployment": ("失业",),
    "unemployed": ("失业",),
    "workers": ("劳动者", "职工"),
    "enterprise": ("企业",),
    "enterprises": ("企业",),
}


def _english_words(name):
    """The lower-case words of an English name, plurals also in the singular."""
    words = set()
    for word in re.findall(r"[a-z]+", name.lower()):
        if len(word) >= 3 and word not in ENGLISH_STOPWORDS:
            words.add(word)
            if word.endswith("s") and len(word) > 3:
                words.add(word[:-1])
    return words


def english_terms(word):
    """The Chinese words an English query word stands for: each theme whose English name
    holds the word gives its Chinese name and sentence cues, each such instrument its
    name; at most ``MAX_ENGLISH_OPTIONS``, themes first. Read from the vocabularies
    curators edit, so a new English name is searchable at once."""
    key = word.lower()
    if key in ENGLISH_STOPWORDS:
        return ()
    if key in ENGLISH_GENERAL:
        return ENGLISH_GENERAL[key]
    found = []
    for theme in Theme.objects.order_by("position", "key"):
        if key in _english_words(theme.name_en):
            found += [theme.name_zh, *theme.cues]
    for instrument in PolicyInstrument.objects.order_by("name").only("name", "name_en"):
        if key in _english_words(instrument.name_en):
            found.append(instrument.name)
    return tuple(dict.fromkeys(found))[:MAX_ENGLISH_OPTIONS]


def _or_groups(tokens, pieces):
    """``A OR B``: the searched tokens on both sides of a bare OR become one ANY token.

    OR next to a place, an exclusion or the end of the box has nothing to join: it is
    dropped (a place named twice already means either place). An instrument's name in an
    OR group is searched as a word."""
    tokens = [
        Token(WORD, t.text, raw=t.raw) if _or_next_to(tokens, i) else t
        for i, t in enumerate(tokens)
    ]
    grouped = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == WORD and token.text.lower() == OR:
            before = grouped[-1] if grouped else None
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            if (
                before is not None
                and after is not None
                and before.kind in SEARCHED
                and after.kind in (WORD, PHRASE)
                and after.text.lower() != OR
            ):
                options = before.options if before.kind == ANY else (before,)
                grouped[-1] = Token(
                    ANY,
                    " OR ".join(o.text for o in (*options, after)),
                    raw=(*before.raw, token.raw[0], *after.raw),
                    options=(*options, after),
                )
                i += 2
                continue
            i += 1
            continue
        grouped.append(token)
        i += 1
    return grouped


def _or_next_to(tokens, i):
    """Whether the instrument token at ``i`` stands beside a bare OR."""
    if tokens[i].kind != INSTRUMENT:
        return False
    return any(
        0 <= j < len(tokens) and tokens[j].kind == WORD and tokens[j].text.lower() == OR
        for j in (i - 1, i + 1)
    )


def search_terms(parsed, words):
    """The terms searched for: the plain words' ``words`` (already cut), then a ``Phrase``
    per quoted phrase and an ``AnyOf`` per OR group. Parts with nothing searchable (a
    phrase of punctuation) are left out; an OR group with one side left is that side."""

    def term(token):
        cut = tuple(query_terms(token.text))
        if not cut:
            return None
        return Phrase(token.text, cut) if token.kind == PHRASE else cut

    terms = list(words)
    terms += [p for p in (term(t) for t in parsed.tokens if t.kind == PHRASE) if p]
    for options in parsed.any_of:
        kept = tuple(dict.fromkeys(o for o in map(term, options) if o))
        if len(kept) > 1:
            terms.append(AnyOf(kept))
        elif kept:
            only = kept[0]
            terms += [only] if isinstance(only, Phrase) else [w for w in only if w not in terms]
    return terms
