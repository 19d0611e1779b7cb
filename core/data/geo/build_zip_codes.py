"""Build the directory's offline ZIP code tables from the `zipcodes` package.

Run by hand (see README.md in this folder); `zipcodes` is not a project dependency:

    python -m venv /tmp/zvenv && /tmp/zvenv/bin/pip install zipcodes==3.0.0
    /tmp/zvenv/bin/python core/data/geo/build_zip_codes.py

Writes, next to this script:

- mn_zip_codes.csv: zip,city,county_fips,latitude,longitude,type,acceptable_cities — every
  Minnesota ZIP code in the package (type STANDARD, PO BOX or UNIQUE), with its county's 5-digit
  FIPS code and the other city names USPS accepts for it, separated by "|".
- zip3_states.csv: prefix,state — each 3-digit ZIP prefix and the state most of its ZIP codes are in.
"""

import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

import zipcodes

EXPECTED_VERSION = "3.0.0"
HERE = Path(__file__).resolve().parent
COUNTIES_CSV = HERE.parent / "mn_counties.csv"


def county_key(name: str) -> str:
    """'St. Louis County', 'St Louis County' and 'St. Louis' all give 'st louis'."""
    words = name.replace(".", " ").lower().split()
    if words and words[-1] == "county":
        words = words[:-1]
    return " ".join("st" if w == "saint" else w for w in words)


def load_counties() -> dict[str, str]:
    with COUNTIES_CSV.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fips_by_key = {county_key(row["name"]): row["fips"] for row in rows}
    assert len(fips_by_key) == len(rows) == 87, f"{COUNTIES_CSV} should list 87 distinct counties"
    return fips_by_key


def main() -> int:
    if zipcodes.__version__ != EXPECTED_VERSION:
        print(
            f"warning: zipcodes {zipcodes.__version__} installed; the README documents {EXPECTED_VERSION}",
            file=sys.stderr,
        )
    fips_by_key = load_counties()
    everything = zipcodes.list_all()

    rows = []
    unmatched = set()
    skipped = []
    for record in everything:
        if record["state"] != "MN":
            continue
        if not record["lat"] or not record["long"]:
            skipped.append(record["zip_code"])
            continue
        fips = fips_by_key.get(county_key(record["county"]))
        if fips is None:
            unmatched.add((record["zip_code"], record["county"]))
            continue
        city = record["city"]
        acceptable = []
        for name in record["acceptable_cities"]:
            if name != city and name not in acceptable:
                acceptable.append(name)
        for name in acceptable:
            assert "|" not in name, name
        rows.append(
            (
                record["zip_code"],
                city,
                fips,
                f"{float(record['lat']):.4f}",
                f"{float(record['long']):.4f}",
                record["zip_code_type"],
                "|".join(acceptable),
            )
        )
    if unmatched:
        listed = ", ".join(f"{zip_code} ({county!r})" for zip_code, county in sorted(unmatched))
        raise SystemExit(f"County names not in {COUNTIES_CSV}: {listed}")
    rows.sort()
    assert len({row[0] for row in rows}) == len(rows), "duplicate ZIP codes"

    with (HERE / "mn_zip_codes.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["zip", "city", "county_fips", "latitude", "longitude", "type", "acceptable_cities"])
        writer.writerows(rows)

    states_by_prefix: dict[str, Counter] = defaultdict(Counter)
    for record in everything:
        zip_code, state = record["zip_code"], record["state"]
        if len(zip_code) == 5 and zip_code.isdigit() and len(state) == 2:
            states_by_prefix[zip_code[:3]][state] += 1
    with (HERE / "zip3_states.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["prefix", "state"])
        for prefix in sorted(states_by_prefix):
            # Most ZIP codes wins; a tie goes to the alphabetically first state, so reruns are stable.
            state = min(states_by_prefix[prefix].items(), key=lambda item: (-item[1], item[0]))[0]
            writer.writerow([prefix, state])

    print(f"mn_zip_codes.csv: {len(rows)} ZIP codes in {len({row[2] for row in rows})} counties")
    if skipped:
        print(f"skipped (no coordinates): {', '.join(sorted(skipped))}")
    print(f"zip3_states.csv: {len(states_by_prefix)} prefixes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
