"""The pure normalising and matching helpers behind every duplicate check."""

import pytest

from crm.lib.duplicates import (
    Match,
    company_domain,
    company_key,
    name_similarity,
    normalise_email,
    normalise_name,
    normalise_phone,
    person_key,
    rank_matches,
    sound_key,
    website_domain,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  Anna.Hansen@Example.COM ", "anna.hansen@example.com"),
        ("mailto:<Info@Acme.com>", "info@acme.com"),
        ("not an address", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_e_mail_addresses_ignore_case_and_whitespace(typed, expected):
    assert normalise_email(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "+45 33 88 11 00",
        "33881100",
        "33 88 11 00",
        "0045 33881100",
        "+45-33-88-11-00",
        "(+45) 3388 1100",
    ],
)
def test_danish_numbers_match_with_or_without_country_code(typed, settings):
    settings.PHONE_REGION = "DK"
    assert normalise_phone(typed) == "+4533881100"


def test_numbers_without_country_code_follow_the_phone_region_setting(settings):
    settings.PHONE_REGION = "US"
    assert normalise_phone("(415) 555-0132") == "+14155550132"
    assert normalise_phone("+45 33 88 11 00") == "+4533881100"


@pytest.mark.parametrize("typed", ["", None, "n/a", "call reception", "12", "+45"])
def test_a_number_that_cannot_be_parsed_normalises_to_empty(typed):
    assert normalise_phone(typed) == ""


def test_different_numbers_stay_different():
    assert normalise_phone("33881100") != normalise_phone("33881101")


def test_names_ignore_case_accents_and_punctuation():
    assert normalise_name("  Søren  Ålund-Østergård ") == "soren alund ostergard"
    assert normalise_name("José  García") == normalise_name("jose garcia")
    assert normalise_name("O'Brien") == "obrien"
    assert normalise_name("Straße") == "strasse"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Acme Inc.", "ACME, Inc"),
        ("Acme Inc.", "acme"),
        ("Møller A/S", "Moller"),
        ("Havn Logistics ApS", "HAVN LOGISTICS"),
        ("Müller GmbH", "Muller"),
        ("The Widget Company Ltd.", "widget"),
        ("Société Générale S.A.", "Societe Generale"),
        ("Smith & Sons", "Smith and Sons"),
    ],
)
def test_company_names_match_without_legal_form(a, b):
    assert company_key(a) == company_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Acme Inc.", "Acne Inc."), ("Nordlys Energi", "Nordlys Bank"), ("ApS", "Inc")],
)
def test_different_companies_keep_different_keys(a, b):
    assert company_key(a) != company_key(b)


def test_a_name_made_only_of_a_legal_form_keeps_it():
    assert company_key("Inc") == "inc"


def test_person_key_is_first_and_last_name():
    assert person_key("Søren", "Ørsted") == "soren orsted"


def test_company_domain_skips_free_mail_providers():
    assert company_domain("anna@Nordlys.example") == "nordlys.example"
    assert company_domain("anna@gmail.com") == ""
    assert company_domain("nonsense") == ""


def test_website_domain_drops_scheme_www_and_path():
    assert website_domain("https://www.Acme.com/contact") == "acme.com"
    assert website_domain("acme.com") == "acme.com"
    assert website_domain("") == ""


def test_name_similarity_scores_accents_and_order_as_equal():
    assert name_similarity("Søren Østergård", "soren ostergard") == 100
    assert name_similarity("Anna Hansen", "Hansen, Anna") == 100
    assert name_similarity("Anna Hansen", "Ana Hansen") >= 85
    assert name_similarity("Anna Hansen", "Peter Jensen") < 60
    assert name_similarity("", "Anna") == 0


def test_rank_matches_orders_best_first_and_limits():
    matches = [Match("a", 80, ("x",)), Match("b", 100, ("y",)), Match("c", 90, ())]
    assert [m.record for m in rank_matches(matches, limit=2)] == ["b", "c"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Fabricam A/S", "Fabrikam A/S"),
        ("Nordic Acme", "Acme Nordic"),
        ("Smith & Sons", "Sons of Smith"),
        ("Phoenix Consulting", "Fønix Konsulting"),
        ("Østergaard Advokater", "Ostergard advokater ApS"),
    ],
)
def test_sound_keys_ignore_word_order_and_sound_keeping_typos(a, b):
    assert sound_key(company_key(a)) == sound_key(company_key(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [("Acme Nordic", "Nordic Trading"), ("Acme", "Acme Nordic"), ("Nordlys", "Nordisk")],
)
def test_different_names_keep_different_sound_keys(a, b):
    assert sound_key(company_key(a)) != sound_key(company_key(b))
