"""Danish texts an outside tester found in English or wrong (issue 20): sort choices, the
qualify preview's sentences, currency names, a note's help text, the profile's message in
the language just chosen, the admin's model names, a count's plural and the one empty
choice of every select."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from activities.forms import NoteForm
from activities.services import log_activity
from leads.filters import LeadFilter
from leads.qualification import plan_qualification
from leads.tests.factories import make_lead
from opportunities.models import Currency
from opportunities.tests.factories import CurrencyFactory

pytestmark = pytest.mark.django_db

DANISH = {"HTTP_ACCEPT_LANGUAGE": "da"}
EMPTY_OPTION = re.compile(r'<option value=""[^>]*>([^<]*)</option>')


def test_the_lists_sort_choices_are_danish_descending_too(as_alice):
    """django-filter formats "%s (descending)" when the filter class is built; the label must
    follow the page's language (the lead list hides its select: its choices are checked)."""
    html = as_alice.get(reverse("accounts:contact_list"), **DANISH).content.decode()

    assert ">Navn (faldende)</option>" in html and ">Oprettet (faldende)</option>" in html
    assert "descending" not in html and "aftagende" not in html
    with translation.override("da"):
        choices = [str(label) for _value, label in LeadFilter().form.fields["sort"].choices]
    assert choices[1:5] == ["Oprettet", "Oprettet (faldende)", "Navn", "Navn (faldende)"]


def test_the_qualify_preview_writes_whole_danish_sentences(alice):
    lead = make_lead(owner=alice, company_name="Birkelund Møbler A/S", last_name="Hansen")

    with translation.override("da"):
        plan = plan_qualification(
            lead=lead,
            user=alice,
            create_account=True,
            create_contact=True,
            create_opportunity=True,
        )
        blocks = plan.display_blocks()

    assert [block["title"] for block in blocks] == [
        "Opret et nyt firma",
        "Opret en ny kontakt",
        "Opret en ny salgsmulighed",
    ]
    assert dict(blocks[1]["rows"])["Firma"] == "det nye firma"
    opportunity = dict(blocks[2]["rows"])
    assert opportunity["Kunde"] == "det nye firma"


def test_a_new_contact_as_customer_is_den_nye_kontakt(alice):
    lead = make_lead(owner=alice, company_name="", last_name="Hansen")

    with translation.override("da"):
        plan = plan_qualification(
            lead=lead, user=alice, create_contact=True, create_opportunity=True
        )
        blocks = plan.display_blocks()

    assert blocks[0]["title"] == "Opret en ny kontakt"
    opportunity = next(b for b in blocks if b["title"] == "Opret en ny salgsmulighed")
    assert dict(opportunity["rows"])["Kunde"] == "den nye kontakt"


def test_a_known_currency_is_named_in_the_users_language_unless_renamed():
    euro = Currency.objects.get(code="EUR")  # the base currency, made by migrate
    renamed = CurrencyFactory(code="DKK", name="Kroner (intern)")

    with translation.override("da"):
        assert (str(euro), str(renamed)) == ("EUR (euro)", "DKK (Kroner (intern))")
        assert str(CurrencyFactory(code="USD", name="US Dollar")) == "USD (amerikansk dollar)"
    with translation.override("en"):
        assert str(euro) == "EUR (Euro)"


def test_a_notes_help_text_is_in_the_language_of_the_request():
    with translation.override("da"):
        help_text = str(NoteForm().fields["attachment"].help_text)

    assert help_text.startswith("Én fil, op til ")


def test_the_profiles_message_is_in_the_language_just_chosen(as_alice):
    data = {
        "first_name": "Alice",
        "last_name": "Adams",
        "email": "alice@example.com",
        "language": "da",
        "time_zone": "Europe/Copenhagen",
    }

    response = as_alice.post(reverse("profile"), data, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert [str(message) for message in response.context["messages"]] == ["Din profil er gemt."]


# English model and app names the admin index must not show in Danish (ours and the
# packages' the admin lists).
ENGLISH_NAMES = [
    "Task Result",
    "Tasks Database Backend",
    "Auth Token",
    "Access attempt",
    "Access log",
    "Access failure",
    "Axes",
    "Leads",
    "Accounts",
    "Contacts",
    "Opportunities",
    "Currencies",
    "Campaigns",
    "Lead sources",
    "Routing rules",
    "Web forms",
    "Users",
    "Groups",
]


def test_the_admin_index_in_danish_names_only_danish_models(as_admin):
    html = as_admin.get(reverse("admin:index"), **DANISH).content.decode()
    # The names as the index shows them: the apps' captions and the models' links.
    shown = re.findall(
        r"<caption>\s*<a[^>]*>([^<]+)</a>|<th scope=\"row\"[^>]*><a[^>]*>([^<]+)</a>", html
    )
    names = {name.strip() for pair in shown for name in pair if name}

    assert {"Kundeemner", "Baggrundsopgaver", "Loginforsøg", "API-nøgler"} <= names
    assert [name for name in ENGLISH_NAMES if name in names] == []


def test_no_overdue_activities_take_the_plural_in_danish(as_alice, alice):
    html = as_alice.get(reverse("home"), **DANISH).content.decode()

    assert re.search(r">0</span> forfaldne</div>", html)


def test_one_overdue_activity_takes_the_singular_in_danish(as_alice, alice):
    lead = make_lead(owner=alice)
    log_activity(
        regarding=lead,
        user=alice,
        kind="task",
        data={"subject": "Ring op", "due_at": timezone.now() - datetime.timedelta(days=2)},
        completed=False,
    )

    html = as_alice.get(reverse("home"), **DANISH).content.decode()

    assert re.search(r">1</span> forfalden</div>", html)


@pytest.mark.parametrize(
    ("language", "empty"), [("da", "- Vælg en valgmulighed -"), ("en", "- Select an option -")]
)
def test_every_select_of_the_lead_pages_has_the_one_empty_choice(as_alice, alice, language, empty):
    lead = make_lead(owner=alice)
    for url in (
        reverse("leads:list"),
        reverse("leads:create"),
        reverse("leads:edit", args=[lead.pk]),
    ):
        html = as_alice.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()

        assert set(EMPTY_OPTION.findall(html)) == {empty}, url


def test_the_reports_and_lists_filters_have_the_one_empty_choice(as_alice):
    for url in (reverse("reports:funnel"), reverse("opportunities:list")):
        html = as_alice.get(url, **DANISH).content.decode()

        assert set(EMPTY_OPTION.findall(html)) - {"Enhver"} == {"- Vælg en valgmulighed -"}, url


def test_a_seeded_lead_source_is_shown_in_the_readers_language_a_renamed_one_as_named():
    from leads.models import LeadSource

    trade_show = LeadSource.objects.get(name="Trade Show")  # seeded by the data migration
    renamed = LeadSource.objects.create(name="Messe i Bella Center")
    with translation.override("da"):
        assert (str(trade_show), str(renamed)) == ("Messe", "Messe i Bella Center")
    with translation.override("en"):
        assert str(trade_show) == "Trade Show"


def test_the_opportunity_state_and_the_access_of_a_share_read_as_danish_writes_them():
    from crm.models import Share

    with translation.override("da"):
        assert str(Share.Access.READ.label) == "Læseadgang"
        assert translation.gettext("Status") == "Status"
        assert translation.gettext("Status reason") == "Statusårsag"


def test_the_reports_name_a_seeded_source_in_the_readers_language():
    from leads.models import LeadSource
    from reports.lead_sources import labels_for

    trade_show = LeadSource.objects.get(name="Trade Show")
    with translation.override("da"):
        assert labels_for("source", {(trade_show.pk, None)}) == {(trade_show.pk, None): "Messe"}


def test_a_leads_status_change_reason_is_read_in_the_readers_language(as_alice, alice):
    lead = make_lead(owner=alice)
    log_activity(
        kind="phone_call",
        regarding=lead,
        user=alice,
        data={"subject": "Intro", "direction": "outgoing"},
        completed=True,
    )
    url = reverse("activities:timeline", args=["leads.lead", lead.pk])
    alice.language = "da"
    alice.save(update_fields=["language"])
    page = as_alice.get(url).content.decode()
    assert "Telefonopkald logget: Intro" in page
    assert "Oprettet" in page and "Phone call logged" not in page
    alice.language = "en"
    alice.save(update_fields=["language"])
    assert "Phone call logged: Intro" in as_alice.get(url).content.decode()
