import csv
import io

import pytest
from django.core.management import call_command


def write_csv(path, rows, *, encoding="utf-8", delimiter=",", newline="\n"):
    """Our own fixture files: `rows` (header first) written as a spreadsheet would."""
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator=newline).writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


class Run:
    def __init__(self, status, output):
        self.status = status
        self.output = output

    @property
    def summary(self):
        return next(line for line in self.output.splitlines() if "created=" in line)


@pytest.fixture
def import_leads(admin_user):
    """Run the command as an operator would; returns its exit status and output."""

    def run(*args):
        out = io.StringIO()
        try:
            call_command(
                "import_leads", *map(str, args), "--user", admin_user.username, stdout=out
            )
            status = 0
        except SystemExit as exit:
            status = exit.code
        return Run(status, out.getvalue())

    return run
