"""How much the benchmark builds. No Django imports: `python -m bench` reads this before settings load."""

from dataclasses import dataclass

# Change whenever what bench/build.py writes changes: a data set built by another version is rebuilt.
# 2: associations carry their agency; 3: 20,000 directory listings over Minnesota; 4-5: listed dates;
# 6: the clients' 2027 applications (issue 12); 7: none of them dated in the future;
# 8: a 200-plan 2027 catalog and a household of four determined in rating area 8 (issue 13);
# 9: the worklist's follow-ups (bench/book_followups.py, issue 17)
BUILD_VERSION = 9


@dataclass(frozen=True)
class Scale:
    """How much to build. The defaults are the full benchmark."""

    clients: int = 100_000
    agencies: int = 200
    assisters_per_agency: int = 10
    associations: int = 150_000
    big_assister_clients: int = 2_000  # agency 0's first assister
    big_agency_associations: int = 20_000  # agency 0 (a broker agency), its big assister included
    small_assister_clients: int = 10  # agency 1's first assister
    clients_with_ssn: int = 300
    employer_every: int = 50  # every 50th client is a small employer (SHOP) with its FEIN
    # The public directory (bench/listings.py): listed assisters and agencies in all, the agencies above included.
    directory_listings: int = 20_000
    directory_agencies: int = 1_000
    batch_size: int = 5_000

    @classmethod
    def tiny(cls) -> "Scale":
        return cls(
            clients=50,
            agencies=4,
            assisters_per_agency=2,
            associations=60,
            big_assister_clients=12,
            big_agency_associations=20,
            small_assister_clients=3,
            clients_with_ssn=5,
            employer_every=10,
            directory_listings=60,
            directory_agencies=10,
            batch_size=25,
        )

    def scaled(self, factor: float) -> "Scale":
        """A smaller (or larger) copy for quick runs; the 10-client assister stays at 10."""

        def times(n: int, minimum: int) -> int:
            return max(minimum, round(n * factor))

        return Scale(
            clients=times(self.clients, 50),
            agencies=times(self.agencies, 4),
            assisters_per_agency=self.assisters_per_agency,
            associations=times(self.associations, 60),
            big_assister_clients=times(self.big_assister_clients, 12),
            big_agency_associations=times(self.big_agency_associations, 20),
            small_assister_clients=self.small_assister_clients,
            clients_with_ssn=times(self.clients_with_ssn, 5),
            employer_every=self.employer_every,
            directory_listings=times(self.directory_listings, 60),
            directory_agencies=times(self.directory_agencies, 10),
            batch_size=self.batch_size,
        )


# `python -m bench notices` (bench/notices.py): the batch the issue names, rendered in one worker process.
NOTICES_BATCH = 200

# `python -m bench documents` (bench/documents.py): the staff queue's submitted verification requests at --scale 1,
# and the version of what its build writes (a data set built by another version, or at another scale, is rebuilt).
DOCUMENTS_QUEUE = 10_000
DOCUMENTS_BUILD_VERSION = 1
