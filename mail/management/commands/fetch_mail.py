"""`manage.py fetch_mail`: read the new messages of the IMAP mailbox (settings.MAIL_IMAP_*)
once; the scheduler runs the same every MAIL_IMAP_POLL_SECONDS (mail.tasks)."""

import imaplib

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from mail.fetching import fetch_mail


class Command(BaseCommand):
    help = "Read new messages from the IMAP mailbox into the CRM."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200, help="at most this many (200)")

    def handle(self, *args, limit, **options):
        try:
            fetched = fetch_mail(limit=limit)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        except (imaplib.IMAP4.error, OSError) as error:
            raise CommandError(f"The mailbox could not be read: {error}") from error
        outcomes = ", ".join(f"{count} {name}" for name, count in sorted(fetched.outcomes.items()))
        self.stdout.write(
            f"{fetched.read} read ({fetched.repeats} received before)"
            + (f": {outcomes}" if outcomes else "")
        )
