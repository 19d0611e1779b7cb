"""Demo listings across Minnesota for `seed_demo`, so that the public directory looks like the state.

Twenty agencies of the three kinds and some sixty-five assisters, from the Twin Cities to
Grand Marais, Worthington and Roseau: a 25-mile search from most cities and a 100-mile search
from anywhere in Minnesota find someone. The people are made up and live in data files
(`demo/data/directory_agencies.csv`, `demo/data/directory_people.csv`); they are built like
the rest of the demo (`agencies.py`, over `certification.builders`): agencies registered and
approved, assisters invited, certified and listed.

Their accounts are not printed as demo logins. They share the demo password, hashed once for
all of them: hashing it per account (PBKDF2) would make up most of the seeding time.
"""

import csv
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import User
from certification.models import Agency, AgencyKind, AssisterKind
from core.models import County, Language

from .agencies import demo_agency, demo_assister
from .staff import DEMO_DOMAIN, DEMO_PASSWORD

DATA = Path(__file__).resolve().parent.parent / "data"
DEFAULT_KIND = {
    AgencyKind.BROKER_AGENCY: AssisterKind.BROKER,
    AgencyKind.NAVIGATOR_ORG: AssisterKind.NAVIGATOR,
    AgencyKind.CAC_ORG: AssisterKind.CAC,
}

# Words of a listing's `flags` and the directory field each one switches on.
FLAGS = {
    "shop": "serves_shop",
    "public": "serves_public_programs",
    "evenings": "open_evenings",
    "weekends": "open_weekends",
    "appointment": "appointment_required",
    "wheelchair": "wheelchair_accessible",
    "interpreters": "interpreters_available",
    "asl": "asl_available",
}
# "full" means not accepting new clients. Navigators and counselors all help with public programs.
PUBLIC_PROGRAM_KINDS = {
    AssisterKind.NAVIGATOR,
    AssisterKind.CAC,
    AgencyKind.NAVIGATOR_ORG,
    AgencyKind.CAC_ORG,
}


@dataclass(frozen=True)
class Office:
    """An assister's own office, in another town than the agency's."""

    street: str
    city: str
    zip_code: str
    area_code: str


@dataclass(frozen=True)
class Person:
    agency: str  # the public name of their agency
    first: str
    last: str
    languages: str  # language codes (core/data/languages.csv), space-separated
    flags: str = ""
    hours: str = ""  # the agency's when empty
    office: Office | None = None
    counties: str = ""  # county names separated by "|"; the agency's when empty
    kind: str = ""  # the agency's usual kind when empty

    @property
    def local(self) -> str:
        return f"{_slug(self.first)}.{_slug(self.last)}"


@dataclass(frozen=True)
class Listing:
    kind: str
    name: str
    street: str
    city: str
    zip_code: str
    phone: str
    counties: str
    languages: str
    admin: tuple[str, str]
    hours: str
    flags: str

    @property
    def slug(self) -> str:
        return _slug(self.name)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text.lower()).split())


def _rows(name: str) -> list[dict]:
    """The rows of a data file; its first lines, starting with "#", say what it is."""
    with (DATA / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def agencies() -> list[Listing]:
    """The directory's agencies, in the order of the data file (which numbers their FEINs)."""
    return [
        Listing(
            kind=AgencyKind(row["kind"]),
            name=row["name"],
            street=row["street"],
            city=row["city"],
            zip_code=row["zip_code"],
            phone=row["phone"],
            counties=row["counties"],
            languages=row["languages"],
            admin=(row["admin_first_name"], row["admin_last_name"]),
            hours=row["hours"],
            flags=row["flags"],
        )
        for row in _rows("directory_agencies.csv")
    ]


def people() -> list[Person]:
    """The directory's people, in the order of the data file (which numbers their phones and NPNs)."""
    found = []
    for row in _rows("directory_people.csv"):
        office = None
        if row["office_street"]:
            office = Office(row["office_street"], row["office_city"], row["office_zip"], row["office_area_code"])
        found.append(
            Person(
                agency=row["agency"],
                first=row["first_name"],
                last=row["last_name"],
                languages=row["languages"],
                flags=row["flags"],
                hours=row["hours"],
                office=office,
                counties=row["counties"],
                kind=AssisterKind(row["kind"]) if row["kind"] else "",
            )
        )
    return found


def _flags(words: str, kind: str) -> dict:
    """Every directory flag, set from the words (the model's defaults are not relied on)."""
    words = set(words.split())
    if unknown := words - set(FLAGS) - {"full"}:
        raise ValueError(f"Unknown demo flags: {sorted(unknown)}")
    fields = {field: word in words for word, field in FLAGS.items()}
    fields["serves_individual_market"] = True
    fields["serves_public_programs"] |= kind in PUBLIC_PROGRAM_KINDS
    fields["accepting_new_clients"] = "full" not in words
    return fields


def _counties(names: str) -> list[County]:
    wanted = names.split("|")
    found = list(County.objects.filter(name__in=wanted))
    if len(found) != len(wanted):
        raise ValueError(f"Unknown demo county in {names!r}")
    return found


def _languages(codes: str) -> list[Language]:
    wanted = codes.split()
    found = list(Language.objects.filter(code__in=wanted))
    if len(found) != len(wanted):
        raise ValueError(f"Unknown demo language in {codes!r}")
    return found


def _agency(number: int, listing: Listing) -> tuple[Agency, bool]:
    existed = Agency.objects.filter(public_name=listing.name).exists()
    agency = demo_agency(
        listing.kind,
        listing.name,
        listing.city,
        listing.zip_code,
        f"admin.{listing.slug}",
        f"41-2000{100 + number:03d}",
        listing.counties.split("|"),
        listing.languages.split(),
        street=listing.street,
        phone=listing.phone,
        admin_name=listing.admin,
        password=None,
        profile={
            "public_email": f"{listing.slug}@{DEMO_DOMAIN}",
            "website": f"https://{listing.slug}.example.org",
            "hours": listing.hours,
            **_flags(listing.flags, listing.kind),
        },
    )
    return agency, not existed


def _person(number: int, agency: Agency, person: Person) -> User | None:
    kind = person.kind or DEFAULT_KIND[agency.kind]
    area = person.office.area_code if person.office else agency.phone[:3]
    profile = {
        "public_phone": f"{area}-555-{130 + number:04d}",
        "hours": person.hours or agency.hours,
        "languages": _languages(person.languages),
        "counties": _counties(person.counties) if person.counties else list(agency.counties.all()),
        **_flags(person.flags, kind),
    }
    if person.office:
        profile |= {
            "office_street": person.office.street,
            "office_city": person.office.city,
            "office_zip": person.office.zip_code,
        }
    return demo_assister(
        agency,
        person.local,
        kind,
        person.first,
        person.last,
        "approved",
        npn=str(8810000 + number),
        password=None,
        profile=profile,
    )


@transaction.atomic
def seed() -> None:
    """Create the listings that do not exist yet; their new accounts get the demo password."""
    created = []
    by_name = {}
    for number, listing in enumerate(agencies()):
        agency, new = _agency(number, listing)
        by_name[listing.name] = agency
        if new:
            created.append(agency.memberships.get().user_id)
    for number, person in enumerate(people()):
        agency = by_name.get(person.agency) or Agency.objects.get(public_name=person.agency)
        user = _person(number, agency, person)
        if user is not None:
            created.append(user.pk)
    if created:
        # One PBKDF2 hash for all of them instead of one each (~0.35 s apiece).
        User.objects.filter(pk__in=created).update(password=make_password(DEMO_PASSWORD))
