"""Mass SMS recipients (COMPAT §3.3) on the sample site, through the db mailing store.

Smart group 4 (cache 20, 25, 26; 26 Removed from it), parent group 5 (cache of its own
member 20 and children 6 and 7), prior mailings, Base groups, and civisms' own checks:
E.164, shared numbers, invalid numbers.
"""

from __future__ import annotations

import random
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import phonenumbers
import pytest

from civisms.civicrm import install, mailing_recipients
from civisms.civicrm.db import DbCiviCRM
from civisms.civicrm.mailing_model import MailingDraft, MailingGroups
from civisms.civicrm.mailing_recipients import HANDOFF, RecipientBuilder, _ShortTurns, lock_name
from civisms.civicrm.mailings import DbMailings, mailings_for
from civisms.numbers import NumberNormalizer, to_e164
from civisms.recipients import NumberChecker, check_numbers

if TYPE_CHECKING:
    from conftest import SiteDb


@pytest.fixture
def store(site: SiteDb):  # type: ignore[no-untyped-def]
    civicrm = DbCiviCRM(site.params)
    yield mailings_for(civicrm)
    civicrm.close()


def build(store: DbMailings, groups: MailingGroups, region: str | None = None,
          dedupe: bool = True) -> tuple[int, list[tuple[int, int | None]], dict[int, str]]:
    mid = store.create(MailingDraft("t", 1, "x", groups, body_text="hi", created_id=2))
    report = store.compute_recipients(mid, groups, region=region, dedupe_numbers=dedupe)
    rows = store.recipient_rows(mid)
    assert report.recipients == len(rows)
    return mid, rows, {s.contact_id: s.reason.value for s in report.skipped}


def test_observed_wizard_case(store: DbMailings) -> None:
    _, rows, skipped = build(store, MailingGroups(include_groups=(2,), exclude_groups=(3,)))
    assert rows == [(3, 1), (5, 4), (9, 8), (12, 12)]
    assert skipped == {4: "no_mobile", 6: "do_not_sms", 7: "deceased", 8: "opt_out",
                       10: "excluded"}


@pytest.mark.parametrize("deceased_index", [True, False])
def test_a_member_with_no_contact_row_is_not_found(site: SiteDb, store: DbMailings,
                                                  deceased_index: bool) -> None:
    # Only a site that once loaded data with foreign key checks off can have one. Without
    # index_is_deceased (a site may drop it) civisms asks the contact rows themselves.
    if not deceased_index:
        site.execute("ALTER TABLE civicrm_contact DROP INDEX index_is_deceased")
    site.execute("SET STATEMENT foreign_key_checks = 0 FOR INSERT INTO civicrm_group_contact "
                 "(group_id, contact_id, status) VALUES (2, 99999, 'Added')")
    _, rows, skipped = build(store, MailingGroups(include_groups=(2,), exclude_groups=(3,)))
    assert rows == [(3, 1), (5, 4), (9, 8), (12, 12)]
    assert skipped == {4: "no_mobile", 6: "do_not_sms", 7: "deceased", 8: "opt_out",
                       10: "excluded", 99999: "not_found"}


def test_smart_group_leaves_out_contacts_removed_from_it(store: DbMailings) -> None:
    _, rows, skipped = build(store, MailingGroups(include_groups=(4,)))
    assert rows == [(20, 20), (25, 25)]
    assert skipped == {}


def test_removed_from_one_smart_group_still_comes_through_another(site: SiteDb,
                                                                   store: DbMailings) -> None:
    site.execute("INSERT INTO civicrm_group_contact_cache (group_id, contact_id) VALUES (5, 26)")
    site.execute("UPDATE civicrm_phone SET phone = '+32 475 99 88 77' WHERE id = 26")  # own
    _, rows, _ = build(store, MailingGroups(include_groups=(4,)))
    assert 26 not in dict(rows)  # Removed from smart group 4
    _, rows, _ = build(store, MailingGroups(include_groups=(4, 5)), region="FR")
    assert dict(rows)[26] == 26  # group 5 names it and it was never Removed from 5


def test_parent_group_uses_the_cache_and_numbers_are_checked(store: DbMailings) -> None:
    _, rows, skipped = build(store, MailingGroups(include_groups=(5,)), region="FR")
    assert rows == [(20, 20), (23, 23), (24, 24)]
    # 21/22 are UK drama-range numbers (invalid); 28 is "12"; 27 (trash) is not cached.
    assert skipped == {21: "invalid_number", 22: "invalid_number", 28: "invalid_number"}
    _, rows, skipped = build(store, MailingGroups(include_groups=(5,)))
    assert rows == [(20, 20)] and skipped[23] == "invalid_number"


def test_static_exclude_of_a_smart_group_and_base_groups(store: DbMailings) -> None:
    _, rows, skipped = build(store, MailingGroups(include_groups=(5,), exclude_groups=(4,)),
                             region="FR")
    assert (20, 20) not in rows and skipped[20] == "excluded"
    _, rows, skipped = build(store, MailingGroups(include_groups=(3,), base_groups=(2,)))
    assert rows == [(10, 10)] and skipped == {11: "excluded"}  # 11 Removed from base 2


def test_shared_numbers_are_texted_once_unless_asked(site: SiteDb, store: DbMailings) -> None:
    site.execute("INSERT INTO civicrm_group_contact (group_id, contact_id, status) "
                 "VALUES (8, 25, 'Added'), (8, 26, 'Added'), (8, 3, 'Added')")
    site.execute("UPDATE civicrm_phone SET phone = '+32475112233' WHERE id = 26")  # same number
    _, rows, skipped = build(store, MailingGroups(include_groups=(8,)))
    assert rows == [(3, 1), (25, 25)]
    assert skipped == {22: "invalid_number", 26: "duplicate_number"}
    _, rows, _ = build(store, MailingGroups(include_groups=(8,)), dedupe=False)
    assert rows == [(3, 1), (25, 25), (26, 26)]


def test_prior_mailings_include_without_criteria_and_exclude(site: SiteDb,
                                                            store: DbMailings) -> None:
    first, rows, _ = build(store, MailingGroups(include_groups=(2,), exclude_groups=(3,)))
    site.execute("UPDATE civicrm_contact SET do_not_sms = 1 WHERE id = 3")
    _, again, _ = build(store, MailingGroups(include_mailings=(first,)))
    assert again == rows  # criteria are applied at queue time, not here (CiviCRM)
    _, rows, skipped = build(store, MailingGroups(include_groups=(2,),
                                                  exclude_mailings=(first,)))
    assert [c for c, _ in rows] == [10]
    assert {c for c, r in skipped.items() if r == "excluded"} == {3, 5, 9, 12}


def test_no_include_means_no_recipients(store: DbMailings) -> None:
    mid, _, _ = build(store, MailingGroups(include_groups=(2,)))
    report = store.compute_recipients(mid, MailingGroups(exclude_groups=(3,)), region=None)
    assert report.recipients == 0 and store.recipient_rows(mid) == []


def test_primary_mobile_wins_and_landlines_never_count(site: SiteDb, store: DbMailings) -> None:
    site.execute("INSERT INTO civicrm_phone (id, contact_id, location_type_id, is_primary, "
                 "phone, phone_type_id) VALUES (40, 3, 2, 0, '+1 415 555 0188', 2)")
    _, rows, _ = build(store, MailingGroups(include_groups=(2,)))
    assert dict(rows)[3] == 1 and dict(rows)[5] == 4 and dict(rows)[10] == 10


def test_fast_normalizer_agrees_with_phonenumbers() -> None:
    rng = random.Random(7)
    numbers = ["+1 415-555-0101", "07700 900123", "06 23 45 67 89", "+44 (0)20 7946 0000",
               "12", "", "0041 44 668 1800", "+39 06 1234 5678", "tel: 555", "+1 800 FLOWERS"]
    for region in sorted(phonenumbers.SUPPORTED_REGIONS)[::7]:
        example = phonenumbers.example_number(region)
        if example is None:
            continue
        nsn = str(example.national_number)
        numbers += [phonenumbers.format_number(example, f) for f in range(4)]
        numbers += [f"+{example.country_code} {nsn[:-1]}{rng.randint(0, 9)}",
                    f"0{nsn}", f"{example.country_code}{nsn}"]
    for region in (None, "US", "GB", "FR", "BE", "DE", "IT"):
        fast = NumberNormalizer(region)
        assert [fast(n) for n in numbers] == [to_e164(n, region) for n in numbers], region


def test_check_numbers_reports_reasons() -> None:
    rows = [(1, 1, "+1 415-555-0101"), (2, 2, "+14155550101"), (3, 3, "12"), (4, None, None)]
    check = check_numbers(rows, region=None)
    assert check.kept == 1
    assert [(s.contact_id, s.reason.value) for s in check.skipped] == [
        (2, "duplicate_number"), (3, "invalid_number"), (4, "invalid_number")]
    assert "contact 1" in check.skipped[0].detail


def test_numbers_fed_in_any_order_leave_the_lowest_contact_its_number() -> None:
    rows = [(9, "+14155550101"), (4, "+1 415-555-0101"), (7, "12"), (2, "+1 (415) 555-0101")]
    checker = NumberChecker("US")
    checker.add(rows[:2])
    checker.add(rows[2:])
    check = checker.result()
    assert check.kept == 1
    assert [(s.contact_id, s.reason.value) for s in check.skipped] == [
        (4, "duplicate_number"), (7, "invalid_number"), (9, "duplicate_number")]
    assert all("contact 2's" in s.detail for s in check.skipped if s.contact_id != 7)


CASES = [
    MailingGroups(include_groups=(2,), exclude_groups=(3,)),
    MailingGroups(include_groups=(4,)),
    MailingGroups(include_groups=(5,), exclude_groups=(4,)),
    MailingGroups(include_groups=(3,), base_groups=(2,)),
    MailingGroups(include_groups=(2, 5, 8), exclude_groups=(3,)),
]


@pytest.mark.parametrize("ranges", [2, 3, 7])
def test_ranges_side_by_side_choose_the_same_recipients(store: DbMailings, ranges: int) -> None:
    mid = store.create(MailingDraft("t", 1, "x", CASES[0], body_text="hi", created_id=2))
    for groups in CASES:  # one mailing recomputed each time: stale rows go, new rows come
        one = RecipientBuilder(store.db, store.mobile_type(), ranges=1).build(
            mid, groups, region="FR")
        expected = sorted(store.recipient_rows(mid))
        many = RecipientBuilder(store.db, store.mobile_type(), ranges=ranges).build(
            mid, groups, region="FR")
        assert many.ranges == ranges
        assert sorted(store.recipient_rows(mid)) == expected and expected
        assert many.recipients == one.recipients == len(expected)
        assert [(s.contact_id, s.reason) for s in many.skipped] == [
            (s.contact_id, s.reason) for s in one.skipped]


def test_scanning_contacts_or_looking_up_candidates_choose_the_same(
        store: DbMailings, monkeypatch: pytest.MonkeyPatch) -> None:
    # Many candidates: the contacts are scanned; few: each candidate's contact is looked
    # up. Both orders must leave out the same contacts for the same reasons.
    mid = store.create(MailingDraft("t", 1, "x", CASES[0], body_text="hi", created_id=2))
    for groups in CASES:
        outcomes = []
        for share in (0.0, 1e9):  # always scan, never scan
            monkeypatch.setattr(mailing_recipients, "SCAN_SHARE", share)
            report = store.compute_recipients(mid, groups, region="FR")
            outcomes.append((sorted(store.recipient_rows(mid)), report.recipients,
                             [(s.contact_id, s.reason) for s in report.skipped]))
        assert outcomes[0] == outcomes[1] and outcomes[0][0]


@pytest.mark.parametrize("ranges", [1, 2])
def test_the_rules_never_wait_for_rows_someone_is_saving(site: SiteDb, store: DbMailings,
                                                         ranges: int) -> None:
    # Read as REPEATABLE READ, an INSERT ... SELECT share-locks every row it reads: a user
    # saving a contact would hold up the computation, and it them.
    first = store.create(MailingDraft("t", 1, "x", CASES[0], body_text="hi", created_id=2))
    store.compute_recipients(first, CASES[0], region=None)
    groups = MailingGroups(include_groups=(2,), include_mailings=(first,))
    second = store.create(MailingDraft("u", 1, "x", groups, body_text="hi", created_id=2))
    saving = install.connect(site.params)
    cur = saving.cursor()
    cur.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
    cur.execute("BEGIN")
    for table, where in (("civicrm_mailing_recipients", f"mailing_id = {first}"),
                         ("civicrm_contact", "id > 0"), ("civicrm_phone", "id > 0"),
                         ("civicrm_group_contact", "group_id = 2")):
        cur.execute(f"SELECT id FROM {table} WHERE {where} FOR UPDATE")
    pool = ThreadPoolExecutor(1)
    try:
        builder = RecipientBuilder(store.db, store.mobile_type(), ranges=ranges)
        future = pool.submit(builder.build, second, groups, region=None)
        try:
            report = future.result(timeout=20)  # the lock wait timeout is 50 s
        finally:
            saving.rollback()
            saving.close()
    finally:
        pool.shutdown()
    assert report.recipients == len(store.recipient_rows(second)) == 5


def test_two_computations_of_one_mailing_at_once_write_one_snapshot(site: SiteDb) -> None:
    stores = [mailings_for(DbCiviCRM(site.params)) for _ in range(2)]
    groups = MailingGroups(include_groups=(2, 5, 8))
    mid = stores[0].create(MailingDraft("t", 1, "x", groups, body_text="hi", created_id=2))
    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(
            lambda s: s.compute_recipients(mid, groups, region="FR"), stores))
    rows = stores[0].recipient_rows(mid)
    assert len(rows) == len({c for c, _ in rows}) == reports[0].recipients == reports[1].recipients


def test_recompute_drops_a_kept_row_whose_number_now_fails(store: DbMailings) -> None:
    groups = MailingGroups(include_groups=(5,))
    mid = store.create(MailingDraft("t", 1, "x", groups, body_text="hi", created_id=2))
    store.compute_recipients(mid, groups, region="FR")
    assert (23, 23) in store.recipient_rows(mid)
    report = store.compute_recipients(mid, groups, region=None)  # 23 is French national
    assert store.recipient_rows(mid) == [(20, 20)] and report.recipients == 1


def test_lock_names_fit_mariadb_and_never_collide() -> None:
    assert lock_name("civicrm", 7) == "civisms.recipients.civicrm.7"
    long_db = "civicrm_" + "x" * 56
    names = {lock_name(long_db, 1234567890), lock_name(long_db, 1234567891),
             lock_name(long_db + "y", 1234567890)}
    assert len(names) == 3 and all(len(n) <= 64 for n in names)


def test_overlapping_computations_put_the_switch_interval_back_once_all_end() -> None:
    turns, before = _ShortTurns(), sys.getswitchinterval()
    sys.setswitchinterval(0.004)
    try:
        turns.enter()
        turns.enter()  # a second computation starts while the first runs
        turns.leave()  # the first ends: the second still wants short turns
        assert sys.getswitchinterval() == pytest.approx(HANDOFF)
        turns.leave()
        assert sys.getswitchinterval() == pytest.approx(0.004)
    finally:
        sys.setswitchinterval(before)
