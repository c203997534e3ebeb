"""`manage.py receive_email < message.eml`: take one RFC 822 message on standard input, as an
MTA's pipe delivers it (Postfix: an alias `crm: "|/srv/crm/.venv/bin/python /srv/crm/manage.py
receive_email"`). Exit 0 when the message was taken (whatever became of it, junk included),
75 (EX_TEMPFAIL, "try again later") when the CRM cannot store it now, so the MTA keeps it, and
65 (EX_DATAERR) when standard input holds no message."""

import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from mail.models import IncomingEmail
from mail.receiving import receive

EX_DATAERR = 65
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Receive one e-mail message from standard input (for a mail server's pipe)."
    # The system checks would reach the database before handle() could answer "try later".
    requires_system_checks = []

    def handle(self, *args, **options):
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            self.stderr.write("No message on standard input.")
            sys.exit(EX_DATAERR)  # nothing to try again
        try:
            received = receive(raw, via=IncomingEmail.Via.PIPE)
        except (ImproperlyConfigured, DatabaseError) as error:
            self.stderr.write(f"Not taken, try again later: {error}")
            sys.exit(EX_TEMPFAIL)
        email = received.email
        said = email.get_outcome_display()
        if email.reason:
            said += f" ({email.get_reason_display()})"
        record = email.activity.regarding if email.activity_id else email.lead
        if record is not None:
            said += f": {record._meta.verbose_name} {record.pk} “{record}”"
        if not received.created:
            said = f"already received: {said}"
        self.stdout.write(f"{email.message_id}: {said}")
