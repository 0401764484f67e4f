"""List the outbox events that are stuck (set aside as failed, or pending too long), and retry them."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from reviewboard.notifications import services


class Command(BaseCommand):
    help = "List outbox events set aside as failed or pending for too long; --retry makes them due now."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", type=int, default=15, metavar="MINUTES", help="Pending this long counts as stuck (15)."
        )
        parser.add_argument("--retry", action="store_true", help="Retry every event listed.")
        parser.add_argument("--limit", type=int, default=200, help="List at most this many (200).")

    def handle(self, *args, **options):
        stuck = services.stuck_events(older_than=timedelta(minutes=options["older_than"]))
        total = stuck.count()
        listed = list(stuck[: options["limit"]])
        for event in listed:
            error = " ".join(event.last_error.split())[:100]
            self.stdout.write(
                f"{event.pk}\t{event.status}\t{event.kind}\t{event.created_at:%Y-%m-%d %H:%M}\t"
                f"attempts={event.attempts}\t{error}"
            )
        self.stdout.write(f"{total} stuck event(s)" + (f", {len(listed)} listed" if total > len(listed) else ""))
        if options["retry"] and listed:
            retried = services.outbox_events_retry(event_ids=[e.pk for e in listed], actor=None)
            self.stdout.write(self.style.SUCCESS(f"{retried} event(s) retried"))
