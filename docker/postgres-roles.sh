#!/bin/sh
# First start of the postgres service: the two roles of Alizé (docs/audit.md).
#   alize_owner  owns the database and its tables; only `migrate --database owner` uses it.
#   alize_app    what the web server, the worker and beat connect as: it owns nothing, so it
#                can neither truncate the audit trail nor disable its triggers.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$ALIZE_OWNER_PASSWORD" -v app_password="$ALIZE_APP_PASSWORD" <<'SQL'
CREATE ROLE alize_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE alize_app LOGIN PASSWORD :'app_password';
CREATE DATABASE alize OWNER alize_owner;
\connect alize
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO alize_owner;
GRANT USAGE ON SCHEMA public TO alize_app;
SQL
