"""Signals other apps receive, so this app never imports them."""

from django.dispatch import Signal

# Sent inside the logging transaction, after a completed phone call or e-mail is stored (logged
# as done, or an open one completed). Arguments: sender=Activity, activity, regarding (the
# record it is about), user. The leads app moves a New lead to Contacted: its receiver's writes
# commit or roll back together with the activity.
activity_logged = Signal()
