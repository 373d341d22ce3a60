"""Which canonical indicator a target's label names (城镇新增就业人数 → 城镇新增就业).

The longest name or synonym found in the label wins among the indicators measured in the
target's unit; a label naming none stays "other" with its own words.
"""


class IndicatorVocabulary:
    def __init__(self, rows):
        """``rows``: (pk, name, units, synonyms) of each indicator."""
        self.words = sorted(
            (
                (word, pk, frozenset(units or ()))
                for pk, name, units, synonyms in rows
                for word in {name, *(synonyms or ())}
                if word
            ),
            key=lambda entry: -len(entry[0]),
        )

    @classmethod
    def from_database(cls):
        from initiatives.models import Indicator

        return cls(Indicator.objects.values_list("pk", "name", "units", "synonyms"))

    def link(self, label, unit):
        for word, pk, units in self.words:
            if word in (label or "") and (not units or unit in units):
                return pk
        return None
