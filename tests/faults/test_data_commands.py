"""Data commands know where they are: the production profile refuses the demo and the scale seed without a flag."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("command", "arguments"), [("load_demo", []), ("seed_scale", ["--articles", "3"])])
def test_the_production_profile_refuses_without_the_flag_and_writes_nothing(settings, command, arguments):
    settings.PRODUCTION_PROFILE = True
    users_before = get_user_model().objects.count()
    with pytest.raises(CommandError, match="--allow-production"):
        call_command(command, *arguments, stdout=StringIO())
    assert get_user_model().objects.count() == users_before
    assert not get_user_model().objects.filter(username="admin").exists()


def test_the_production_profile_runs_the_demo_with_the_explicit_flag(settings):
    settings.PRODUCTION_PROFILE = True
    call_command("load_demo", "--allow-production", stdout=StringIO())
    assert get_user_model().objects.filter(username="admin", is_superuser=True).exists()


def test_the_development_profile_needs_no_flag(settings):
    settings.PRODUCTION_PROFILE = False
    call_command("seed_scale", "--articles", "3", stdout=StringIO())
    assert get_user_model().objects.exists()


def test_the_profile_follows_debug_from_the_environment():
    import subprocess
    import sys

    code = "import django; django.setup(); from django.conf import settings; print(settings.PRODUCTION_PROFILE)"
    env = {"DEBUG": "false", "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "config.settings", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    assert out.stdout.strip() == "True"
