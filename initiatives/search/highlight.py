"""Marking matched words in text, as (piece, matched) pairs the template escapes itself."""

import re

from initiatives.search.segmentation import normalise


def _spans(text, terms):
    """Character spans of ``terms`` in ``text``, merged, in order.

    The search is made on the normalised text (simplified, lower case, half-width) so a
    traditional-character or full-width source still lights up; when normalising changed the
    length (rare OpenCC phrase rules) the original text is searched instead.
    """
    folded = normalise(text)
    if len(folded) != len(text):
        folded = text.lower()
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not terms:
        return []
    pattern = re.compile("|".join(re.escape(t) for t in terms))
    spans = []
    for match in pattern.finditer(folded):
        start, end = match.span()
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def pieces(text, spans):
    out, at = [], 0
    for start, end in spans:
        if start > at:
            out.append((text[at:start], False))
        out.append((text[start:end], True))
        at = end
    if at < len(text):
        out.append((text[at:], False))
    return out


def highlight(text, terms):
    return pieces(text, _spans(text, terms))


def snippet(text, terms, width=140):
    """About ``width`` characters around the first match (the start when none), marked."""
    spans = _spans(text, terms)
    if len(text) <= width:
        return pieces(text, spans)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - width // 4, len(text) - width))
    end = start + width
    inside = [
        (max(s, start) - start, min(e, end) - start) for s, e in spans if e > start and s < end
    ]
    out = pieces(text[start:end], inside)
    if start > 0:
        out.insert(0, ("…", False))
    if end < len(text):
        out.append(("…", False))
    return out
