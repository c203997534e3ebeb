"""`{% load web_capture %}{% web_capture_panel lead %}`: the lead page's "Web form" panel, so
the leads app shows what a web form brought without importing this app."""

from django import template

from capture.selectors import load_submission, submission_data, visible_matches

register = template.Library()


@register.inclusion_tag("capture/_lead_panel.html", takes_context=True)
def web_capture_panel(context, lead):
    """Nothing for a lead that did not come from a web form. Queries: the submission (its
    form joined); when it flagged possible duplicates, one more for which the viewer sees."""
    submission = load_submission(lead)
    if submission is None:
        return {"capture": None}
    visible = visible_matches(context["request"].user, [submission])
    return {"capture": submission_data(submission, visible)}
