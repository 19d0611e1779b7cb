"""The sample-data label that pages showing sample plans include."""

from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

LABEL = "plans/includes/sample_label.html"


def test_the_label_says_the_plans_and_prices_are_made_up_and_the_issuers_real():
    html = render_to_string(LABEL)
    assert 'class="usa-alert usa-alert--info usa-alert--slim"' in html
    assert "Sample plans and rates." in html
    assert (
        "The plans and prices shown are made up for this demonstration; the issuers are real, their plans here are not."
        in html
    )


def test_a_page_shows_the_label_for_a_sample_catalog_and_not_for_a_real_one():
    page = Template('{% if catalog.is_sample %}{% include "plans/includes/sample_label.html" %}{% endif %}')
    assert "Sample plans and rates." in page.render(Context({"catalog": {"is_sample": True}}))
    assert "Sample plans and rates." not in page.render(Context({"catalog": {"is_sample": False}}))


def test_the_label_renders_in_spanish_too():
    with translation.override("es"):
        assert "usa-alert" in render_to_string(LABEL)
