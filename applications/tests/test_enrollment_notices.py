"""The notices of choosing a plan (issue 13), as the consumer and the assister read them: the plan chosen for them
with who did it, the net premium, the start date and the last day to say "I did not ask for this"; the end of
coverage; the report received and decided. In English and in Spanish, and rendered to a PDF by the real renderer."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from applications import services
from applications.periods import termination_dates
from applications.tests.test_choosing import _select, determined
from associations.tests.factories import associate
from clients.tests.factories import make_client
from notices.models import Notice, NoticeStatus
from notices.rendering import letter_html
from notices.services import notice_render

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("open_enrollment", "catalog_2027")]


def _text(notice, language=None) -> str:
    return " ".join(strip_tags(letter_html(notice, language)).split())


def test_a_plan_chosen_for_the_consumer_names_who_chose_it_and_how_to_say_they_did_not_ask(broker, exchange_staff):
    household = make_client(first_name="Lena", last_name="Lindqvist")
    association = associate(household, broker.assister)
    enrollment = _select(determined(household), broker, association, credit=None)
    notice = Notice.objects.get(client=household, kind="plan_selected")
    text = _text(notice, "en")
    assert f"{broker.assister.full_name} of {broker.assister.agency}" in text
    assert f"chose {enrollment.plan_name} for you for 2027" in text
    assert f"${enrollment.net_premium:,.2f}" in text and f"${enrollment.credit_applied:,.2f}" in text
    assert "January 1, 2027 to December 31, 2027" in text
    deadline = (timezone.localdate() + timedelta(days=30)).strftime("%B %-d, %Y").replace(" 0", " ")
    assert f"Tell us by {deadline}" in text
    assert "Sample plans and rates." in text
    assert notice_render(notice_id=notice.pk).status == NoticeStatus.READY

    dispute = services.enrollment_dispute(enrollment=enrollment, action="selected", note="", actor=household.user)
    received = Notice.objects.get(client=household, kind="enrollment_dispute")
    assert "We received your report" in _text(received, "en")
    to_broker = Notice.objects.get(user=broker, kind="enrollment_dispute_assister")
    assert "Lena Lindqvist told MNsure they did not ask for the change" in _text(to_broker, "en")
    services.enrollment_dispute_decide(
        dispute=dispute, upheld=False, note="The signed form is on file.", actor=exchange_staff
    )
    decided = Notice.objects.filter(client=household, kind="enrollment_dispute").latest("pk")
    assert "had been asked for" in _text(decided, "en") and "The signed form is on file." in _text(decided, "en")
    assert notice_render(notice_id=decided.pk).status == NoticeStatus.READY


def test_the_consumers_own_choice_and_end_of_coverage_are_confirmed_without_a_dispute_line():
    household = make_client(first_name="Ola", last_name="Own")
    enrollment = _select(determined(household), household.user)
    chosen = _text(Notice.objects.get(client=household, kind="plan_selected"), "en")
    assert f"You chose {enrollment.plan_name} for 2027" in chosen and "Did you not ask for this?" not in chosen
    end = termination_dates(coverage_year=2027)[-1]
    enrollment.application.refresh_from_db()
    enrollment = services.enrollment_terminate(
        enrollment=enrollment, version=enrollment.application.version, end=end, actor=household.user
    )
    ended = _text(Notice.objects.get(client=household, kind="coverage_ended"), "en")
    assert f"You ended your 2027 coverage with {enrollment.plan_name}" in ended
    assert "the plan pays for nothing" in ended


def test_a_spanish_reader_gets_the_notices_in_spanish(broker):
    household = make_client(first_name="Rosa", last_name="Ruiz", language="es")
    association = associate(household, broker.assister)
    enrollment = _select(determined(household), broker, association)
    notice = Notice.objects.get(client=household, kind="plan_selected")
    text = _text(notice)
    assert enrollment.plan_name in text and broker.assister.full_name in text
    for english in ("chose", "Who is covered", "You pay each month", "Did you not ask for this?", "What to do next"):
        assert english not in text, english
    assert notice_render(notice_id=notice.pk).status == NoticeStatus.READY
