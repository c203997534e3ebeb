"""Signals the crm app sends. Receivers connect in their AppConfig.ready().

user_deactivated -- sent when a user is saved inactive (the admin's user form: deactivated,
    or saved again while still inactive), after the save:

        user_deactivated.send(sender=User, user=user, by=request_user)

    Each receiver may return a warning for whoever deactivated the user (a str, or HTML from
    format_html), or None. E.g. routing says how many open leads the user still owns and
    links to the hand-over.
"""

from django.dispatch import Signal

user_deactivated = Signal()
