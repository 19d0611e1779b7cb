import re

import pytest


@pytest.mark.django_db
def test_csp_allows_no_inline_script_and_every_script_carries_the_nonce(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"]).group(1)
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    scripts = re.findall(r"<script\b([^>]*)>", response.content.decode())
    assert scripts
    for attrs in scripts:
        assert f'nonce="{nonce}"' in attrs or 'type="application/json"' in attrs, attrs


@pytest.mark.django_db
def test_nonce_changes_on_every_response(client):
    first = client.get("/")["Content-Security-Policy"]
    second = client.get("/")["Content-Security-Policy"]
    assert first != second


@pytest.mark.django_db
def test_framing_sniffing_and_referrer_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
