"""Production settings refuse to start without their secrets; `check --deploy` passes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-real-looking-production-secret-key-with-enough-length-and-variety-123456",
    "ALLOWED_HOSTS": "armorpt.example",
    "SITE_URL": "https://armorpt.example",
}


def manage(*args, env):
    # Variables the test settings or other tests set in this process must not reach the child.
    leaks = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in leaks}
    clean["DJANGO_SETTINGS_MODULE"] = "armorpt.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert f"{missing} must be set in the environment when DEBUG is off" in result.stderr


def test_production_refuses_the_local_development_key():
    from armorpt.settings import _LOCAL_SECRET_KEY

    result = manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": _LOCAL_SECRET_KEY})

    assert result.returncode != 0
    assert "SECRET_KEY is the local development key" in result.stderr


def test_deploy_check_passes_with_the_documented_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr


def test_local_mode_starts_with_nothing_set():
    result = manage("check", env={"DEBUG": "true"})

    assert result.returncode == 0, result.stderr


def test_database_options_follow_the_engine():
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    else:
        assert db["CONN_HEALTH_CHECKS"] is True


def test_postgres_url_turns_on_connection_health_checks():
    code = "from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['CONN_HEALTH_CHECKS'])"
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": "postgres://u@db.example:5432/armorpt"}
    env["DJANGO_SETTINGS_MODULE"] = "armorpt.settings"

    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.stdout.split() == ["django.db.backends.postgresql", "True"], result.stderr


def test_make_run_on_another_port_links_emails_to_that_port():
    """`make run PORT=8803`: the links in the emails it writes lead back to the site it serves."""
    planned = subprocess.run(["make", "-n", "run", "PORT=8803"], cwd=ROOT, capture_output=True, text=True).stdout
    runserver = next(line for line in planned.splitlines() if "runserver" in line)
    # The same command, asking what SITE_URL Django would be started with instead of starting it.
    command = runserver.replace("manage.py runserver 127.0.0.1:8803", "-c 'import os; print(os.environ[\"SITE_URL\"])'")
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}

    started_with = subprocess.run(["sh", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True)

    assert started_with.stdout.strip() == "http://127.0.0.1:8803"
