"""Every write about client records: a consumer's own, one an assister creates for the client (the account,
association and consent together are `associations.services.client_create_on_behalf`), claiming it."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from accounts.services import user_create, user_store_language
from assister_portal.lib.crypto import lookup_hash
from assister_portal.lib.tokens import new_token, token_hash
from audit.models import Action, Outcome
from audit.services import audit_record
from core.models import Language

from . import identification
from .models import ClaimInvitation, Client, ClientKind, EmployerDetails, search_key
from .notices import CLAIM, notice_for_client

CLAIM_VALID_DAYS = 14
CLAIM_MAX_FAILURES = 5
CREATE_ON_BEHALF = "create an account on behalf"
OWN_DETAILS = "own details match another client"
OWN_DETAILS_MATCH = gettext_lazy(
    "These details match a record we already have, so we did not save them. If an assister created an account "
    "for you, claim it with the link in the email they sent (or ask them to send it again). Otherwise, call the "
    "MNsure Contact Center at 1-855-366-7873."
)
OWN_DETAILS_PAUSED = gettext_lazy(
    "We cannot save these details now. Try again later, or call the MNsure Contact Center at 1-855-366-7873."
)
PAUSED, DUPLICATE = object(), object()  # outcomes of an identification that raise after their transaction
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
    """A consumer who signed up tells us who they are; the record is theirs from the start.

    Details that match a client we already have (the same SSN, or the same name and date of birth) are not
    saved: the person may have an account an assister created, to be claimed with its link; a stranger's
    details would otherwise block the real person's account. Refusals are identifications, throttled and
    audited like "Find a client".
    """
    people = _person_keys(fields)
    with transaction.atomic():
        identification.identification_serialize(actor=user, people=people)
        if Client.objects.filter(user=user).exists():
            raise ValidationError(_("Your account already has its details."))
        if identification.identification_is_paused(actor=user, people=people):
            identification.identification_refused(actor=user, what=OWN_DETAILS, request=request)
            outcome = PAUSED
        else:
            if possible_duplicates(
                first_name=fields["first_name"],
                last_name=fields["last_name"],
                date_of_birth=fields["date_of_birth"],
                ssn=fields.get("ssn") or "",
            ).exists():
                identification.identification_failed(actor=user, people=people, what=OWN_DETAILS, request=request)
                audit_record(
                    action=Action.CLIENT_PROFILE_DUPLICATE,
                    actor=user,
                    request=request,
                    outcome=Outcome.DENIED,
                    details={"what": "own details match an existing client; not saved"},
                )
                outcome = DUPLICATE
            else:
                outcome = _save_new(fields, employer, created_by=user, user=user)
                user_store_language(user=user, language=fields.get("preferred_language"))  # one language for both
                audit_record(action=Action.CLIENT_CREATED, actor=user, request=request, target=outcome)
    if outcome is PAUSED:
        raise ValidationError(OWN_DETAILS_PAUSED)
    if outcome is DUPLICATE:
        raise ValidationError(OWN_DETAILS_MATCH)
    return outcome


def _person_keys(fields: dict) -> tuple[str, ...]:
    return identification.person_keys(
        fields["first_name"], fields["last_name"], fields["date_of_birth"], fields.get("ssn") or ""
    )


def _claim_token(client: Client, email: str) -> str:
    token, hashed = new_token()
    ClaimInvitation.objects.create(
        client=client,
        email=email,
        token_hash=hashed,
        expires_at=timezone.now() + timedelta(days=CLAIM_VALID_DAYS),
    )
    return token


def client_unclaimed_refusal(
    *, actor: User, fields: dict, request: HttpRequest | None = None
) -> ValidationError | None:
    """Whether an assister may create this person's client record now (`client_create_unclaimed`).

    A refusal as a possible duplicate tells the assister the person exists: it is an identification,
    throttled and counted like "Find a client", under the same locks. Call it inside the transaction that
    creates the record; it returns the error to raise once that transaction has ended (so the miss just
    counted stays counted), or None when the record may be created.
    """
    people = _person_keys(fields)
    # Also serializes creates for the same person or SSN, so two at once cannot both pass the duplicate check.
    identification.identification_serialize(actor=actor, people=people)
    if identification.identification_is_paused(actor=actor, people=people):
        identification.identification_refused(actor=actor, what=CREATE_ON_BEHALF, request=request)
        return ValidationError(identification.PAUSED_MESSAGE)
    if possible_duplicates(
        first_name=fields["first_name"],
        last_name=fields["last_name"],
        date_of_birth=fields["date_of_birth"],
        ssn=fields.get("ssn", ""),
    ).exists():
        identification.identification_failed(
            actor=actor, people=people, what=f"{CREATE_ON_BEHALF}: possible duplicate", request=request
        )
        return DuplicateClient(
            _("This person may already have an account. Ask to become their assister instead (Find a client).")
        )
    return None


class DuplicateClient(ValidationError):
    pass


def client_create_unclaimed(
    *, actor: User | None, fields: dict, employer: dict | None, request: HttpRequest | None = None
) -> Client:
    """A client record that nobody has claimed yet, created by an assister for the client
    (`associations.services.client_create_on_behalf`, after `client_unclaimed_refusal`); the client claims
    it with the link `claim_invitation_send` emails them. Runs in the caller's transaction."""
    client = _save_new(fields, employer, created_by=actor, user=None)
    audit_record(action=Action.CLIENT_CREATED, actor=actor, request=request, target=client, client=client)
    return client


def client_follow_user_language(*, user: User, language: Language) -> None:
    """A consumer chose the language of their notices: their client record says the same (accounts' hook)."""
    Client.objects.filter(user=user).exclude(preferred_language=language).update(preferred_language=language)


def claim_invitation_send(*, client: Client, helpers: list[dict]) -> str:
    """A link for the client to claim their record, and its token. The link goes out in the email of the
    "An account was created for you" notice, written in the caller's transaction (`helpers`: who to ask)."""
    token = _claim_token(client, client.email)
    notice_for_client(
        kind=CLAIM.code,
        client=client,
        helpers=helpers,
        body={"valid_days": CLAIM_VALID_DAYS},
        email_link=settings.SITE_URL + reverse("clients:claim", args=[token]),
    )
    return token


def claim_for_token(token: str) -> ClaimInvitation | None:
    claim = ClaimInvitation.objects.select_related("client").filter(token_hash=token_hash(token)).first()
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
                outcome=Outcome.FAILURE,
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
            preferred_language=client.preferred_language,
            request=request,
        )
        client.user = user
        client.save(update_fields=["user"])
        claim.claimed_at = timezone.now()
        claim.save(update_fields=["claimed_at"])
        audit_record(action=Action.CLIENT_CLAIMED, actor=user, request=request, target=client)
    return user
