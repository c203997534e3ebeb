import threading

import pytest
from django.core.cache import cache
from django.db import connection

from capture.models import Submission
from capture.tests.factories import WebFormFactory
from leads.models import Lead


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_double_submits_make_one_lead(alice, settings):
    settings.CAPTURE_RATE_LIMIT_PER_MINUTE = 100
    cache.clear()
    web_form = WebFormFactory(created_by=alice)
    data = {"first_name": "Ida", "last_name": "Holm", "email": "ida@holm.example"}
    barrier = threading.Barrier(10)
    statuses = []

    def submit():
        from django.test import Client

        barrier.wait()
        try:
            statuses.append(Client().post(f"/capture/{web_form.key}/", data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 10
    assert Lead.objects.count() == 1
    assert Submission.objects.count() == 1
