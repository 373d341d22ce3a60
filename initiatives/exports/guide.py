"""The "for researchers" guide on /data/: reading the full download with pandas and Stata.

The snippets are code, shown as they are in both languages; tests check that every column
they name is a column of the file they read (and run the pandas one where pandas is
installed)."""

PANDAS = """import pandas as pd

# Region codes are text (read as numbers, 000000 would become 0): dtype=str keeps them.
codes = {"region_code": str, "prefecture_code": str, "province_code": str}


def read(name, **options):
    return pd.read_csv(name, encoding="utf-8-sig", **options)


initiatives = read("initiatives.csv", dtype={"region_codes": str})
regions = read("initiative_regions.csv", dtype=codes)
instruments = read("initiative_instruments.csv")
panel = read("adoption_panel.csv", dtype=codes)

# Link tables join on initiative_id; issuer and covered regions place an initiative.
placed = regions[regions["role"].isin(["issuer", "covered"])]
rows = (
    placed.merge(instruments, on="initiative_id")
    .merge(initiatives[["id", "year", "document_id"]], left_on="initiative_id", right_on="id")
)
by_region_year = rows.groupby(["region_code", "instrument_slug", "year"])["initiative_id"].nunique()

# Event history for one instrument: a region is at risk from its first covered year until
# its first adoption (the event); a region that never adopts is censored at its last
# covered year. A first_year before the region's first row: never at risk (dropped).
loan = panel[panel["instrument"] == "business-startup-guarantee-loan"]
at_risk = loan[loan["first_year"].isna() | (loan["year"] <= loan["first_year"])].copy()
at_risk["event"] = (at_risk["year"] == at_risk["first_year"]).astype(int)
spells = at_risk.groupby("region_code").agg(
    start=("year", "min"), stop=("year", "max"), event=("event", "max")
)
"""

STATA = """* Region codes as text: stringcols() names their column numbers.
import delimited using "initiative_regions.csv", encoding("utf-8") stringcols(2 5 6) clear
keep if inlist(role, "issuer", "covered")
save placed, replace
import delimited using "initiatives.csv", encoding("utf-8") stringcols(5) bindquote(strict) clear
rename id initiative_id
merge 1:m initiative_id using placed, keep(match) nogenerate

* The panel: at risk until the first adoption, censored at the last covered year.
import delimited using "adoption_panel.csv", encoding("utf-8") stringcols(1 3 4) clear
keep if instrument == "business-startup-guarantee-loan"
keep if missing(first_year) | year <= first_year
generate event = (year == first_year)
encode region_code, generate(region)
* Discrete-time hazard: one row per region-year at risk.
logit event i.year, vce(cluster region)
"""

# Which file each snippet reads, and the columns it names there (the test's contract).
PANDAS_COLUMNS = {
    "initiatives.csv": ["id", "year", "document_id", "region_codes"],
    "initiative_regions.csv": [
        "initiative_id",
        "region_code",
        "role",
        "prefecture_code",
        "province_code",
    ],
    "initiative_instruments.csv": ["initiative_id", "instrument_slug"],
    "adoption_panel.csv": [
        "region_code",
        "prefecture_code",
        "province_code",
        "year",
        "instrument",
        "first_year",
    ],
}
# Stata: (file, column number in stringcols, column name it must be).
STATA_STRING_COLUMNS = [
    ("initiative_regions.csv", 2, "region_code"),
    ("initiative_regions.csv", 5, "prefecture_code"),
    ("initiative_regions.csv", 6, "province_code"),
    ("initiatives.csv", 5, "region_codes"),
    ("adoption_panel.csv", 1, "region_code"),
    ("adoption_panel.csv", 3, "prefecture_code"),
    ("adoption_panel.csv", 4, "province_code"),
]
