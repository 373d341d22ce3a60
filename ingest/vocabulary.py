"""Themes and instruments, matched with the vocabularies curators edit in admin."""

import re
from dataclasses import dataclass

from ingest import noise

# Page-side pinyin readings (失業(yè)保險) split the words a cue looks for.
from ingest.noise import PINYIN


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
        # The names by their first two characters, keeping the order above: a clause is
        # searched only for the names whose beginning it holds.
        self._names_by_start = {}
        for order, (name, iid) in enumerate(self.instrument_names):
            self._names_by_start.setdefault(name[:2], []).append((order, name, iid))

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
        return [key for key, _ in self.theme_cues(text, headings)]

    def theme_cues(self, text, headings):
        """(theme key, the cue that gave it) for each theme of a clause; a heading's cue is
        written 章节“…”."""
        text = PINYIN.sub("", text)
        # The clauses that carry the measure say what it is about; a goal or result clause
        # beside them (力争…脱贫劳动力务工就业规模稳定在95万人以上) only counts people, and
        # speaks for the measure only when the measure names no theme itself.
        own = self._own_cues(_without_outcomes(text)) or self._own_cues(text)
        found = {key for key, _ in own}
        # Only the nearest heading colours a clause: a chapter title (推动乡村振兴…) is too broad.
        nearest = [h for h in headings if h][-1:]
        inherited = []
        for theme in self.themes:
            if theme.key in found:
                continue
            cue = next((f"章节“{c}”" for h in nearest for c in theme.heading_cues if c in h), None)
            if cue is not None:
                inherited.append((theme.key, cue))
        # A heading says who a clause is for and what is done; a clause that names its own
        # activity (创业专区 under a heading on training) is about that activity, while the
        # heading's group (高校毕业生) still applies.
        if found & ACTIVITY_THEMES:
            inherited = [(key, cue) for key, cue in inherited if key not in ACTIVITY_THEMES]
        order = {theme.key: k for k, theme in enumerate(self.themes)}
        return sorted(own + inherited, key=lambda pair: order[pair[0]])

    def _own_cues(self, text):
        # Where a longer cue of one theme ends with a cue of another (求职创业补贴 for graduates
        # ends with 创业补贴), the longer name says what the words are about.
        covered = _longer_cue_spans(text, self.themes)
        own = []
        for theme in self.themes:
            others = covered.get(theme.key, ())
            cue = next(
                (
                    c
                    for c in theme.cues
                    if c in text and _named_for_itself(c, text, others, theme.cues)
                ),
                None,
            )
            if cue is not None:
                own.append((theme.key, cue))
        return own

    def instruments_in(self, text):
        """Instrument ids named in ``text``; overlapping names count once (the longest)."""
        text = PINYIN.sub("", text)
        taken = [False] * len(text)
        found = []
        starts = {text[i : i + 2] for i in range(len(text))} | set(text)
        names = self._names_by_start
        candidates = sorted(entry for key in starts & names.keys() for entry in names[key])
        for _order, name, iid in candidates:
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


LIST_SEGMENT = re.compile(r"[^,;。:]+")
INSURANCE_OR_FUND = re.compile(r"保险|基金|金$")
# Themes that say what is done, as against who it is for (graduates, the poor, migrants).
ACTIVITY_THEMES = {
    "entrepreneurship",
    "skills",
    "unemployment_insurance",
    "public_employment_services",
}
CLAUSE = re.compile(r"[^,;。，；]+[,;。，；]?")


def _without_outcomes(text):
    """``text`` with the clauses that only count an outcome blanked (the same length): 力争…
    脱贫劳动力务工就业规模稳定在95万人以上 states the goal, not what the measure is about.
    A text that is nothing but such clauses keeps them."""
    clauses = CLAUSE.findall(text)
    kept = [c if not noise.is_outcome_clause(c) else " " * len(c) for c in clauses]
    if len(clauses) < 2 or all(not c.strip() for c in kept):
        return text
    return "".join(kept)


def _longer_cue_spans(text, themes):
    """theme key → spans of ``text`` taken by cues of the other themes, for telling a cue
    inside another theme's longer name apart."""
    spans = []
    for theme in themes:
        for cue in theme.cues:
            start = text.find(cue)
            while start >= 0:
                spans.append((theme.key, start, start + len(cue)))
                start = text.find(cue, start + 1)
    return {theme.key: tuple((a, b) for key, a, b in spans if key != theme.key) for theme in themes}


def _list_of_its_own(segment, cues):
    """True when two or more items of the list in ``segment`` carry cues of one theme
    (大学生村官、“三支一扶”、特岗计划: a list of graduate programmes is about graduates)."""
    items = re.split(r"[、和及与]", segment)
    return sum(1 for item in items if any(c in item for c in cues)) >= 2


def _named_for_itself(cue, text, others=(), cues=()):
    """True when ``cue`` occurs in ``text`` other than as one item of a long list of
    sectors or projects (转型升级项目、创业创新项目、教育培训项目等): a word in such a list
    does not make the measure about it; nor does a cue closing a longer cue of another theme
    (``others``: their spans)."""
    start = text.find(cue)
    while start >= 0:
        end = start + len(cue)
        # Chinese compounds are head-final: 创业补贴 closing 求职创业补贴 names another thing,
        # while 大学生 opening 大学生创业 or 技能 opening 技能提升补贴 still says who or what.
        inside = any(a < start and end == b for a, b in others)
        segment = next(m for m in LIST_SEGMENT.finditer(text) if m.start() <= start < m.end())
        # An insurance or fund in a list (养老保险、失业保险、工伤保险) is still one the measure
        # defers, pays or pools, unlike a sector in a list of projects.
        listed = (
            segment.group(0).count("、") >= 2
            and not INSURANCE_OR_FUND.search(cue)
            and not _list_of_its_own(segment.group(0), cues)
        )
        # 其中脱贫劳动力15.2万人: a breakdown of a figure names who was counted, not what
        # the measure is about.
        breakdown = segment.group(0).lstrip().startswith("其中")
        if not listed and not inside and not breakdown:
            return True
        start = text.find(cue, end)
    return False
