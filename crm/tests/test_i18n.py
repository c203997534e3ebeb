"""Danish and English (issue 20): the Danish catalogue holds every message of the code and the
templates, translated; no template shows text outside the translation tags; a page follows
the user's profile, else the browser, else LANGUAGE_CODE; dates, numbers, money, number
inputs and CSV downloads follow the language."""

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation

from accounts.tests.factories import AccountFactory
from capture.tests.factories import WebFormFactory
from crm.forms import ungroup_number
from crm.services import send_invitation
from crm.templatetags.readable import money
from crm.tests.catalogue import KEYWORDS, extracted_messages, source_files
from crm.tests.factories import UserFactory
from crm.tests.template_text import template_files, untranslated_text
from leads.routing.tests.factories import make_rule
from leads.services import create_lead
from leads.tests.factories import lead_data, make_lead
from opportunities.forms import CloseOpportunityForm
from opportunities.tests.factories import CurrencyFactory, OpportunityFactory
from reports.csv_headings import HEADINGS
from reports.funnel import csv_header as funnel_header
from reports.lead_sources import CSV_COLUMNS, DISQUALIFICATION_COLUMNS
from reports.tests.factories import build_known_data
from reports.time_in_status import CSV_COLUMNS as TIME_IN_STATUS_COLUMNS

# English is the language of the messages themselves; every other one has a catalogue.
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]


@pytest.fixture(scope="module", params=TRANSLATED)
def catalogue(request):
    path = Path(settings.BASE_DIR) / "locale" / request.param / "LC_MESSAGES" / "django.po"
    return polib.pofile(str(path))


# The catalogue


def test_every_message_is_translated_and_none_is_fuzzy(catalogue):
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert len(catalogue.translated_entries()) > 1000
    assert untranslated == [], f"{len(untranslated)} untranslated: {untranslated[:20]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy (check and untick them): {fuzzy[:20]}"


def test_danish_has_two_plural_forms():
    danish = polib.pofile(str(Path(settings.BASE_DIR) / "locale/da/LC_MESSAGES/django.po"))

    assert danish.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_the_catalogue_holds_every_message_of_the_code_and_templates(catalogue):
    """What makemessages would add is missing here: the test that makes every new string get
    translated. Found without GNU gettext (crm/tests/catalogue.py)."""
    held = {(e.msgctxt, e.msgid, e.msgid_plural or None) for e in catalogue if not e.obsolete}

    missing = sorted(extracted_messages() - held, key=str)

    assert missing == [], (
        f"Not in {catalogue.fpath} (run `make messages`, translate, then `manage.py "
        f"compilemessages`): {missing[:20]}"
    )


TRANSLATION_FUNCTIONS = re.compile(
    r"from django\.utils\.translation import (?:\w+ as \w+|[\w, ]+)", re.MULTILINE
)


def test_translation_functions_keep_names_that_makemessages_reads():
    """xgettext finds `_()`, `gettext_lazy()`, `ngettext()`...; a string in `_lazy()` or
    `_t()` would never reach the catalogue."""
    renamed = []
    for path in source_files():
        if path.suffix != ".py":
            continue
        for line in TRANSLATION_FUNCTIONS.findall(path.read_text(encoding="utf-8")):
            for name in re.findall(r"(\w+) as (\w+)", line):
                if "gettext" in name[0] and name[1] not in KEYWORDS:
                    renamed.append(f"{path.relative_to(settings.BASE_DIR)}: {' as '.join(name)}")

    assert renamed == []


def test_the_catalogue_keeps_each_messages_placeholders(catalogue):
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]")
    wrong = []
    for entry in catalogue.translated_entries():
        translations = [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values()
        wanted = set(placeholder.findall(entry.msgid_plural or entry.msgid))
        for text in translations:
            found = set(placeholder.findall(text))
            if not found <= wanted or (not entry.msgid_plural and found != wanted):
                wrong.append(entry.msgid)

    assert wrong == []


# The templates

BRANDS_AND_CODE = [
    '<p>CRM</p><code>Authorization: Token</code><span title="{{ x }}">',
    "{% load i18n %}{% translate 'Save' %}{% blocktranslate %}Hi {{ n }}{% endblocktranslate %}",
    "{# a comment #}{% comment %}Notes to self{% endcomment %} 12 &times; 3 — 4",
]


@pytest.mark.parametrize("source", BRANDS_AND_CODE)
def test_translated_text_brands_code_and_numbers_are_not_flagged(source):
    assert untranslated_text(source) == []


def test_text_and_visible_attributes_outside_the_tags_are_flagged():
    source = (
        '<h1>Leads {{ n }}</h1><a title="Edit" href="{% url "x" %}">{% translate "x" %}</a>'
        '<input type="submit" value="Go"><img alt="Logo"><button aria-label="Close">'
        '<input placeholder="Search…">{% if a %}Yes{% endif %}'
    )
    assert untranslated_text(source) == [
        "Leads",
        "a title='Edit'",
        "input value='Go'",
        "img alt='Logo'",
        "button aria-label='Close'",
        "input placeholder='Search…'",
        "Yes",
    ]


def test_no_template_shows_text_outside_the_translation_tags():
    found = {}
    for path in template_files():
        if texts := untranslated_text(path.read_text(encoding="utf-8")):
            found[str(path.relative_to(settings.BASE_DIR))] = texts

    assert found == {}


# The language of a page


@pytest.fixture
def follow_up(alice):
    return make_lead(owner=alice, last_name="Hansen", next_follow_up=datetime.date(2026, 12, 2))


def test_a_danish_browser_gets_danish_labels_and_dates(as_alice, follow_up):
    response = as_alice.get(reverse("leads:list"), HTTP_ACCEPT_LANGUAGE="da")
    html = response.content.decode()

    assert response["Content-Language"] == "da"
    assert '<html lang="da">' in html
    assert "Kundeemner" in html
    assert "2. dec. 2026" in html
    assert "Follow-up" not in html


def test_an_english_browser_and_no_header_get_english(as_alice, follow_up):
    for headers in ({"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}, {}):
        html = as_alice.get(reverse("leads:list"), **headers).content.decode()

        assert '<html lang="en">' in html
        assert "Leads" in html
        assert "2 Dec 2026" in html
        assert "Kundeemner" not in html


def test_the_profiles_language_wins_over_the_browsers(as_alice, alice, follow_up):
    alice.language = "da"
    alice.save(update_fields=["language"])

    html = as_alice.get(reverse("leads:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Kundeemner" in html
    assert "2. dec. 2026" in html


def test_money_and_dates_on_a_page_in_danish(as_alice, alice):
    dkk = CurrencyFactory(code="DKK", name="Danish krone", symbol="kr.")
    OpportunityFactory(
        owner_user=alice,
        account=AccountFactory(owner_user=alice),
        currency=dkk,
        estimated_value=Decimal("250000"),
        estimated_close_date=datetime.date(2026, 12, 2),
    )

    danish = as_alice.get(reverse("opportunities:board"), HTTP_ACCEPT_LANGUAGE="da")
    english = as_alice.get(reverse("opportunities:board"), HTTP_ACCEPT_LANGUAGE="en")

    assert "250.000,00 kr." in danish.content.decode()
    assert "lukker 2. dec. 2026" in danish.content.decode()
    assert "DKK 250,000.00" in english.content.decode()
    assert "closes 2 Dec 2026" in english.content.decode()


@pytest.mark.parametrize(
    ("language", "amount", "currency", "shown"),
    [
        ("da", "250000", "DKK", "250.000,00 kr."),
        ("da", "42000", "EUR", "€ 42.000,00"),
        ("da", "1234.5", "USD", "USD 1.234,50"),
        ("en", "250000", "DKK", "DKK 250,000.00"),
        ("en", "42000", "EUR", "EUR 42,000.00"),
    ],
)
def test_money_is_written_as_the_language_writes_it(language, amount, currency, shown):
    with translation.override(language):
        assert money(Decimal(amount), currency) == shown


def test_the_danish_formats(db):
    moment = datetime.datetime(2026, 12, 2, 14, 30, tzinfo=datetime.UTC)
    with translation.override("da"):
        assert formats.date_format(moment.date()) == "2. dec. 2026"
        assert formats.time_format(moment.time()) == "14.30"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "2. dec. 2026 kl. 14.30"
        assert formats.number_format(Decimal("250000.00"), 2, force_grouping=True) == (
            "250.000,00"
        )
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


@pytest.mark.parametrize(
    ("language", "typed", "read"),
    [
        ("da", "1.234,50", Decimal("1234.50")),
        ("da", "1234,5", Decimal("1234.5")),
        ("da", "250.000", Decimal("250000")),
        ("da", "12.5", Decimal("12.5")),  # a dot that cannot be grouping is a decimal point
        ("en", "1,234.50", Decimal("1234.50")),
        ("en", "1234.5", Decimal("1234.5")),
    ],
)
def test_number_inputs_read_what_the_language_writes(language, typed, read):
    class Open:
        version = 1

    with translation.override(language):
        data = {"outcome": "won", "actual_value": typed, "close_date": "2026-12-02"}
        form = CloseOpportunityForm(data, opportunity=Open())

        assert form.is_valid(), form.errors
        assert form.cleaned_data["actual_value"] == read


def test_a_number_input_shows_the_languages_decimal_comma(db):
    class Open:
        version = 1

    with translation.override("da"):
        form = CloseOpportunityForm(
            initial={"actual_value": Decimal("1234.5")}, opportunity=Open()
        )
        html = str(form["actual_value"])

    assert 'value="1234,5"' in html
    assert 'inputmode="decimal"' in html
    assert 'type="text"' in html


def test_ungrouping_leaves_text_that_is_not_grouped_alone():
    with translation.override("da"):
        assert ungroup_number(" 1.234.567,8 ") == "1234567,8"
        assert ungroup_number("1.23") == "1.23"
        assert ungroup_number("abc") == "abc"


# Choosing the language


def test_the_switcher_saves_the_language_and_returns_to_the_page(as_alice, alice):
    back = "http://testserver" + reverse("leads:list") + "?q=x"
    response = as_alice.post(reverse("set_language"), {"language": "da"}, HTTP_REFERER=back)

    assert response.status_code == 302
    assert response["Location"] == back
    alice.refresh_from_db()
    assert alice.language == "da"
    assert "Kundeemner" in as_alice.get(reverse("leads:list")).content.decode()


def test_the_switcher_refuses_an_unknown_language_and_a_get(as_alice, alice):
    assert as_alice.post(reverse("set_language"), {"language": "xx"}).status_code == 400
    assert as_alice.get(reverse("set_language")).status_code == 405
    alice.refresh_from_db()
    assert alice.language == ""


def test_the_switcher_needs_a_signed_in_user(client, db):
    response = client.post(reverse("set_language"), {"language": "da"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_switcher_never_sends_elsewhere(as_alice):
    evil = "https://evil.example/"
    response = as_alice.post(
        reverse("set_language"), {"language": "en", "next": evil}, HTTP_REFERER=evil
    )

    assert response["Location"] == reverse("profile")


def test_the_user_menu_offers_both_languages_each_in_its_own_name(as_alice):
    html = as_alice.get(reverse("profile"), HTTP_ACCEPT_LANGUAGE="da").content.decode()

    assert 'data-testid="language-switcher"' in html
    assert 'name="language" value="da" lang="da"' in html
    assert ">Dansk</button>" in html
    assert ">English</button>" in html


def test_the_profile_page_chooses_the_language(as_alice, alice):
    data = {
        "first_name": "Alice",
        "last_name": "Adams",
        "email": "alice@example.com",
        "language": "da",
        "time_zone": "Europe/Copenhagen",
    }
    response = as_alice.post(reverse("profile"), data)

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.language == "da"
    data["language"] = ""
    as_alice.post(reverse("profile"), data)
    alice.refresh_from_db()
    assert alice.language == ""


def test_the_login_page_follows_the_browser(client, db):
    assert "Log på" in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Log in" in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_web_form_follows_the_browser_unless_it_names_a_language(client, alice):
    free = WebFormFactory(created_by=alice)
    fixed = WebFormFactory(created_by=alice, language="da")

    def page(web_form, accept):
        url = reverse("capture:form", args=[web_form.key])
        return client.get(url, HTTP_ACCEPT_LANGUAGE=accept)

    assert "Efternavn" in page(free, "da").content.decode()
    assert "Last name" in page(free, "en").content.decode()
    response = page(fixed, "en")
    assert "Efternavn" in response.content.decode()
    assert response["Content-Language"] == "da"


# CSV downloads


def test_a_danish_report_csv_has_semicolons_and_decimal_commas(as_admin, alice, bob, carol, north):
    build_known_data(alice=alice, bob=bob, carol=carol, north=north)
    url = reverse("reports:funnel")

    danish = as_admin.get(url, {"by": "source", "format": "csv"}, HTTP_ACCEPT_LANGUAGE="da")
    english = as_admin.get(url, {"by": "source", "format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")

    assert danish.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(danish.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["kilde", "oprettet", "kontaktet", "kvalificerede"]
    assert rows[0][6] == "kontaktet, pct. af oprettet"
    assert rows[3][0] == "(ingen)"  # the leads without a source
    assert rows[1] == ["Messe", "3", "2", "2", "2", "1", "66,7", "100,0", "100,0", "50,0"]
    rows = list(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))
    assert rows[1] == ["Trade Show", "3", "2", "2", "2", "1", "66.7", "100.0", "100.0", "50.0"]


def test_every_report_column_has_a_heading():
    columns = {*CSV_COLUMNS, *DISQUALIFICATION_COLUMNS, *funnel_header("source")}
    columns |= {*TIME_IN_STATUS_COLUMNS, "source", "campaign", "owner", "team"}

    assert columns - set(HEADINGS) == set()


def test_a_danish_lead_export_has_semicolons_and_decimal_commas(as_alice, alice):
    make_lead(owner=alice, last_name="Jensen", estimated_value=Decimal("1234.50"))

    response = as_alice.get(reverse("leads:export"), HTTP_ACCEPT_LANGUAGE="da")
    text = b"".join(response.streaming_content).decode("utf-8")

    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0]["last_name"] == "Jensen"
    assert rows[0]["estimated_value"] == "1234,50"


# E-mails: in the recipient's language, whoever sends them


def test_the_assignment_email_is_in_the_new_owners_language(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    bob.language = "da"
    bob.save(update_fields=["language"])
    make_rule("Bob's", bob)

    with django_capture_on_commit_callbacks(execute=True):
        lead = create_lead(data=lead_data(topic="50 bærbare"), created_by=alice, route=True)

    assert lead.owner == bob
    (mail,) = mailoutbox
    assert mail.subject == "Nyt kundeemne: 50 bærbare"
    assert "Et kundeemne er tildelt dig." in mail.body


def test_the_invitation_is_in_the_new_users_language_not_the_senders(
    admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    new = UserFactory(username="freja", email="freja@example.com", language="da")

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        send_invitation(user=new, invited_by=admin_user)

    assert mailoutbox[0].subject == "Din invitation til CRM'et"
    assert "Dit brugernavn er: freja" in mailoutbox[0].body
