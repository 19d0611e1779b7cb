"""The one way views reach a verification request or a document (DESIGN §5): through the client it belongs to
(`access_client`: the consumer themself, or someone holding `perm` on the client through an active association; 404
and audited)."""

from django.http import Http404

from associations.permissions import access_client

from .models import Document, VerificationRequest

UPLOAD = "upload_for_client"


def access_request(user, public_id, perm: str = "view_client", *, request=None, what: str):
    """(verification request, association relied on or None for the client themself); 404 when not allowed."""
    if not user.is_authenticated:
        raise Http404
    row = VerificationRequest.objects.select_related("client", "application").filter(public_id=public_id).first()
    if row is None:
        raise Http404
    client, association = access_client(user, row.client.public_id, perm, request=request, what=f"{what} ({row})")
    row.client = client
    return row, association


def access_document(user, public_id, *, request=None, what: str):
    """(document, association or None): the client themself, or an assister who may upload for them (an identity
    document is more than "view"); 404 otherwise."""
    if not user.is_authenticated:
        raise Http404
    document = (
        Document.objects.select_related("request__client", "request__application", "uploaded_by")
        .filter(public_id=public_id)
        .first()
    )
    if document is None:
        raise Http404
    client, association = access_client(
        user, document.request.client.public_id, UPLOAD, request=request, what=f"{what} ({document})"
    )
    document.request.client = client
    return document, association
