from django.core.management.base import BaseCommand, CommandError

from crm.models import User
from privacy.services import erase_person, find_person


class Command(BaseCommand):
    help = "Erase a person (by e-mail address): anonymise their records, keep a tombstone."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--reason", required=True)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument("--user", help="The administrator erasing (username).")

    def handle(self, *args, email, reason, yes, user, **options):
        by = None
        if user:
            by = User.objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"No user {user!r}.")
        found = find_person(email=email)
        self.stdout.write(f"{len(found.records)} records found for {email}.")
        if not yes:
            answer = input("This cannot be undone. Type 'yes' to erase: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Not erased.")
        erasure = erase_person(email=email, user=by, reason=reason)
        counts = ", ".join(f"{key}: {n}" for key, n in erasure.counts.items())
        self.stdout.write(f"Erased (tombstone #{erasure.pk}): {counts}")
