"""The extra field of allauth's sign-up form (`ACCOUNT_SIGNUP_FORM_CLASS`).

A module of its own: allauth imports it while defining its own forms, so it must not import them back.
"""

from django import forms

from .languages import language_of_this_page, preferred_language_field
from .services import user_store_language


class SignupLanguageForm(forms.Form):
    """The extra field of allauth's sign-up form (`ACCOUNT_SIGNUP_FORM_CLASS`): chosen at sign-up, changeable
    later in "Language" (`accounts:preferences`). Left empty, the language the page was shown in."""

    preferred_language = preferred_language_field(required=False)
    # allauth's SignupForm orders its fields by this once it has added them: the language is asked last.
    field_order = ["email", "password1", "password2", "preferred_language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].initial = language_of_this_page()
        self.fields["preferred_language"].empty_label = None

    def signup(self, request, user) -> None:
        user_store_language(user=user, language=self.cleaned_data.get("preferred_language") or language_of_this_page())
