"""Demo listings across Minnesota for `seed_demo`, so that the public directory looks like the state.

Twenty agencies of the three kinds and some sixty-five assisters, from the Twin Cities to
Grand Marais, Worthington and Roseau: a 25-mile search from most cities and a 100-mile search
from anywhere in Minnesota find someone. They are built like the rest of the demo, through
the certification services (`certification.demo`): agencies registered and approved,
assisters invited, certified and listed. Everyone is invented; phones are 555-01xx numbers
and emails are at the demo domain.

Their accounts are not printed as demo logins. They share the demo password, hashed once for
all of them: hashing it per account (PBKDF2) would make up most of the seeding time.
"""

import unicodedata
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.demo import DEMO_DOMAIN, DEMO_PASSWORD
from accounts.models import User
from certification.demo import demo_agency, demo_assister
from certification.models import Agency, AgencyKind, AssisterKind
from core.models import County, Language

BROKERS, NAVIGATORS, COUNSELORS = AgencyKind.BROKER_AGENCY, AgencyKind.NAVIGATOR_ORG, AgencyKind.CAC_ORG
DEFAULT_KIND = {BROKERS: AssisterKind.BROKER, NAVIGATORS: AssisterKind.NAVIGATOR, COUNSELORS: AssisterKind.CAC}

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
PUBLIC_PROGRAM_KINDS = {AssisterKind.NAVIGATOR, AssisterKind.CAC, NAVIGATORS, COUNSELORS}


@dataclass(frozen=True)
class Office:
    """An assister's own office, in another town than the agency's."""

    street: str
    city: str
    zip_code: str
    area_code: str


@dataclass(frozen=True)
class Person:
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
    people: tuple[Person, ...]

    @property
    def slug(self) -> str:
        return _slug(self.name)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text.lower()).split())


AGENCIES = [
    # --- Broker agencies ---------------------------------------------------------------------
    Listing(
        BROKERS,
        "Northern Lights Insurance Group",
        "310 W Superior St",
        "Duluth",
        "55802",
        "218-555-0110",
        "St. Louis|Carlton|Lake|Cook",
        "en",
        ("Ingrid", "Halvorsen"),
        "Mon–Fri 8:30–5",
        "shop wheelchair",
        (
            Person("Anneliese", "Koskinen", "en fr", "shop"),
            Person(
                "Joanna",
                "Pietila",
                "en",
                "appointment",
                "Tue–Thu 10–4, by appointment",
                Office("412 E Howard St", "Hibbing", "55746", "218"),
                "St. Louis|Itasca",
            ),
            Person(
                "Ruth",
                "Eckerstrom",
                "en",
                "shop weekends full",
                "Mon & Wed 10–3, first Saturday of the month 10–1",
                Office("615 1st Ave", "Two Harbors", "55616", "218"),
                "Lake|Cook|St. Louis",
            ),
        ),
    ),
    Listing(
        BROKERS,
        "Bluff Country Benefits",
        "77 W 3rd St",
        "Winona",
        "55987",
        "507-555-0111",
        "Winona|Houston|Wabasha|Fillmore",
        "en es",
        ("Lorraine", "Kowalczyk"),
        "Mon–Fri 9–5",
        "shop wheelchair",
        (
            Person("Teresa", "Olvera", "en es", "shop evenings", "Mon–Fri 9–5, Tue until 7"),
            Person(
                "Caleb",
                "Brekke",
                "en",
                "appointment",
                office=Office("104 S Kingston St", "Caledonia", "55921", "507"),
                counties="Houston|Fillmore",
            ),
        ),
    ),
    Listing(
        BROKERS,
        "Gopher Prairie Insurance",
        "515 SW Litchfield Ave",
        "Willmar",
        "56201",
        "320-555-0112",
        "Kandiyohi|Meeker|Renville|Swift|Chippewa",
        "en es so",
        ("Helga", "Lindgren"),
        "Mon–Fri 8–5",
        "shop interpreters wheelchair",
        (
            Person("Abdirahman", "Jama", "en so ar", "interpreters evenings weekends", "Mon–Fri 10–6, Sat 10–2"),
            Person(
                "Darren",
                "Vick",
                "en",
                "shop appointment",
                office=Office("120 N 1st St", "Montevideo", "56265", "320"),
                counties="Chippewa|Lac qui Parle|Yellow Medicine|Swift",
            ),
            Person(
                "Kelsey",
                "Marquardt",
                "en es",
                "shop",
                office=Office("33 Main St S", "Hutchinson", "55350", "320"),
                counties="McLeod|Meeker|Sibley|Renville",
            ),
        ),
    ),
    Listing(
        BROKERS,
        "Red River Valley Insurance Partners",
        "820 Center Ave",
        "Moorhead",
        "56560",
        "218-555-0113",
        "Clay|Wilkin|Norman|Becker",
        "en es",
        ("Solveig", "Tollefson"),
        "Mon–Fri 8:30–5",
        "shop wheelchair",
        (
            Person("Jens", "Haugland", "en", "shop"),
            Person("Maribel", "Quintanilla", "en es", "evenings interpreters", "Mon–Fri 10–7"),
            Person(
                "Tyler",
                "Brandvold",
                "en",
                "full",
                office=Office("915 Washington Ave", "Detroit Lakes", "56501", "218"),
                counties="Becker|Mahnomen|Otter Tail|Hubbard",
            ),
        ),
    ),
    Listing(
        BROKERS,
        "Lakewood Family Insurance",
        "2850 American Blvd W",
        "Bloomington",
        "55420",
        "952-555-0114",
        "Hennepin|Dakota|Scott|Carver",
        "en es vi",
        ("Diane", "Petrakis"),
        "Mon–Fri 9–6, Sat 10–2",
        "shop evenings weekends wheelchair",
        (
            Person("Linh", "Phan", "en vi", "shop evenings", "Mon–Fri 9–7"),
            Person("Alejandro", "Ibarra", "en es", "evenings weekends", "Mon–Fri 11–7, Sat 10–2"),
            Person(
                "Priya",
                "Raghunathan",
                "en",
                "shop appointment",
                office=Office("1340 Duckwood Dr", "Eagan", "55123", "651"),
                counties="Dakota|Scott",
            ),
        ),
    ),
    Listing(
        BROKERS,
        "Zumbro Valley Insurance Advisors",
        "3840 Marketplace Dr NW",
        "Rochester",
        "55901",
        "507-555-0115",
        "Olmsted|Dodge|Wabasha|Goodhue|Fillmore",
        "en es so km",
        ("Beverly", "Quist"),
        "Mon–Fri 8–5, Wed until 7",
        "shop evenings wheelchair interpreters",
        (
            Person("Sokha", "Chhim", "en km", "shop"),
            Person("Faisal", "Osman", "en so ar", "evenings interpreters", "Mon–Fri 10–7"),
            Person(
                "Greta",
                "Fenske",
                "en",
                "shop",
                office=Office("140 W Broadway St", "Owatonna", "55060", "507"),
                counties="Steele|Waseca|Dodge",
            ),
        ),
    ),
    Listing(
        BROKERS,
        "Granite City Insurance Partners",
        "400 W St Germain St",
        "St. Cloud",
        "56301",
        "320-555-0116",
        "Stearns|Benton|Sherburne|Wright|Morrison",
        "en so es",
        ("Mark", "Schlangen"),
        "Mon–Fri 8–5",
        "shop wheelchair",
        (
            Person("Ifrah", "Mohamud", "en so", "interpreters evenings", "Mon–Fri 10–6, Thu until 8"),
            Person(
                "Bethany",
                "Zimmer",
                "en",
                "shop",
                office=Office("112 1st St SE", "Little Falls", "56345", "320"),
                counties="Morrison|Todd|Benton",
            ),
            Person(
                "Curtis",
                "Wendt",
                "en",
                "shop appointment weekends",
                "Mon–Fri 9–5, Sat 9–12",
                Office("516 Broadway", "Alexandria", "56308", "320"),
                "Douglas|Pope|Grant|Stevens",
            ),
        ),
    ),
    Listing(
        BROKERS,
        "Minnesota River Insurance Center",
        "100 S Front St",
        "Mankato",
        "56001",
        "507-555-0117",
        "Blue Earth|Nicollet|Le Sueur|Brown|Watonwan|Waseca",
        "en es",
        ("Carol", "Drexler"),
        "Mon–Fri 9–5",
        "shop wheelchair",
        (
            Person("Araceli", "Montoya", "en es", "evenings interpreters", "Mon–Fri 9–5, Mon & Thu until 7"),
            Person(
                "Logan",
                "Reinke",
                "en",
                "shop",
                office=Office("210 N Minnesota St", "New Ulm", "56073", "507"),
                counties="Brown|Nicollet|Redwood",
            ),
            Person(
                "Shannon",
                "Kruse",
                "en",
                "shop",
                office=Office("201 Downtown Plaza", "Fairmont", "56031", "507"),
                counties="Martin|Faribault|Jackson|Watonwan",
            ),
        ),
    ),
    Listing(
        BROKERS,
        "Borderland Insurance Services",
        "102 Main Ave N",
        "Thief River Falls",
        "56701",
        "218-555-0118",
        "Pennington|Red Lake|Marshall|Polk|Roseau|Kittson",
        "en",
        ("Arlene", "Fjeldheim"),
        "Mon–Fri 8–4:30",
        "shop",
        (
            Person("Garrett", "Lundeen", "en", "shop"),
            Person(
                "Wendy",
                "Bergeron",
                "en fr",
                "appointment full",
                "Tue & Thu 9–3, by appointment",
                Office("108 Main Ave N", "Roseau", "56751", "218"),
                "Roseau|Lake of the Woods|Kittson",
            ),
            Person(
                "Esteban",
                "Ruiz",
                "en es",
                "interpreters",
                office=Office("125 N Broadway", "Crookston", "56716", "218"),
                counties="Polk|Red Lake|Norman",
            ),
        ),
    ),
    # --- Navigator organizations --------------------------------------------------------------
    Listing(
        NAVIGATORS,
        "East Side Community Health Access",
        "1050 Arcade St",
        "Saint Paul",
        "55106",
        "651-555-0119",
        "Ramsey|Washington|Dakota",
        "en hmn kar es om",
        ("Yer", "Moua"),
        "Mon–Fri 9–7, Sat 10–3",
        "evenings weekends interpreters wheelchair",
        (
            Person("Kazoua", "Her", "en hmn", "evenings weekends"),
            Person("Eh Soe", "Paw", "en kar my", "interpreters", "Mon–Fri 9–5"),
            Person(
                "Guadalupe",
                "Serrano",
                "en es",
                "evenings",
                "Mon–Thu 11–7",
                Office("176 Cesar Chavez St", "Saint Paul", "55107", "651"),
                "Ramsey|Dakota",
            ),
        ),
    ),
    Listing(
        NAVIGATORS,
        "Arrowhead Health Access Network",
        "1 NW 3rd St",
        "Grand Rapids",
        "55744",
        "218-555-0120",
        "Itasca|Koochiching|Cass|Aitkin|St. Louis",
        "en oj",
        ("Dolores", "Kangas"),
        "Mon–Fri 8–4:30",
        "wheelchair",
        (
            Person("Nita", "Beaulieu", "en oj"),
            Person(
                "Carl",
                "Ostrowski",
                "en",
                "appointment",
                office=Office("400 3rd Ave", "International Falls", "56649", "218"),
                counties="Koochiching|Lake of the Woods|Itasca",
            ),
            Person(
                "Hannah",
                "Lahti",
                "en oj",
                "weekends",
                "Mon–Fri 9–4, Sat 10–1",
                Office("140 E Sheridan St", "Ely", "55731", "218"),
                "St. Louis|Lake",
            ),
            Person(
                "Tessa",
                "Maki",
                "en",
                "evenings",
                "Mon–Thu 10–7",
                Office("2101 1st Ave", "Hibbing", "55746", "218"),
                "St. Louis|Itasca",
            ),
        ),
    ),
    Listing(
        NAVIGATORS,
        "Prairie Winds Navigator Network",
        "300 W Main St",
        "Marshall",
        "56258",
        "507-555-0121",
        "Lyon|Lincoln|Yellow Medicine|Redwood|Murray|Pipestone|Lac qui Parle",
        "en es so kar",
        ("Janet", "Buysse"),
        "Mon–Fri 8–5",
        "interpreters wheelchair",
        (
            Person("Hamdi", "Egal", "en so", "interpreters"),
            Person(
                "Leah",
                "Schreurs",
                "en",
                "appointment",
                office=Office("119 W Main St", "Pipestone", "56164", "507"),
                counties="Pipestone|Rock|Murray|Lincoln",
            ),
            Person(
                "Dawn",
                "Larsen",
                "en dak",
                office=Office("250 S Jefferson St", "Redwood Falls", "56283", "507"),
                counties="Redwood|Renville|Brown",
            ),
        ),
    ),
    Listing(
        NAVIGATORS,
        "Southwest Corner Health Connect",
        "318 9th St",
        "Worthington",
        "56187",
        "507-555-0122",
        "Nobles|Rock|Jackson|Cottonwood|Murray",
        "en es kar lo ti am",
        ("Maria", "Vásquez-Berg"),
        "Mon–Fri 8–6, Sat 9–12 during open enrollment",
        "evenings weekends interpreters wheelchair",
        (
            Person("Yesenia", "Calderón", "en es", "evenings weekends"),
            Person("Saw Ler", "Moo", "en kar my", "interpreters", "Mon–Fri 8–5"),
            Person("Selam", "Gebremariam", "en ti am", "interpreters appointment", "Mon–Fri 9–5, by appointment"),
            Person(
                "Kristin",
                "Voss",
                "en es",
                "full",
                "Mon–Wed 9–4",
                Office("920 3rd Ave", "Windom", "56101", "507"),
                "Cottonwood|Jackson|Watonwan",
            ),
        ),
    ),
    Listing(
        NAVIGATORS,
        "Headwaters Navigator Collaborative",
        "403 4th St NW",
        "Bemidji",
        "56601",
        "218-555-0123",
        "Beltrami|Hubbard|Clearwater|Cass|Lake of the Woods",
        "en oj",
        ("Charlene", "Rousseau"),
        "Mon–Fri 8–4:30, Tue until 7",
        "evenings wheelchair",
        (
            Person("Marcella", "Jourdain", "en oj", "evenings"),
            Person(
                "Travis",
                "Bellanger",
                "en oj",
                "weekends",
                "Wed–Sat 10–5",
                Office("215 Cedar Ave", "Cass Lake", "56633", "218"),
                "Cass|Beltrami|Hubbard",
            ),
            Person(
                "Amanda",
                "Tolkkinen",
                "en",
                office=Office("120 Main Ave S", "Park Rapids", "56470", "218"),
                counties="Hubbard|Wadena|Becker",
            ),
            Person(
                "Ron",
                "Halvorson",
                "en",
                "appointment",
                "Mon & Thu 9–3",
                Office("206 Main St W", "Baudette", "56623", "218"),
                "Lake of the Woods|Koochiching|Roseau",
            ),
        ),
    ),
    # --- Certified application counselor organizations ------------------------------------------
    Listing(
        COUNSELORS,
        "Cannon Valley Community Clinic",
        "520 NW 3rd St",
        "Faribault",
        "55021",
        "507-555-0124",
        "Rice|Steele|Le Sueur|Goodhue|Waseca",
        "en es so ase",
        ("Paula", "Rasmussen"),
        "Mon–Fri 8–5",
        "wheelchair interpreters asl",
        (
            Person("Colleen", "Haugen", "en ase", "asl appointment", "Mon–Fri 8–5, by appointment"),
            Person("Sahra", "Hirsi", "en so", "interpreters evenings", "Mon–Fri 10–6, Wed until 8"),
            Person(
                "Lydia",
                "Rouillard",
                "en dak",
                office=Office("409 Bush St", "Red Wing", "55066", "651"),
                counties="Goodhue|Wabasha",
            ),
        ),
    ),
    Listing(
        COUNSELORS,
        "Brainerd Lakes Family Clinic",
        "2024 S 6th St",
        "Brainerd",
        "56401",
        "218-555-0125",
        "Crow Wing|Cass|Aitkin|Morrison|Mille Lacs|Todd|Wadena",
        "en oj",
        ("Bonnie", "Stumpf"),
        "Mon–Fri 8–5",
        "wheelchair",
        (
            Person("Kyle", "Gravelle", "en oj", "evenings", "Mon–Fri 8–5, Thu until 7"),
            Person(
                "Rachel",
                "Sjodin",
                "en",
                "appointment",
                office=Office("12 2nd St NW", "Aitkin", "56431", "218"),
                counties="Aitkin|Mille Lacs|Carlton",
            ),
            Person(
                "Miguel",
                "Ochoa",
                "en es",
                "interpreters",
                office=Office("14 Jefferson St S", "Wadena", "56482", "218"),
                counties="Wadena|Todd|Otter Tail",
            ),
        ),
    ),
    Listing(
        COUNSELORS,
        "Otter Tail Rural Health Partners",
        "560 Fir Ave W",
        "Fergus Falls",
        "56537",
        "218-555-0126",
        "Otter Tail|Grant|Wilkin|Douglas|Wadena",
        "en es",
        ("Gail", "Nordby"),
        "Mon–Fri 8–4:30",
        "wheelchair",
        (
            Person("Lisa", "Amundson", "en"),
            Person(
                "Dominic",
                "Arellano",
                "en es",
                "interpreters evenings",
                "Mon–Fri 9–5, Tue until 7",
                Office("16 E 5th St", "Morris", "56267", "320"),
                "Stevens|Pope|Grant|Traverse|Big Stone",
            ),
        ),
    ),
    Listing(
        COUNSELORS,
        "Riverside Neighborhood Clinic",
        "425 20th Ave S",
        "Minneapolis",
        "55454",
        "612-555-0127",
        "Hennepin|Ramsey",
        "en so om am ar ti ase",
        ("Fadumo", "Hersi"),
        "Mon–Sat 9–7",
        "evenings weekends interpreters wheelchair asl",
        (
            Person("Abdiwali", "Nur", "en so ar", "evenings weekends interpreters"),
            Person("Tigist", "Alemu", "en am ti", "evenings full"),
            Person("Dylan", "Kessler", "en ase", "asl appointment", "Mon–Fri 9–5, by appointment"),
            Person("Tolosa", "Bekele", "en om", "evenings", kind=AssisterKind.NAVIGATOR),
        ),
    ),
    Listing(
        COUNSELORS,
        "Cedar River Health Counselors",
        "400 N Main St",
        "Austin",
        "55912",
        "507-555-0128",
        "Mower|Freeborn|Fillmore|Dodge",
        "en es kar om",
        ("Joan", "Bustad"),
        "Mon–Fri 8–5, Thu until 7",
        "evenings interpreters wheelchair",
        (
            Person("Naw Htee", "Paw", "en kar my", "interpreters"),
            Person(
                "Kurt",
                "Ellingson",
                "en es",
                "appointment",
                "Mon–Fri 9–4",
                Office("130 E Clark St", "Albert Lea", "56007", "507"),
                "Freeborn|Faribault|Mower",
            ),
        ),
    ),
    Listing(
        COUNSELORS,
        "North Metro Health Counselors",
        "11155 Robinson Dr NW",
        "Coon Rapids",
        "55433",
        "763-555-0129",
        "Anoka|Sherburne|Isanti|Chisago|Hennepin",
        "en es vi ru",
        ("Kathy", "Lindahl"),
        "Mon–Fri 9–5, Tue & Thu until 8",
        "evenings wheelchair",
        (
            Person("Oksana", "Melnyk", "en ru", "appointment", "Mon–Fri 9–5, by appointment"),
            Person(
                "Janelle",
                "Rydberg",
                "en",
                "full",
                "Mon–Thu 8–4",
                Office("315 Main St S", "Pine City", "55063", "320"),
                "Pine|Kanabec|Chisago",
            ),
        ),
    ),
]

# More people at the agencies `certification.demo` creates.
MORE_PEOPLE = {
    "North Star Insurance Agency": (
        Person("Pa Houa", "Lor", "en hmn", "evenings weekends", "Mon–Fri 9–6, Sat 10–2"),
        Person(
            "Gregory",
            "Nakamura",
            "en",
            "shop appointment",
            "Mon–Fri 8–5, by appointment",
            Office("8450 Hudson Rd", "Woodbury", "55125", "651"),
            "Washington|Ramsey",
        ),
    ),
    "Twin Cities Health Navigators": (
        Person("Chaltu", "Gemechu", "en om am", "interpreters evenings", "Mon–Fri 10–7"),
        Person(
            "Mariana",
            "Esquivel",
            "en es",
            "evenings weekends",
            "Tue–Sat 10–6",
            Office("1500 E Lake St", "Minneapolis", "55407", "612"),
            "Hennepin",
        ),
    ),
    "Lakes Country Health Counselors": (
        Person(
            "Jasmine",
            "Holloway",
            "en ase",
            "asl evenings",
            "Mon–Thu 11–7",
            Office("2014 W Superior St", "Duluth", "55806", "218"),
            "St. Louis|Carlton",
        ),
        Person(
            "Ellen",
            "Carlstrom",
            "en oj",
            "appointment weekends",
            "Thu–Sat 9–3",
            Office("20 W 1st St", "Grand Marais", "55604", "218"),
            "Cook|Lake",
        ),
    ),
}


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


def people() -> list[tuple[str, Person]]:
    """Every demo person of this module, with the public name of their agency."""
    found = [(listing.name, person) for listing in AGENCIES for person in listing.people]
    return found + [(name, person) for name, group in MORE_PEOPLE.items() for person in group]


@transaction.atomic
def seed() -> None:
    """Create the listings that do not exist yet; their new accounts get the demo password."""
    created = []
    agencies = {}
    for number, listing in enumerate(AGENCIES):
        agency, new = _agency(number, listing)
        agencies[listing.name] = agency
        if new:
            created.append(agency.memberships.get().user_id)
    for number, (agency_name, person) in enumerate(people()):
        agency = agencies.get(agency_name) or Agency.objects.get(public_name=agency_name)
        user = _person(number, agency, person)
        if user is not None:
            created.append(user.pk)
    if created:
        # One PBKDF2 hash for all of them instead of one each (~0.35 s apiece).
        User.objects.filter(pk__in=created).update(password=make_password(DEMO_PASSWORD))
