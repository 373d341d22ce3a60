"""What the words typed in the search box mean, for the page, the CSV export and the API.

The box takes what a policy officer types: ``乐山 创业担保贷款``, ``四川 高校毕业生 -贷款``.
The text is cut at spaces (ASCII or full-width) into tokens, each read on its own:

- a place name or short name of the gazetteer (四川, 乐山, 巨鹿县, 金牛区) is a region
  filter, not a word: most initiatives never repeat their own region's name;
- ``-word`` or ``NOT word`` excludes the initiatives whose text holds that word;
- anything else is searched as words (``initiatives.segmentation.query_terms``).

Only whole tokens are read as places: 中山 inside 中山大学 stays a word. The tokens are kept
in order so that a chip can give the query without one of them.
"""

import re
from dataclasses import dataclass, field

from initiatives.segmentation import normalise
from regions.gazetteer import NATIONAL, gazetteer

WORD, REGION, EXCLUDE = "word", "region", "exclude"
MINUS = ("-", "－", "—")  # what a hyphen key or a Chinese input method types
NOT = "not"
SPACES = re.compile(r"\s+")  # \s covers the full-width space U+3000


@dataclass(frozen=True)
class Token:
    kind: str  # WORD, REGION or EXCLUDE
    text: str  # as typed (without the minus sign or NOT)
    codes: tuple = ()  # REGION: the places the name stands for
    raw: tuple = ()  # the typed pieces, to rebuild the query without this token


@dataclass
class ParsedQuery:
    tokens: list = field(default_factory=list)

    @property
    def text(self):
        """The words to search for (places and exclusions taken out)."""
        return " ".join(t.text for t in self.tokens if t.kind == WORD)

    @property
    def region_codes(self):
        """Every place named, in order, each once."""
        return list(dict.fromkeys(c for t in self.tokens if t.kind == REGION for c in t.codes))

    @property
    def excluded(self):
        return list(dict.fromkeys(t.text for t in self.tokens if t.kind == EXCLUDE))

    def without(self, kind=None, position=None):
        """The query text without the tokens of ``kind`` or the one at ``position``."""
        kept = [t for i, t in enumerate(self.tokens) if t.kind != kind and i != position]
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
    return ()


def parse(text):
    """A ``ParsedQuery`` for the text of the ``q`` parameter."""
    pieces = [p for p in SPACES.split(text or "") if p]
    tokens, i = [], 0
    while i < len(pieces):
        piece = pieces[i]
        if piece.lower() == NOT and i + 1 < len(pieces):
            tokens.append(Token(EXCLUDE, pieces[i + 1], raw=(piece, pieces[i + 1])))
            i += 2
            continue
        i += 1
        if piece[0] in MINUS and len(piece) > 1 and piece[1:].strip("-－—"):
            tokens.append(Token(EXCLUDE, piece[1:].lstrip("-－—"), raw=(piece,)))
            continue
        codes = place_codes(piece) if len(piece) >= 2 else ()
        if codes:
            tokens.append(Token(REGION, piece, codes=codes, raw=(piece,)))
        else:
            tokens.append(Token(WORD, piece, raw=(piece,)))
    return ParsedQuery(tokens)
