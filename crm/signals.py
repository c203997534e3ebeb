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

# consent_given -- sent by the code that creates or changes leads (or contacts) when its
#     source says the person consented: an import's consent column, a web form's required
#     consent checkbox. Inside that code's transaction, after the records are saved:
#
#         consent_given.send(sender=ImportBatch, records=[lead, ...], purpose="marketing_email",
#                            how="import", note="", user=user)
#
#     `purpose` and `how` are the values of privacy.ConsentRecord's choices; privacy records
#     them (the apps below it, and capture beside it, never import it).
consent_given = Signal()
