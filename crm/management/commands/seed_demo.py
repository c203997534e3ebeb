import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Load the demo data: teams, one user per role, and each app's demo records. "
        "Deterministic and idempotent: running it again adds nothing."
    )

    def handle(self, *args, **options):
        context = {}
        with transaction.atomic():
            # Each project app may have a `demo.seed(context)`; they run in INSTALLED_APPS
            # order, so an app sees what the apps it builds on have seeded.
            for app_config in apps.get_app_configs():
                module_name = f"{app_config.name}.demo"
                if importlib.util.find_spec(module_name) is None:
                    continue
                importlib.import_module(module_name).seed(context)
        self.stdout.write(self.style.SUCCESS("Demo data is in place. Log in with:"))
        for username, password, group in context.get("credentials", []):
            self.stdout.write(f"  {username:<8} / {password:<18} ({group})")
