"""The steps an app's service takes with an upload, for the tests to run as the app would."""

from pathlib import Path

from assister_portal.lib.uploads import quarantined_file_store, sanitize_upload, uploads_atomic

from .uploads_app.models import Specimen


def store_upload(upload, note: str = "") -> Specimen:
    """Sanitize, then store in quarantine in the service's own transaction (the scan runs after commit)."""
    sanitized = sanitize_upload(upload)
    with uploads_atomic():
        return quarantined_file_store(instance=Specimen(note=note), sanitized=sanitized)


def stored_files(root: Path) -> list[Path]:
    """Every file in private storage."""
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
