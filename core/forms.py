"""Form fields every app uses for core rows."""

from django import forms

from .models import Language


class LanguageChoiceField(forms.ModelChoiceField):
    """A preferred language, named in English with its own name after it: "Spanish (Español)"."""

    def label_from_instance(self, obj: Language) -> str:
        if obj.autonym and obj.autonym != obj.english_name:
            return f"{obj.english_name} ({obj.autonym})"
        return obj.english_name
