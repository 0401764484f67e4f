"""Where a data command runs: the demo and the scale seed write known passwords and fake data, so the
production profile (``DEBUG=false``) refuses them unless the operator says, with a flag, that it is meant."""

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

ALLOW_FLAG = "--allow-production"


def add_allow_production_argument(parser: CommandParser) -> None:
    parser.add_argument(
        ALLOW_FLAG,
        action="store_true",
        dest="allow_production",
        help="Run even in the production profile (DEBUG=false): only for a scratch or benchmark database.",
    )


def refuse_production_unless_allowed(*, command: str, options: dict) -> None:
    """Raise CommandError in the production profile unless ``--allow-production`` was given."""
    if getattr(settings, "PRODUCTION_PROFILE", not settings.DEBUG) and not options.get("allow_production"):
        raise CommandError(
            f"{command} writes demo data (users with a published password) and refuses the production profile "
            f"(DEBUG=false). On a scratch or benchmark database, run it again with {ALLOW_FLAG}."
        )
