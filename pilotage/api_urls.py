"""The indicators API for the national Alizé structure (read-only, token-authenticated)."""

urlpatterns: list = []
