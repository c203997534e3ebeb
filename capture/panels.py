"""The lead page's "Web form" panel (crm/panels.py), so the leads app shows what a web form
brought without importing this app."""

from capture.selectors import load_submission, submission_data, visible_matches


def web_capture_panel(context, lead):
    """Nothing for a lead that did not come from a web form. Queries: the submission (its
    form joined); when it flagged possible duplicates, one more for which the viewer sees."""
    submission = load_submission(lead)
    if submission is None:
        return {"capture": None}
    visible = visible_matches(context["request"].user, [submission])
    return {"capture": submission_data(submission, visible)}
