"""The headers every response of the app carries, asserted on each page of the role × URL
matrix (`tests/alize/test_url_matrix.py`) and by `tests/alize/test_hardening.py`."""


def cache_directives(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Cache-Control", "").split(",")}


def assert_security_headers(response, where: str = "") -> None:
    assert {"no-store", "private"} <= cache_directives(response), (
        f"{where} Cache-Control : {response.get('Cache-Control')!r}"
    )
    assert "public" not in cache_directives(response), where
    policy = response.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy, f"{where} Permissions-Policy : {policy!r}"
    assert "Server" not in response, where
    assert response.get("X-Content-Type-Options") == "nosniff", where
