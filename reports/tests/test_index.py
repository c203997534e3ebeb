from django.urls import reverse

from reports.views import REPORTS


def test_the_report_index_lists_every_report_with_what_it_answers(as_manager):
    response = as_manager.get(reverse("reports:index"))

    assert response.status_code == 200
    page = response.content.decode()
    for name, title, answers in REPORTS:
        assert f'href="{reverse(name)}"' in page
        assert str(title) in page and str(answers)[:40] in page
    # The main menu's "Reports" opens the index.
    assert f'href="{reverse("reports:index")}"' in page


def test_the_report_index_needs_a_login(client):
    response = client.get(reverse("reports:index"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_rep_is_not_offered_the_managers_untouched_leads(as_alice):
    page = as_alice.get(reverse("reports:index")).content.decode()
    assert reverse("reports:funnel") in page
    assert reverse("reports:untouched_leads") not in page
