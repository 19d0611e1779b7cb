"""The outbox and the rendering: a notice exists exactly when its event committed; rendering stores one PDF
and sends one email however often it runs; the PDF says who it is for, its number, and the taglines."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from pypdf import PdfReader

from accounts.tests.factories import UserFactory
from core.models import Language
from notices import services
from notices.models import Notice, NoticeEvent, NoticeStatus
from notices.services import notice_for_user

from .factories import USER_KIND, make_user_notice

pytestmark = pytest.mark.django_db


def pdf_text(notice: Notice) -> str:
    with notice.pdf.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def stored_files(notice: Notice) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / Path(notice.pdf.name).parent
    return sorted(folder.glob(f"{notice.public_id}*"))


def test_a_rolled_back_event_leaves_no_notice_and_sends_nothing(django_capture_on_commit_callbacks):
    user = UserFactory(role="assister", email="rolled@example.org")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notice_for_user(kind=USER_KIND, user=user, body={"client_name": "Ana"})
        raise RuntimeError("the event failed after the notice was written")
    assert not Notice.objects.filter(user=user).exists()
    assert callbacks == [] and mail.outbox == []


def test_a_committed_event_has_its_notice_rendered_and_the_recipient_emailed_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = make_user_notice(email="ready@example.org", first_name="Rita", last_name="Ready")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.READY
    assert notice.pages >= 2 and len(notice.sha256) == 64
    assert [e.to_status for e in NoticeEvent.objects.filter(notice=notice)] == ["queued", "rendering", "ready"]
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["ready@example.org"]
    assert email.subject == f"{settings.EMAIL_SUBJECT_PREFIX}New notice: A client chose you"
    assert "Hello Rita," in email.body and "/my/notices/" in email.body and notice.number in email.body
    assert "Ana Amador" not in email.body  # the notice itself stays in the portal


def test_rendering_again_stores_no_second_file_and_sends_no_second_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = make_user_notice()
    notice.refresh_from_db()
    first = (notice.pdf.name, notice.sha256, stored_files(notice))
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_render(notice_id=notice.pk)
        assert services.notice_email(notice_id=notice.pk) is False
    notice.refresh_from_db()
    assert (notice.pdf.name, notice.sha256, stored_files(notice)) == first
    assert len(first[2]) == 1 and len(mail.outbox) == 1


def test_a_rendering_interrupted_after_storing_is_finished_in_place_with_the_same_bytes(
    django_capture_on_commit_callbacks,
):
    """A worker killed after writing the file but before the commit: the next run replaces the file."""
    with django_capture_on_commit_callbacks(execute=True):
        notice = make_user_notice()
    notice.refresh_from_db()
    sha, name = notice.sha256, notice.pdf.name
    # Back to "rendering", as a dead worker would leave it, with its file already in storage.
    Notice.objects.filter(pk=notice.pk).update(status=NoticeStatus.RENDERING, ready_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_render(notice_id=notice.pk)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.READY and notice.sha256 == sha and notice.pdf.name == name
    assert len(stored_files(notice)) == 1 and len(mail.outbox) == 1  # emailed_at was already set


def test_the_pdf_names_the_recipient_and_the_number_and_carries_the_taglines(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = make_user_notice(first_name="Tomas", last_name="Tagline")
    notice.refresh_from_db()
    text = pdf_text(notice)
    assert "Tomas Tagline" in text
    assert f"Notice number {notice.number}" in " ".join(text.split())
    assert "Ana Amador chose you as their assister of record" in " ".join(text.split())
    assert "Soomaali" in text and "1-855-366-7873" in text  # a line of the taglines page
    with notice.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    pages = [page.extract_text() for page in reader.pages]
    assert pages[-1].lstrip().startswith("Language help")  # the taglines start a page of their own…
    assert not any("Language help" in page or "Soomaali" in page for page in pages[:-1])  # …and fit on it
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged, as PDF/UA requires
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_a_recipient_who_reads_spanish_gets_the_body_and_the_email_in_spanish(django_capture_on_commit_callbacks):
    user = UserFactory(role="assister", email="es@example.org", first_name="Rosa", last_name="Ruiz")
    user.preferred_language = Language.objects.get(code="es")
    user.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        notice = make_user_notice(user)
    notice.refresh_from_db()
    text = " ".join(pdf_text(notice).split())
    assert "Rosa Ruiz" in text and "Cómo obtener ayuda" in text
    assert "How to get help" not in text  # Spanish only: no English copy for a Spanish reader
    assert mail.outbox[0].body.startswith("Hola Rosa,")


def test_a_recipient_of_another_language_gets_english_with_a_spanish_copy(django_capture_on_commit_callbacks):
    user = UserFactory(role="assister", email="so@example.org", first_name="Sahra", last_name="Samatar")
    user.preferred_language = Language.objects.get(code="so")
    user.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        notice = make_user_notice(user)
    notice.refresh_from_db()
    text = " ".join(pdf_text(notice).split())
    assert "How to get help" in text and "Cómo obtener ayuda" in text
    assert mail.outbox[0].body.startswith("Hello Sahra,")


def test_a_notice_of_an_unknown_kind_or_the_wrong_recipient_is_refused():
    user = UserFactory(role="assister")
    with pytest.raises(LookupError):
        notice_for_user(kind="no_such_kind", user=user, body={})
    with pytest.raises(ValueError):
        notice_for_user(kind="association_started", user=user, body={})  # a client's kind
    assert not Notice.objects.exists()
