"""Themes and instruments, matched with the vocabularies curators edit in admin."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ThemeCues:
    key: str
    cues: tuple
    heading_cues: tuple


class Vocabulary:
    def __init__(self, themes, instruments):
        """``themes``: ThemeCues; ``instruments``: (id, name, synonyms) triples."""
        self.themes = list(themes)
        # Longest names first, so 一次性创业补贴 wins over 创业补贴 at the same place.
        self.instrument_names = sorted(
            (
                (name, iid)
                for iid, name, synonyms in instruments
                for name in (name, *synonyms)
                if name
            ),
            key=lambda pair: -len(pair[0]),
        )

    @classmethod
    def from_database(cls):
        from initiatives.models import PolicyInstrument, Theme

        themes = [
            ThemeCues(t.key, tuple(t.cues or ()), tuple(t.heading_cues or ()))
            for t in Theme.objects.all()
        ]
        instruments = PolicyInstrument.objects.values_list("id", "name", "synonyms")
        return cls(themes, [(i, n, tuple(s or ())) for i, n, s in instruments])

    def themes_for(self, text, headings):
        found = []
        # Only the nearest heading colours a clause: a chapter title (推动乡村振兴…) is too broad.
        nearest = [h for h in headings if h][-1:]
        for theme in self.themes:
            if any(cue in text for cue in theme.cues) or any(
                cue in h for h in nearest for cue in theme.heading_cues
            ):
                found.append(theme.key)
        return found

    def instruments_in(self, text):
        """Instrument ids named in ``text``; overlapping names count once (the longest)."""
        taken = [False] * len(text)
        found = []
        for name, iid in self.instrument_names:
            start = text.find(name)
            while start >= 0:
                end = start + len(name)
                if not any(taken[start:end]):
                    for k in range(start, end):
                        taken[k] = True
                    if iid not in found:
                        found.append(iid)
                start = text.find(name, end)
        return found
