"""gunicorn's settings, read from the working folder (/app in the image) by every
`gunicorn` command: the Dockerfile's and docker-compose's keep their own arguments.

gunicorn names itself in each response (`Server: gunicorn`, and its version in the
environment it hands the app): an attacker learns which server and version to aim at. The
name is replaced here, before any worker starts; the reverse proxy in front must hide its
own (nginx: `server_tokens off;`, see docs/securite.md).
"""

import gunicorn.http.wsgi

SERVER_NAME = "alize"
gunicorn.http.wsgi.SERVER = SERVER_NAME
gunicorn.http.wsgi.SERVER_SOFTWARE = SERVER_NAME
