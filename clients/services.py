"""Every write about client records: a consumer's own, one created on behalf by an assister, claiming it."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.services import user_create
from assister_portal.lib.crypto import lookup_hash
from audit.models import Action
from audit.services import audit_record

from .models import ClaimInvitation, Client, ClientKind, EmployerDetails, search_key

CLAIM_VALID_DAYS = 14
CLAIM_MAX_FAILURES = 5
CLIENT_FIELDS = [
    "kind",
    "first_name",
    "last_name",
    "date_of_birth",
    "ssn",
    "email",
    "phone",
    "street",
    "city",
    "zip_code",
    "county",
    "preferred_language",
]


def _digits(ssn: str) -> str:
    return "".join(ch for ch in ssn if ch.isdigit())


def _prepare(client: Client) -> None:
    """Derived fields: search keys, and the SSN's keyed hash and last four (the SSN itself is encrypted)."""
    client.search_first = search_key(client.first_name)
    client.search_last = search_key(client.last_name)
    if client.ssn:
        client.ssn = _digits(client.ssn)
        client.ssn_hash = lookup_hash(client.ssn)
        client.ssn_last4 = client.ssn[-4:]
    else:
        client.ssn_hash = client.ssn_last4 = ""


def possible_duplicates(*, first_name: str, last_name: str, date_of_birth, ssn: str = ""):
    """Clients that may be this person: the same SSN, or the same name and date of birth."""
    same_person = Client.objects.filter(
        search_first=search_key(first_name), search_last=search_key(last_name), date_of_birth=date_of_birth
    )
    if ssn:
        same_person = same_person | Client.objects.filter(ssn_hash=lookup_hash(_digits(ssn)))
    return same_person


def _save_new(fields: dict, employer: dict | None, *, created_by: User | None, user: User | None) -> Client:
    client = Client(**{k: v for k, v in fields.items() if k in CLIENT_FIELDS}, created_by=created_by, user=user)
    _prepare(client)
    client.full_clean(exclude=["search_first", "search_last"])
    client.save()
    if client.kind == ClientKind.EMPLOYER:
        if not employer:
            raise ValidationError(_("A small employer needs its business name, FEIN and number of employees."))
        details = EmployerDetails(client=client, **employer)
        details.fein_hash = lookup_hash(details.fein)
        details.full_clean(exclude=["fein_hash", "client"])
        details.save()
    return client


def client_create_for_self(
    *, user: User, fields: dict, employer: dict | None = None, request: HttpRequest | None = None
) -> Client:
    """A consumer who signed up tells us who they are; the record is theirs from the start."""
    with transaction.atomic():
        if Client.objects.filter(user=user).exists():
            raise ValidationError(_("Your account already has its details."))
        client = _save_new(fields, employer, created_by=user, user=user)
        audit_record(action=Action.CLIENT_CREATED, actor=user, request=request, target=client)
    return client


def _lock_person(first_name: str, last_name: str, date_of_birth) -> None:
    """A transaction-scoped advisory lock on (name, date of birth); PostgreSQL only (SQLite serializes writes)."""
    if connection.vendor != "postgresql":
        return
    key = f"client:{search_key(first_name)}:{search_key(last_name)}:{date_of_birth}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _claim_token(client: Client, email: str) -> str:
    token = secrets.token_urlsafe(32)
    ClaimInvitation.objects.create(
        client=client,
        email=email,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        expires_at=timezone.now() + timedelta(days=CLAIM_VALID_DAYS),
    )
    return token


def client_create_on_behalf(
    *, assister, actor: User, fields: dict, employer: dict | None, consent: dict, request: HttpRequest | None = None
) -> tuple[Client, str]:
    """An assister creates a client's account with the client's consent given on paper or by phone.

    The client is emailed a link to claim the account. Returns (client, claim token).
    """
    if not fields.get("email"):
        raise ValidationError({"email": _("The client's email is needed to send them the link to claim the account.")})
    consent = dict(consent)
    powers = consent.pop("powers", None)
    try:
        return _create_on_behalf(assister, actor, fields, employer, consent, powers, request)
    except DuplicateClient:
        # Audited outside the rolled-back transaction: repeated probes of SSNs leave a trace.
        audit_record(
            action=Action.CLIENT_LOOKUP_FAILED,
            actor=actor,
            request=request,
            outcome="denied",
            details={"what": "create on behalf refused as a possible duplicate"},
        )
        raise


class DuplicateClient(ValidationError):
    pass


def _create_on_behalf(assister, actor, fields, employer, consent, powers, request) -> tuple[Client, str]:
    from associations.services import association_create_with_offline_consent

    with transaction.atomic():
        # Serialize creates for the same person, so two at once cannot both pass the duplicate check.
        _lock_person(fields["first_name"], fields["last_name"], fields["date_of_birth"])
        if possible_duplicates(
            first_name=fields["first_name"],
            last_name=fields["last_name"],
            date_of_birth=fields["date_of_birth"],
            ssn=fields.get("ssn", ""),
        ).exists():
            raise DuplicateClient(
                _("This person may already have an account. Ask to become their assister instead (Find a client).")
            )
        client = _save_new(fields, employer, created_by=actor, user=None)
        audit_record(action=Action.CLIENT_CREATED, actor=actor, request=request, target=client, client=client)
        association_create_with_offline_consent(
            client=client, assister=assister, actor=actor, powers=powers, request=request, **consent
        )
        token = _claim_token(client, client.email)
        transaction.on_commit(lambda: _send_claim_email(client.pk, token))
    return client, token


def _send_claim_email(client_id: int, token: str) -> None:
    from .tasks import send_claim_email

    send_claim_email.delay(client_id, token)


def claim_for_token(token: str) -> ClaimInvitation | None:
    claim = (
        ClaimInvitation.objects.select_related("client")
        .filter(token_hash=hashlib.sha256(token.encode()).hexdigest())
        .first()
    )
    if (
        claim is None
        or claim.claimed_at
        or claim.expires_at <= timezone.now()
        or claim.failed_attempts >= CLAIM_MAX_FAILURES
    ):
        return None
    return claim


def client_claim(
    *, token: str, date_of_birth, ssn_last4: str, password: str, request: HttpRequest | None = None
) -> User:
    """The consumer proves who they are (date of birth, last four of SSN) and sets a password."""
    with transaction.atomic():
        claim = claim_for_token(token)
        if claim is None:
            raise ValidationError(_("This link has expired or was already used. Ask your assister for a new one."))
        claim = ClaimInvitation.objects.select_for_update().select_related("client").get(pk=claim.pk)
        # Checked again under the row lock: parallel guesses queue here and each sees the last count.
        if claim.claimed_at or claim.expires_at <= timezone.now() or claim.failed_attempts >= CLAIM_MAX_FAILURES:
            raise ValidationError(_("This link has expired or was already used. Ask your assister for a new one."))
        client = claim.client
        if client.date_of_birth != date_of_birth or (client.ssn_last4 or "") != (ssn_last4 or ""):
            claim.failed_attempts += 1
            claim.save(update_fields=["failed_attempts"])
            audit_record(
                action=Action.CLIENT_CLAIM_FAILED,
                actor=None,
                request=request,
                outcome="failure",
                target=client,
                client=client,
            )
            return None
        if User.objects.filter(email__iexact=claim.email).exists():
            raise ValidationError(
                _("This email already has an account. Sign in with it and ask your assister for help.")
            )
        user = user_create(
            email=claim.email,
            password=password,
            role=Role.CONSUMER,
            actor=None,
            first_name=client.first_name,
            last_name=client.last_name,
            email_verified=True,
            request=request,
        )
        client.user = user
        client.save(update_fields=["user"])
        claim.claimed_at = timezone.now()
        claim.save(update_fields=["claimed_at"])
        audit_record(action=Action.CLIENT_CLAIMED, actor=user, request=request, target=client)
    return user
