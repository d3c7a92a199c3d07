"""The deployment files and the production settings.

The compose file is checked offline against the compose specification; each command it and
the Dockerfile run names a module, an attribute or a management command that exists; and the
production settings pass `check --deploy` and refuse to start without their secrets.
"""

import importlib
import importlib.util
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

BASE_DIR = Path(__file__).resolve().parents[2]
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
DOCKERFILE = BASE_DIR / "Dockerfile"
ENV_EXAMPLE = BASE_DIR / ".env.example"
SETTINGS_FILE = BASE_DIR / "alize" / "settings.py"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
REQUIRED_SERVICES = {"postgres", "redis", "web", "worker", "beat", "mailpit"}
# Where the image puts ALIZE_VAR_DIR; its staticfiles/ is built into the image.
IMAGE_VAR_DIR = "/app/var"


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def app_services() -> dict:
    """The services that run the app's own image."""
    return {name: service for name, service in compose()["services"].items() if "build" in service}


def production_env(**overrides: str) -> dict:
    """The environment of a production process: no DJANGO_* variable inherited from the tests
    (settings_test sets some in os.environ), a fresh secret key and a public host name."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="alize.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(45),  # 60 characters
        DJANGO_ALLOWED_HOSTS="alize.example.fr",
        # Without DATABASE_URL the settings would start an embedded server; the checks below
        # make no connection, so any PostgreSQL URL will do when the tests have none.
        DATABASE_URL=os.environ.get("DATABASE_URL")
        or "postgres://alize@127.0.0.1:5432/alize_deploy_check",
    )
    env.update(overrides)
    return env


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def run_check_jsonschema(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- The compose file against the specification ------------------------------------------


def test_compose_file_follows_the_compose_specification():
    result = run_check_jsonschema(COMPOSE_FILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_validation_refuses_a_broken_file(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        "services:\n"
        "  web:\n"
        "    image: alize\n"
        "    ports: 8000\n"  # must be a list
        "    depends_on:\n"
        "      postgres:\n"
        "        condition: when_it_feels_like_it\n"
        "    restart_policy: always\n"  # no such key
    )
    result = run_check_jsonschema(broken)
    assert result.returncode == 1
    assert "validation errors" in result.stdout + result.stderr


def test_compose_file_has_no_obsolete_version_key():
    assert "version" not in compose()


def test_compose_file_declares_every_service():
    services = compose()["services"]
    assert REQUIRED_SERVICES - services.keys() == set()
    assert {"web", "worker", "beat"} - app_services().keys() == set()


def test_every_healthy_condition_waits_on_a_healthcheck():
    services = compose()["services"]
    for name, service in services.items():
        for dependency, options in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if options.get("condition") == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck"
    for name in ("postgres", "redis", "web"):
        assert "healthcheck" in services[name]
    assert "/healthz" in json.dumps(services["web"]["healthcheck"])


def test_migrations_run_before_the_app_starts():
    services = app_services()
    migrating = [name for name, service in services.items() if "migrate" in command_tokens(service)]
    assert migrating == ["migrate"]
    for name in ("web", "worker", "beat"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def test_volumes_keep_documents_without_hiding_the_image_static_files():
    services = app_services()
    for name, service in services.items():
        assert service["environment"]["ALIZE_VAR_DIR"] == IMAGE_VAR_DIR
        for volume in service.get("volumes", []):
            target = volume.split(":")[1]
            # A volume on the var folder itself would keep the static files of the first
            # image that filled it and serve them to every later one.
            assert target.rstrip("/") != IMAGE_VAR_DIR, name
            assert not target.startswith(f"{IMAGE_VAR_DIR}/staticfiles"), name
    assert f"alize-media:{IMAGE_VAR_DIR}/media" in services["web"]["volumes"]
    assert f"alize-media:{IMAGE_VAR_DIR}/media" in services["worker"]["volumes"]
    assert "postgres-data:/var/lib/postgresql/data" in compose()["services"]["postgres"]["volumes"]


def test_env_example_lists_every_variable():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.M))
    read_by_settings = set(
        re.findall(
            r"(?:os\.environ\.get|env_bool|env_list|env_required)\(\s*\"([A-Z][A-Z0-9_]+)\"",
            SETTINGS_FILE.read_text(),
        )
    )
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", COMPOSE_FILE.read_text()))
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= read_by_settings
    assert read_by_settings - documented == set()
    assert interpolated - documented == set()


# --- Commands name modules, attributes and management commands that exist ------------------


def command_tokens(service: dict) -> list[str]:
    command = service.get("command", [])
    return flatten(command if isinstance(command, list) else [command])


def flatten(parts: list) -> list[str]:
    """Split shell strings (`sh -c "a && b"`) into words, recursively."""
    words = []
    for part in parts:
        part = str(part)
        words.extend(flatten(shlex.split(part)) if " " in part.strip() else [part])
    return words


def argument_after(tokens: list[str], index: int) -> str | None:
    """The first positional argument after tokens[index]."""
    return next((token for token in tokens[index + 1 :] if not token.startswith("-")), None)


def celery_app_and_subcommand(args: list[str]) -> tuple[str | None, str | None]:
    """The -A/--app module and the subcommand of a celery command line's arguments."""
    app = subcommand = None
    expecting_app = False
    for arg in args:
        if expecting_app:
            app, expecting_app = arg, False
        elif arg in {"-A", "--app"}:
            expecting_app = True
        elif arg.startswith("--app="):
            app = arg.removeprefix("--app=")
        elif not arg.startswith("-") and subcommand is None:
            subcommand = arg
    return app, subcommand


def check_command(tokens: list[str]) -> set[str]:
    """Assert that the programs in tokens name things that exist; return what was found."""
    found = set()
    for index, token in enumerate(tokens):
        program = Path(token).name
        if program == "gunicorn":
            target = argument_after(tokens, index)
            assert target, "gunicorn without an application"
            module_name, _, attribute = target.partition(":")
            assert importlib.util.find_spec(module_name) is not None, target
            assert hasattr(importlib.import_module(module_name), attribute or "application")
            found.add("gunicorn")
        elif program == "celery":
            app, subcommand = celery_app_and_subcommand(tokens[index + 1 :])
            assert app, "celery without -A"
            module_name = app.partition(":")[0]
            assert importlib.util.find_spec(module_name) is not None, module_name
            module = importlib.import_module(module_name)
            assert hasattr(module, "celery_app") or hasattr(module, "app"), module_name
            assert subcommand in {"worker", "beat"}, subcommand
            found.add(f"celery {subcommand}")
        elif program == "manage.py":
            name = argument_after(tokens, index)
            assert name in get_commands(), f"no management command {name}"
            found.add(f"manage.py {name}")
    return found


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("web", "gunicorn"),
        ("worker", "celery worker"),
        ("beat", "celery beat"),
    ],
)
def test_compose_service_commands_exist(service, expected):
    assert expected in check_command(command_tokens(app_services()[service]))


def test_every_app_command_in_compose_exists():
    found = set()
    for service in app_services().values():
        found |= check_command(command_tokens(service))
    assert "manage.py migrate" in found


def test_every_app_command_is_recognised():
    # A command the checker does not understand would pass without being checked.
    for name, service in app_services().items():
        if "command" in service:
            assert check_command(command_tokens(service)), name


def dockerfile_final_stage() -> list[str]:
    lines = DOCKERFILE.read_text().splitlines()
    last_from = max(i for i, line in enumerate(lines) if line.startswith("FROM "))
    return lines[last_from:]


def test_dockerfile_default_command_exists():
    cmd_lines = [line for line in dockerfile_final_stage() if line.startswith("CMD ")]
    assert len(cmd_lines) == 1
    tokens = json.loads(cmd_lines[0].removeprefix("CMD "))  # exec form: a JSON array
    assert "gunicorn" in check_command(tokens)


def test_dockerfile_runs_as_a_user_and_installs_from_lock_files():
    final_stage = dockerfile_final_stage()
    users = [line.split()[1] for line in final_stage if line.startswith("USER ")]
    assert users, "the image runs as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    text = DOCKERFILE.read_text()
    assert "npm ci --omit=dev" in text
    assert "uv sync --frozen --no-dev" in text
    assert "manage.py collectstatic" in text


# --- Production settings ------------------------------------------------------------------


def test_check_deploy_reports_nothing_in_production():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output


@pytest.mark.parametrize("variable", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(variable):
    env = production_env(DJANGO_DEBUG="false")
    del env[variable]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"La variable d'environnement {variable} est obligatoire" in result.stderr


def test_production_refuses_an_empty_secret_key():
    result = run_manage("check", env=production_env(DJANGO_SECRET_KEY="  "))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
