"""Candidate queries: indexed keys narrow, fuzzy names score, visibility limits."""

from accounts.duplicates import account_matches, contact_matches
from accounts.tests.factories import AccountFactory, ContactFactory
from crm.models import scope_of


def test_acme_inc_matches_acme_comma_inc(alice):
    acme = AccountFactory(owner_user=alice, name="Acme Inc.")
    [match] = account_matches(user=alice, name="ACME, Inc")
    assert match.record == acme
    assert match.score == 100
    assert "similar name (100%)" in match.reasons


def test_an_account_matches_on_phone_with_or_without_country_code(alice):
    havn = AccountFactory(owner_user=alice, name="Havn Logistics", phone="+45 33 88 11 00")
    [match] = account_matches(user=alice, name="Harbour Freight", phone="33881100")
    assert match.record == havn
    assert match.reasons == ("same phone number",)


def test_an_account_matches_on_e_mail_and_website_domain(alice):
    nordlys = AccountFactory(
        owner_user=alice, name="Nordlys", email="info@nordlys.example", website=""
    )
    [by_email] = account_matches(user=alice, name="Other", email=" INFO@nordlys.example")
    assert by_email.record == nordlys
    assert "same e-mail address" in by_email.reasons
    [by_domain] = account_matches(user=alice, name="Other", website="https://nordlys.example")
    assert by_domain.reasons == ("same web or e-mail domain",)


def test_accents_do_not_hide_a_duplicate_account(alice):
    AccountFactory(owner_user=alice, name="Østergaard Advokater")
    [match] = account_matches(user=alice, name="Ostergaard advokater ApS")
    assert match.score == 100


def test_different_accounts_do_not_match(alice):
    AccountFactory(owner_user=alice, name="Acme Inc.", phone="33881100", email="a@acme.example")
    assert account_matches(user=alice, name="Acne Industries", phone="33881101") == []
    assert account_matches(user=alice, name="Nordlys", email="a@gmail.com") == []
    assert account_matches(user=alice) == []


def test_an_unparsable_phone_neither_matches_nor_fails(alice):
    AccountFactory(owner_user=alice, name="Acme", phone="ask reception")
    assert account_matches(user=alice, name="Zeta", phone="ask reception") == []


def test_another_teams_accounts_are_never_offered(alice, carol):
    AccountFactory(owner_user=carol, name="Acme Inc.")
    assert account_matches(user=alice, name="Acme Inc.") == []


def test_the_record_being_edited_is_excluded(alice):
    acme = AccountFactory(owner_user=alice, name="Acme Inc.")
    assert account_matches(user=alice, name="Acme Inc.", exclude_pk=acme.pk) == []


def test_a_contact_matches_on_e_mail_or_either_phone(alice):
    anna = ContactFactory(
        owner_user=alice, first_name="Anna", last_name="Hansen", email="anna@nordlys.example",
        business_phone="+45 86 12 34 57", mobile_phone="20 30 40 50",
    )  # fmt: skip
    [by_email] = contact_matches(user=alice, last_name="X", email="Anna@Nordlys.example ")
    assert by_email.record == anna
    [by_mobile] = contact_matches(user=alice, last_name="X", phones=["+4520304050"])
    assert by_mobile.reasons == ("same phone number",)


def test_a_similar_name_matches_only_with_the_same_account_or_domain(alice):
    acme = AccountFactory(owner_user=alice, name="Acme")
    soren = ContactFactory(
        owner_user=alice, first_name="Søren", last_name="Østergård", account=acme,
        email="soren@acme.example",
    )  # fmt: skip
    [same_account] = contact_matches(
        user=alice, first_name="Soren", last_name="Ostergard", account=acme
    )
    assert same_account.record == soren
    [same_domain] = contact_matches(
        user=alice, first_name="soren", last_name="ostergaard", email="s.o@acme.example"
    )
    assert same_domain.record == soren
    assert contact_matches(user=alice, first_name="Søren", last_name="Østergård") == []
    assert (
        contact_matches(user=alice, first_name="Søren", last_name="Østergård", email="s@gmail.com")
        == []
    )


def test_a_different_person_at_the_same_account_does_not_match(alice):
    acme = AccountFactory(owner_user=alice, name="Acme")
    ContactFactory(owner_user=alice, first_name="Anna", last_name="Hansen", account=acme)
    assert contact_matches(user=alice, first_name="Peter", last_name="Larsen", account=acme) == []


def test_the_contact_check_is_one_query(alice, django_assert_num_queries):
    acme = AccountFactory(owner_user=alice, name="Acme")
    ContactFactory(owner_user=alice, first_name="Anna", last_name="Hansen", account=acme)
    alice.is_administrator  # noqa: B018 (cached: the scope check then adds no query)
    scope_of(alice)  # the user's teams, read once per request (visible_to)
    with django_assert_num_queries(1):  # candidates, with their account joined
        matches = contact_matches(user=alice, first_name="Anna", last_name="Hansen", account=acme)
        [str(match.record.account) for match in matches]


def test_a_typo_that_keeps_the_sound_still_matches(alice):
    fabrikam = AccountFactory(owner_user=alice, name="Fabrikam A/S")
    [match] = account_matches(user=alice, name="Fabricam A/S")
    assert match.record == fabrikam
    assert match.score >= 85


def test_another_word_order_still_matches(alice):
    acme = AccountFactory(owner_user=alice, name="Acme Nordic")
    [match] = account_matches(user=alice, name="Nordic Acme")
    assert match.record == acme
    assert match.score == 100


def test_any_word_of_the_name_finds_a_name_starting_with_it(alice):
    acme = AccountFactory(owner_user=alice, name="Acme Nordic Trading")
    [match] = account_matches(user=alice, name="Nordic Acme Trading ApS")
    assert match.record == acme


def test_sharing_one_word_is_not_a_duplicate(alice):
    AccountFactory(owner_user=alice, name="Nordic Trading")
    AccountFactory(owner_user=alice, name="Acme Holding")
    assert account_matches(user=alice, name="Acme Nordic") == []


def test_the_strongest_keys_win_when_candidates_overflow(alice, monkeypatch):
    """More name-word candidates than the cap: the same-sound account is still scored."""
    monkeypatch.setattr("accounts.duplicates.CANDIDATE_LIMIT", 3)
    fabrikam = AccountFactory(owner_user=alice, name="Fabrikam Nordic")
    for n in range(5):
        AccountFactory(owner_user=alice, name=f"Nordic Supplier {n}")  # newer, same word
    [match] = account_matches(user=alice, name="Nordic Fabricam")
    assert match.record == fabrikam


def test_the_account_check_is_one_query(alice, django_assert_num_queries):
    AccountFactory(owner_user=alice, name="Acme Nordic", phone="33881100")
    alice.is_administrator  # noqa: B018 (cached: the scope check then adds no query)
    scope_of(alice)  # the user's teams, read once per request (visible_to)
    with django_assert_num_queries(1):
        account_matches(user=alice, name="Nordic Acme", phone="33881100", email="a@acme.example")
