from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.background import rerun_if_worker_dies
from leads.routing.models import AssignmentNotification


# Safe to run again after its worker died: the notification row is marked sent in the
# sending transaction, so a rerun sends only what was not committed as sent.
@rerun_if_worker_dies
@task(queue_name="mail")
def send_assignment_email(*, notification_id):
    """E-mail one owed assignment notification, at most once.

    The row is locked while sending and marked sent in the same transaction: a second run
    (a retry, a duplicate enqueue) waits for the first and then finds it sent. If sending
    fails, the mark rolls back and a retry may send it."""
    with transaction.atomic():
        notification = (
            AssignmentNotification.objects.select_for_update()
            .select_related("lead", "user")
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        lead, user = notification.lead, notification.user
        link = f"{settings.SITE_URL}{lead.get_absolute_url()}"
        # In the recipient's language, whoever's request or worker sends it.
        with translation.override(user.language_or_default):
            if lead.owner_team_id:
                intro = _("A new lead is waiting in your team's queue: claim it if it is yours.")
            else:
                intro = _("A lead has been assigned to you.")
            body = _("Hello %(name)s,\n\n%(intro)s\n\n%(lead)s\n%(link)s\n") % {
                "name": user.get_full_name() or user.username,
                "intro": intro,
                "lead": lead.display_topic,
                "link": link,
            }
            subject = _("New lead: %(lead)s") % {"lead": lead.display_topic}
        send_mail(subject, body, None, [user.email])
        notification.sent_at = timezone.now()
        notification.save(update_fields=["sent_at"])
    return True
