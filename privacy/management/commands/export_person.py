import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string

from accounts.models import Contact
from leads.models import Lead
from privacy.services import export_person


class Command(BaseCommand):
    help = (
        "Print everything held about a person, as JSON or a printable HTML page: by e-mail"
        " address, or by a lead's or contact's id (--lead / --contact)."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", default="")
        parser.add_argument("--lead", type=int, help="The id of a lead about the person.")
        parser.add_argument("--contact", type=int, help="The id of a contact about the person.")
        parser.add_argument("--format", choices=["json", "html"], default="json")

    def handle(self, *args, email, lead, contact, format, **options):
        if sum(bool(given) for given in (email, lead, contact)) != 1:
            raise CommandError("Give one of: an e-mail address, --lead ID, --contact ID.")
        record = None
        for model, pk in ((Lead, lead), (Contact, contact)):
            if pk:
                record = model._default_manager.filter(pk=pk).first()
                if record is None:
                    raise CommandError(f"No {model._meta.verbose_name} #{pk}.")
        export = export_person(email=email, record=record)
        if format == "json":
            self.stdout.write(json.dumps(export.as_json(), cls=DjangoJSONEncoder, indent=2))
        else:
            self.stdout.write(render_to_string("privacy/export_print.html", {"export": export}))
