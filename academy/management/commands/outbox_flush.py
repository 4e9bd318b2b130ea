"""Hands the tasks the outbox still holds to the broker, e.g. right after Redis is back (docs/operations.md)."""

from django.core.management.base import BaseCommand, CommandError

from academy.models import OutboxMessage
from academy.outbox import outbox_flush


class Command(BaseCommand):
    help = "Hands the background tasks waiting in the outbox (the broker was unreachable) to the broker."

    def handle(self, *args, **options):
        handed_over = outbox_flush()
        waiting = OutboxMessage.objects.count()
        self.stdout.write(f"{handed_over} handed over, {waiting} waiting")
        if waiting:
            first = OutboxMessage.objects.order_by("pk").first()
            raise CommandError(f"the broker did not take every task; first waiting: {first.last_error or first.task}")
