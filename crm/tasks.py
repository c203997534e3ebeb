from django.core.mail import send_mail
from django.tasks import task


@task
def send_email(*, to, subject, body):
    """Send one plain-text e-mail; enqueued after commit so it never announces a rollback."""
    send_mail(subject, body, None, [to])
