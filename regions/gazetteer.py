"""An in-memory view of the gazetteer for the ingest and the exports.

About 3,200 rows: loading them once per process is cheaper than one query per lookup, and
lets the ingest scan text for every official name, short name and alias. Any change to a
Region (a curator adding an alias) clears the cache of the process that made it
(``regions.signals``) and moves the data version that every other process checks on its
next request (``regions.data_version``).
"""

from dataclasses import dataclass, field

from django.utils.translation import get_language

from regions import data_version
from regions.english import english_short_name

NATIONAL_CODE = "000000"
NATIONAL, PROVINCE, PREFECTURE, COUNTY = 0, 1, 2, 3


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    short_name: str
    level: int
    parent_code: str | None
    province_code: str | None
    prefecture_code: str | None
    aliases: tuple = field(default=())
    name_en: str = ""

    @property
    def display_name(self):
        """The name in the page's language (四川省 / Sichuan Province)."""
        return (self.name_en or self.name) if get_language() == "en" else self.name

    @property
    def display_short_name(self):
        """The short name in the page's language (四川 / Sichuan), for tiles and facets."""
        if get_language() == "en" and self.name_en:
            return english_short_name(self.name_en)
        return self.short_name


class Gazetteer:
    def __init__(self, places):
        self.by_code = {p.code: p for p in places}
        # name -> codes, split by how trustworthy a bare mention of the name is.
        self.official = {}
        self.short = {}
        for p in places:
            self.official.setdefault(p.name, []).append(p.code)
            for name in (p.short_name, *p.aliases):
                if name and name != p.name and len(name) >= 2:
                    self.short.setdefault(name, []).append(p.code)
        self.max_name_length = max((len(n) for n in (*self.official, *self.short)), default=0)
        # English names as a visitor of the English pages types them, lower case: the full
        # name (sichuan province), a province without its level (sichuan, inner mongolia)
        # and, from four letters, a city's or county's romanised name alone (leshan, julu).
        self.english = {}
        for p in places:
            if p.name_en:
                names = [p.name_en, english_short_name(p.name_en)]
                if p.level != PROVINCE:
                    names.append(p.name_en.split()[0])
                for name in dict.fromkeys(names):
                    if len(name) >= 4:
                        self.english.setdefault(name.lower(), []).append(p.code)
        # Counties by the province and by the prefecture they lie in: resolving a mention
        # near a province or city looks at its few counties, not at every place.
        self._counties_within = {}
        for p in places:
            if p.level == COUNTY:
                for ancestor in dict.fromkeys((p.province_code, p.prefecture_code)):
                    if ancestor:
                        self._counties_within.setdefault(ancestor, []).append(p)

    def get(self, code):
        return self.by_code.get(code)

    def codes_for_name(self, name):
        return list(dict.fromkeys(self.official.get(name, []) + self.short.get(name, [])))

    def path(self, code):
        """Places from the province down to ``code``; the root alone for 全国."""
        place = self.by_code.get(code)
        if place is None:
            return []
        if place.level == NATIONAL:
            return [place]
        chain = []
        while place is not None and place.level != NATIONAL:
            chain.append(place)
            place = self.by_code.get(place.parent_code)
        return list(reversed(chain))

    def path_name(self, code):
        return "/".join(p.name for p in self.path(code))

    def display_path(self, code):
        """[(code, name in the page's language), …] from the province down to ``code``."""
        return [(p.code, p.display_name) for p in self.path(code)]

    def display_path_name(self, code):
        """``四川省/乐山市``, or ``Sichuan Province/Leshan`` on English pages."""
        return "/".join(p.display_name for p in self.path(code))

    def province_of(self, code):
        place = self.by_code.get(code)
        if place is None or place.level == NATIONAL:
            return None
        return self.by_code.get(place.province_code)

    def counties_within(self, code):
        """The counties that lie below ``code`` (every county for 全国)."""
        if code == NATIONAL_CODE:
            return [p for p in self.by_code.values() if p.level == COUNTY]
        return self._counties_within.get(code, [])

    def is_within(self, code, ancestor_code):
        """True when ``code`` is ``ancestor_code`` or lies below it."""
        if ancestor_code == NATIONAL_CODE or code == ancestor_code:
            return True
        place = self.by_code.get(code)
        return place is not None and ancestor_code in (place.province_code, place.prefecture_code)


_cached = None  # (data version, Gazetteer)


def gazetteer():
    """The gazetteer as the database holds it now: rebuilt when the data version moved (an
    edit in this worker or any other, ``regions.data_version``), else the one in memory."""
    global _cached
    version = data_version.stamp()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    from regions.models import Region

    rows = Region.objects.values_list(
        "code",
        "name",
        "short_name",
        "level",
        "parent_id",
        "province_id",
        "prefecture_id",
        "aliases",
        "name_en",
    )
    built = Gazetteer(
        [Place(*row[:7], aliases=tuple(row[7] or ()), name_en=row[8]) for row in rows]
    )
    _cached = (version, built)
    return built


def clear_cache(**kwargs):
    global _cached
    _cached = None
