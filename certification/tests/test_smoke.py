import pytest

from certification.models import AssisterKind, CertificationStatus
from certification.selectors import assister_may_act
from certification.tests.factories import make_assister


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(AssisterKind))
def test_an_assister_of_each_kind_can_be_certified(kind, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assister = make_assister(kind)
    cert = assister.certifications.get()
    assert cert.status == CertificationStatus.APPROVED
    assert len(assister.assister_id) == 9
    assert assister_may_act(assister.user)
