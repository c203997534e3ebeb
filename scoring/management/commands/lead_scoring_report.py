"""Print the lead scoring report (the page's figures) as text or as JSON."""

import json

from django.core.management.base import BaseCommand

from scoring.reporting import scoring_report


class Command(BaseCommand):
    help = (
        "How good the lead scoring model is on the closed leads held out of its learning "
        "(AUC, qualification rate by grade), the fields that matter most and the open leads "
        "by grade; or why there is no prediction yet."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        report = scoring_report()
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(render_text(report), ending="")


def _percent(rate):
    return "-" if rate is None else f"{rate * 100:.1f} %"


def render_text(report):
    lines = []
    if report["reason"]:
        lines.append(report["reason"])
    else:
        auc = "-" if report["auc"] is None else f"{report['auc']:.3f}"
        lines += [
            f"AUC on held-out leads: {auc} (0.5 is guessing, 1.0 is perfect)",
            f"Learned {report['trained_at']} from {report['trained_on']} closed leads "
            f"({report['qualified']} qualified); {report['held_out']} held out.",
            "",
            "Held-out leads by grade:",
            f"  {'grade':<6}{'leads':>7}{'qualified':>11}{'rate':>9}",
        ]
        for row in report["by_grade"]:
            lines.append(
                f"  {row['grade']:<6}{row['leads']:>7}{row['qualified']:>11}"
                f"{_percent(row['rate']):>9}"
            )
        lines += ["", "The fields that matter most:"]
        width = max((len(f["label"]) for f in report["top_features"]), default=0)
        for feature in report["top_features"]:
            lines.append(f"  {feature['label']:<{width}}  {feature['importance']:.3f}")
    lines += ["", "Open leads by grade:"]
    for row in report["open_leads_by_grade"]:
        lines.append(f"  {row['grade'] or 'not scored':<11}{row['leads']:>7}")
    return "\n".join(lines) + "\n"
