"""Reference data for tests. Counties and languages are not built: a data migration loads them
(`core/data/`), so a test looks them up by name or code, and an unknown one is an error, not an
empty list."""

from core.models import County, Language


def county(name: str) -> County:
    return County.objects.get(name=name)


def language(code: str) -> Language:
    return Language.objects.get(code=code)


def counties(*names: str) -> list[County]:
    found = list(County.objects.filter(name__in=names))
    if len(found) != len(set(names)):
        raise ValueError(f"Unknown county in {names!r}")
    return found


def languages(*codes: str) -> list[Language]:
    found = list(Language.objects.filter(code__in=codes))
    if len(found) != len(set(codes)):
        raise ValueError(f"Unknown language in {codes!r}")
    return found
