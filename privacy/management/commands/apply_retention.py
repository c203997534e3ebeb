from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.models import User
from privacy import retention
from privacy.models import RetentionPolicy


class Command(BaseCommand):
    help = (
        "Anonymise the leads past the enabled retention rules (the nightly task does the "
        "same). --dry-run only lists them; a real run lists them, asks, then anonymises "
        "exactly those."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List; change nothing.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--rule", help="Only this rule (its name or id); a dry run may name a disabled one."
        )
        parser.add_argument("--user", help="The administrator anonymising (username).")

    def handle(self, *args, dry_run, yes, rule, user, **options):
        by = None
        if user:
            by = User.objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"No user {user!r}.")
        policies = self._policies(rule, dry_run=dry_run)
        now = timezone.now()
        reports = [retention.dry_run(policy, now=now, limit=0) for policy in policies]
        listed = {report.policy.pk: self._print(report, now=now) for report in reports}
        total = sum(len(pks) for pks in listed.values())
        if dry_run:
            self.stdout.write(f"Dry run: {total} leads would be anonymised; nothing changed.")
            return
        if not total:
            self.stdout.write("Nothing to anonymise.")
            return
        if not yes:
            answer = input(f"This cannot be undone. Type 'yes' to anonymise {total} leads: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing anonymised.")
        for report in reports:
            # Exactly the leads listed (those still past the rule): not one that passed it
            # while the question waited.
            pks = listed[report.policy.pk]
            erased = retention.apply_policy(report.policy, user=by, now=now, only=pks)
            self.stdout.write(f"{report.policy.name}: {len(erased)} leads anonymised.")

    def _policies(self, rule, *, dry_run):
        if not rule:
            return list(retention.enabled_policies())
        found = RetentionPolicy.objects.filter(name=rule)
        if rule.isdigit():
            found = found | RetentionPolicy.objects.filter(pk=int(rule))
        policy = found.first()
        if policy is None:
            raise CommandError(f"No retention rule {rule!r}.")
        if not policy.is_enabled and not dry_run:
            raise CommandError(f"The rule {policy.name!r} is not enabled; enable it first.")
        return [policy]

    def _print(self, report, *, now):
        """Write the rule's dry run, every lead; return their ids."""
        policy = report.policy
        self.stdout.write(
            f"{policy.name} ({policy.get_target_display()}, {policy.months} months, "
            f"last activity before {report.cutoff:%Y-%m-%d}): {report.count} leads"
        )
        pks = []
        for lead in retention.report_rows(policy, now=now).iterator(chunk_size=2000):
            name = lead.full_name or lead.email or lead.company_name
            self.stdout.write(f"  {lead.pk}\t{name}\t{lead.last_activity:%Y-%m-%d}")
            pks.append(lead.pk)
        return pks
