import json

from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string

from privacy.services import export_person


class Command(BaseCommand):
    help = "Print everything held about a person (by e-mail address), as JSON or HTML."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--format", choices=["json", "html"], default="json")

    def handle(self, *args, email, format, **options):
        export = export_person(email=email)
        if format == "json":
            self.stdout.write(json.dumps(export.as_json(), cls=DjangoJSONEncoder, indent=2))
        else:
            self.stdout.write(render_to_string("privacy/export.html", {"export": export}))
