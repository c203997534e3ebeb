"""Learn the lead scoring model now (the nightly task does the same) and re-score the open
leads with it."""

from django.core.management.base import BaseCommand

from scoring import services


class Command(BaseCommand):
    help = (
        "Learn the predicted likelihood of qualification from the closed leads now, then "
        "re-score every open lead (--no-rescore to skip that). Too few closed leads is not an "
        "error: the reason is printed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-rescore", action="store_true", help="Learn only; do not re-score open leads."
        )

    def handle(self, *args, no_rescore, **options):
        model, reason = services.train()
        if model is None:
            self.stdout.write(reason)
        else:
            auc = "-" if model.auc is None else f"{model.auc:.3f}"
            self.stdout.write(
                f"Learned from {model.trained_on} closed leads ({model.qualified} qualified); "
                f"AUC {auc} on {model.held_out} held out."
            )
        if no_rescore:
            return
        # Without a model the rules' points still score the leads (and a new rule may count).
        scored = services.score_all()
        self.stdout.write(f"{scored} open leads re-scored.")
