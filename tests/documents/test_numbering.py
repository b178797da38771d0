"""Register book numbering (Điều 15): per body and year, leading zero, no gaps, no reuse."""

import threading

import pytest
from django.db import connection, transaction

from approvals import services
from documents import numbering
from documents import services as documents
from documents.models import Document, DocumentType, Organization, RegisterCounter, Unit
from tests.conftest import ISSUE_DATE


@pytest.mark.parametrize(("number", "text"), [(1, "01"), (9, "09"), (10, "10"), (123, "123")])
def test_numbers_below_ten_get_a_leading_zero(number, text):
    assert numbering.format_number(number) == text


def new_signed(users, *, type_abbr="KH", subject="Văn bản thử", confidentiality=""):
    doc_type = (
        DocumentType.objects.get(abbreviation=type_abbr)
        if type_abbr
        else (DocumentType.objects.get(name="Công văn"))
    )
    document = documents.document_create(
        actor=users.chuyenvien,
        organization=Organization.objects.get(abbreviation="STTTT"),
        document_type=doc_type,
        subject=subject,
        confidentiality=confidentiality,
        recipients=[documents.RecipientSpec("Lưu: VT", [Unit.objects.get(abbreviation="VT")])],
    )
    services.document_submit(document=document, actor=users.chuyenvien, signer=users.phogiamdoc)
    services.document_decide(document=document, actor=users.phogiamdoc, decision="approve")
    document.refresh_from_db()
    return document


def issue(document, users, day):
    services.document_issue(document=document, actor=users.vanthu, issued_on=day)
    document.refresh_from_db()
    return document.notation


def test_one_shared_book_for_administrative_types_by_default(users):
    day = ISSUE_DATE
    assert issue(new_signed(users, type_abbr="KH"), users, day) == "01/KH-STTTT"
    assert issue(new_signed(users, type_abbr="BC"), users, day) == "02/BC-STTTT"
    assert issue(new_signed(users, type_abbr=None), users, day) == "03/STTTT-VP"


def test_one_book_per_type_when_the_head_of_the_body_decides_so(users):
    Organization.objects.filter(abbreviation="STTTT").update(
        numbering=Organization.Numbering.PER_TYPE
    )
    day = ISSUE_DATE
    assert issue(new_signed(users, type_abbr="KH"), users, day) == "01/KH-STTTT"
    assert issue(new_signed(users, type_abbr="BC"), users, day) == "01/BC-STTTT"
    assert issue(new_signed(users, type_abbr="KH"), users, day) == "02/KH-STTTT"
    assert issue(new_signed(users, type_abbr=None), users, day) == "01/STTTT-VP"


def test_secret_documents_have_their_own_sequence(users):
    day = ISSUE_DATE
    assert issue(new_signed(users), users, day) == "01/KH-STTTT"
    secret = new_signed(users, confidentiality=Document.Confidentiality.MAT)
    assert issue(secret, users, day) == "01/KH-STTTT"
    assert secret.register_key == numbering.CONFIDENTIAL_BOOK
    assert issue(new_signed(users), users, day) == "02/KH-STTTT"


def test_numbering_starts_again_at_01_on_1_january(users):
    assert issue(new_signed(users), users, ISSUE_DATE) == "01/KH-STTTT"
    assert issue(new_signed(users), users, ISSUE_DATE) == "02/KH-STTTT"
    organization = Organization.objects.get(abbreviation="STTTT")
    with transaction.atomic():
        next_year = numbering.take_next(
            organization=organization, key=numbering.SHARED_BOOK, year=ISSUE_DATE.year + 1
        )
        this_year = numbering.take_next(
            organization=organization, key=numbering.SHARED_BOOK, year=ISSUE_DATE.year
        )
    assert (next_year, this_year) == (1, 3)


def test_a_rolled_back_issuance_gives_its_number_back(demo):
    organization = Organization.objects.get(abbreviation="STTTT")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert numbering.take_next(organization=organization, key="HC", year=2020) == 1
        raise RuntimeError("issuance failed after numbering")
    with transaction.atomic():
        assert numbering.take_next(organization=organization, key="HC", year=2020) == 1


@pytest.mark.django_db(transaction=True)
def test_taking_a_number_outside_a_transaction_is_refused():
    from django.core.management import call_command

    call_command("loaddata", "document_types", "organisation", verbosity=0)
    organization = Organization.objects.get(abbreviation="STTTT")
    with pytest.raises(RuntimeError):
        numbering.take_next(organization=organization, key="HC", year=2020)
    assert not RegisterCounter.objects.exists()


requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)


def run_concurrently(*targets):
    """Run each target in its own thread, hence its own database connection."""
    errors, results = [], [None] * len(targets)
    barrier = threading.Barrier(len(targets))

    def worker(i, target):
        try:
            barrier.wait(timeout=10)
            results[i] = target()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.postgres
@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_connections_taking_numbers_at_once_never_share_one():
    from django.core.management import call_command

    call_command("loaddata", "document_types", "organisation", verbosity=0)
    organization = Organization.objects.get(abbreviation="STTTT")
    backends = []

    def take():
        with transaction.atomic():
            number = numbering.take_next(organization=organization, key="HC", year=2020)
            backends.append(connection.connection.info.backend_pid)
            threading.Event().wait(0.3)  # hold the row lock while the other waits
            return number

    for _ in range(3):
        numbers = run_concurrently(take, take, take, take)
        assert len(set(numbers)) == 4
    assert len(set(backends)) >= 2  # really several PostgreSQL sessions
    taken = sorted(numbers)
    assert taken == [9, 10, 11, 12]
    assert RegisterCounter.objects.get(key="HC", year=2020).last_number == 12


@pytest.mark.postgres
@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_issuing_at_the_same_moment_get_consecutive_numbers(django_user_model):
    from django.core.management import call_command

    call_command("loaddata", "document_types", "organisation", "demo_documents", verbosity=0)

    class Users(dict):
        __getattr__ = dict.__getitem__

    users = Users({u.username: u for u in django_user_model.objects.all()})
    first, second = new_signed(users, subject="Một"), new_signed(users, subject="Hai")
    day = ISSUE_DATE
    run_concurrently(lambda: issue(first, users, day), lambda: issue(second, users, day))
    notations = sorted(
        Document.objects.filter(pk__in=[first.pk, second.pk]).values_list("notation", flat=True)
    )
    assert notations == ["01/KH-STTTT", "02/KH-STTTT"]
