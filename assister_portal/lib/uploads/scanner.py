"""Virus scanning through ClamAV's daemon (clamd), with the clamav-client library.

`CLAMD_ADDRESS` is `tcp://HOST:PORT` or `unix:///path/to/clamd.ctl`; empty means no
scanner is configured. The file is streamed to clamd (INSTREAM), so clamd needs no
access to our storage; clamd's StreamMaxLength must be at least UPLOAD_MAX_BYTES (its
default, 100 MB, is).

We use clamav-client's socket classes rather than its `get_scanner` front end: that
one parses addresses without the tcp:// scheme and turns every failure into a result,
where we need to tell "no answer" (retry later) from "found".
"""

from dataclasses import dataclass
from typing import BinaryIO

from clamav_client.clamd import ClamdError, ClamdNetworkSocket, ClamdUnixSocket
from django.conf import settings


@dataclass(frozen=True)
class ScanResult:
    infected: bool
    signature: str = ""


class ScannerUnavailable(Exception):
    """clamd did not give a verdict (not running, timed out, refused the stream): try again later."""


def scanner_configured() -> bool:
    return bool(settings.CLAMD_ADDRESS)


def _client() -> ClamdNetworkSocket:
    address = settings.CLAMD_ADDRESS
    timeout = settings.CLAMD_TIMEOUT
    if address.startswith("unix://"):
        return ClamdUnixSocket(path=address.removeprefix("unix://"), timeout=timeout)
    host, _, port = address.removeprefix("tcp://").rpartition(":")
    return ClamdNetworkSocket(host=host, port=int(port), timeout=timeout)


def scan_stream(stream: BinaryIO) -> ScanResult:
    """Send the stream to clamd and return its verdict, or raise ScannerUnavailable."""
    try:
        report = _client().instream(stream)
    except (ClamdError, OSError) as exc:
        raise ScannerUnavailable(str(exc) or exc.__class__.__name__) from exc
    status, detail = report.get("stream", (None, None))
    if status == "OK":
        return ScanResult(infected=False)
    if status == "FOUND":
        return ScanResult(infected=True, signature=detail or "unknown")
    raise ScannerUnavailable(f"clamd answered {report!r}")


def scanner_version() -> str:
    """clamd's version and signature database date, e.g. for a health check."""
    try:
        return _client().version()
    except (ClamdError, OSError) as exc:
        raise ScannerUnavailable(str(exc)) from exc
