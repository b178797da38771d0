"""Every URL × every demo role and anonymous × documents in every state × GET and POST.

The URL list comes from ``get_resolver()``: a new URL without an entry here fails the test
(``test_every_url_is_in_the_matrix``). Each request's status is compared with the rule, written
here from the README's "who sees what" and the workflow (never by calling the code under
test), and every refused POST is checked to have changed no row of any table. POSTs carry the
data that would perform the step (approve, issue, acknowledge, hand over…), so a refusal is
tested against a request that would succeed for the right person; each POST runs in a
savepoint that is rolled back, so the data stays the same for the next request.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from pypdf import PdfWriter

from approvals import services
from documents import services as documents
from documents.models import Assignment, Document, DocumentType, Receipt
from tests.conftest import ISSUE_DATE

ROLES = [
    "chuyenvien",
    "chanhvanphong",
    "phogiamdoc",
    "giamdoc",
    "vanthu",
    "ttbcxb",
    "bcvtcntt",
    "trungtam",
    "congan",
    "bantatgt",
    "ubndtinh",
    "quantri",
    "anonymous",
]
DRAFTERS = {"chuyenvien", "chanhvanphong", "ttbcxb", "bcvtcntt", "trungtam"}
NAMED = {"chuyenvien", "phogiamdoc"}  # the drafter and the leader it was submitted to
RECIPIENTS = {"congan", "chanhvanphong", "chuyenvien", "ttbcxb", "bcvtcntt", "trungtam", "vanthu"}
STATES = ["draft", "submitted", "returned", "rejected", "signed", "issued", "archived"]
# Who sees a document in each state (README, "Who sees what").
SEES = {
    "draft": {"chuyenvien"},
    "submitted": NAMED,
    "returned": NAMED,
    "rejected": NAMED,
    "signed": NAMED | {"vanthu"},
    "issued": NAMED | RECIPIENTS | {"giamdoc"},
    "archived": NAMED | RECIPIENTS | {"giamdoc"},
}
# Who may take the step on a document in each state.
ACTS = {
    "document_edit": {"draft": {"chuyenvien"}, "returned": {"chuyenvien"}},
    "document_submit": {"draft": {"chuyenvien"}, "returned": {"chuyenvien"}},
    "document_sign_off": {"submitted": {"phogiamdoc"}},
    "document_issue": {"signed": {"vanthu"}},
}
# Receipts: (document state, unit) → members, the person it was given to, the unit's head.
RECEIPTS = {
    ("issued", "CA"): ({"congan"}, "congan", None),
    ("issued", "VP"): ({"chuyenvien", "chanhvanphong"}, "chanhvanphong", "chanhvanphong"),
    ("archived", "VP"): ({"chuyenvien", "chanhvanphong"}, None, None),
}
# Pages any signed-in person may open (the lists show only what they may see).
OPEN_PAGES = {
    "index",
    "document_list",
    "receipt_list",
    "notification_list",
    "work_list",
    "signature_verify",
    "process_list",
    "task_list",
    "inbox",
    "queue",
    "archive",
    "chart",
    "password_change",
    "password_change_done",
}
# Pages without a login (viewflow's AuthViewset, Django's i18n views, the health check).
PUBLIC = {
    "healthz",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "javascript-catalog",
}
# Search (records, issue 17): the page and its exports list only what the person sees (GET
# only); saving a search needs a name (an empty POST: 422); nobody's saved search: 404.
OPEN_PAGES |= {"search", "search_xlsx", "search_pdf"}
SAVED_SEARCH_URLS = {"saved_search_create", "saved_search_delete"}
DOCUMENT_URLS = {
    "document_detail",
    "document_edit",
    "document_submit",
    "document_sign_off",
    "document_issue",
    "document_pdf",
    "document_docx",
    "attachment_download",
    "process_detail",
    "process_chart",
    "document_original_retry",
    "document_device_signature",
    "document_print",  # records: a printed copy, for whoever sees the document
    "document_recall",  # records: the signer or the văn thư recalls an issued document
}
RECEIPT_URLS = {"receipt_detail", "receipt_hand_over", "receipt_confirm_recall"}
# Recall (records, issue 17): the signer, or the văn thư on their instruction, of an issued or
# archived document (an empty POST: 422, no reason); a recipient confirms a recalled one only
# (POST only; none of these is recalled: 403). tests/records/test_recall_views.py walks them.
RECALLERS = {"phogiamdoc", "vanthu"}
# The follow-up dashboard, its XLSX export and its printable page: the members of the agency's
# own units, its leaders among them; the văn thư, outside units and the administrator follow
# nothing up (403). GET only.
FOLLOWUP_PAGES = {"followup_dashboard", "followup_xlsx", "followup_print"}
FOLLOWS_UP = {
    "chuyenvien",
    "chanhvanphong",
    "phogiamdoc",
    "giamdoc",
    "ttbcxb",
    "bcvtcntt",
    "trungtam",
}
# An assignment's page and its review (POST only). The world's only assignments are the seed
# plan's, planned (its draft is not issued): nobody sees them. tests/followup/test_workflow.py
# walks who sees and reviews an active one.
ASSIGNMENT_URLS = {"assignment_detail", "assignment_review"}
# Case files (records, issue 17): the list for the year, for anyone signed in (it shows only
# what the person sees); adding one: the văn thư and the leaders (an empty POST: 422); filing
# (POST only, an empty POST: 422). The world has no case file: every case file URL is 404,
# 405 for the wrong method. tests/records/test_casefiles.py walks the rules on real ones.
OPEN_PAGES |= {"casefile_list"}
CASEFILE_KEEPERS = {"vanthu", "giamdoc", "phogiamdoc"}
CASEFILE_POST_ONLY = {"casefile_file", "casefile_unfile", "casefile_close", "casefile_transfer"}
CASEFILE_URLS = CASEFILE_POST_ONLY | {
    "casefile_create",
    "casefile_detail",
    "casefile_edit",
    "casefile_toc_pdf",
    "casefile_cover_pdf",
    "casefile_package",
}
# Tables a request may write without changing the records: the session of the person making
# it, and django-axes' log of login attempts.
SKIPPED_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}
# Incoming documents (records, issue 17): the list for anyone signed in, reception for the
# văn thư; the matrix's world holds no incoming document, so a page, the phiếu and every step
# (POST only) answer 404. tests/records/test_incoming_http.py walks the roles on real ones.
INCOMING_PAGES = {"incoming_detail", "incoming_slip"}
INCOMING_STEPS = {
    "incoming_present",
    "incoming_send_back",
    "incoming_instruct",
    "incoming_give",
    "incoming_propose",
    "incoming_complete",
}
OPEN_PAGES |= {"incoming_list"}
# The registers (records, issue 17): the agency's văn thư and its leaders, GET only; the
# matrix opens the ordinary outgoing book of the year ("HC"). tests/records/
# test_registers_http.py walks the confidential books (the văn thư's alone).
REGISTER_URLS = {"register_index", "register_detail", "register_xlsx", "register_pdf"}
REGISTER_READERS = {"vanthu", "giamdoc", "phogiamdoc"}


@dataclass(frozen=True)
class Case:
    name: str  # the URL's name, "admin:…" for the admin
    path: str
    role: str
    state: str  # a document state, "VP@issued" for a receipt, "-" for a global URL


def url_patterns(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    """Every (route, name) the site answers, the admin's included."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}{pattern.name or route}"


def fill(route: str, values: dict[str, str]) -> str:
    """A concrete path for a route: <converter:name> and (?P<name>…) groups filled in."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def small_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_document(users, seed_plan, state: str) -> Document:
    """A copy of the seed plan, with an attachment, taken to the state through the services."""
    document = documents.document_create(
        actor=users.chuyenvien,
        organization=seed_plan.organization,
        document_type=seed_plan.document_type,
        subject=f"{seed_plan.subject} ({state})",
        body=seed_plan.body,
        recipients=[
            documents.RecipientSpec(line.text, list(line.units.all()))
            for line in seed_plan.recipient_lines.all()
        ],
    )
    upload = SimpleUploadedFile("phu-luc.pdf", small_pdf(), content_type="application/pdf")
    documents.attachment_add(document=document, actor=users.chuyenvien, upload=upload)
    if state == "draft":
        return document
    services.document_submit(document=document, actor=users.chuyenvien, signer=users.phogiamdoc)
    if state in ("returned", "rejected"):
        decision = "return" if state == "returned" else "reject"
        services.document_decide(
            document=document, actor=users.phogiamdoc, decision=decision, comment="Lý do."
        )
    elif state != "submitted":
        services.document_decide(document=document, actor=users.phogiamdoc, decision="approve")
    if state in ("issued", "archived"):
        services.document_issue(document=document, actor=users.vanthu, issued_on=ISSUE_DATE)
    if state == "archived":
        for receipt in document.receipts.all():
            services.receipt_acknowledge(receipt=receipt, actor=receipt.assignee)
    document.refresh_from_db()
    assert document.status == state
    return document


# The records a refused request must leave alone (auth_user holds the passwords).
WATCHED = (
    "documents.Document",
    "documents.HistoricalDocument",
    "documents.Receipt",
    "documents.HistoricalReceipt",
    "documents.Event",
    "documents.Attachment",
    "documents.RecipientLine",
    "documents.Rendition",
    "documents.RegisterCounter",
    "documents.Unit",
    "documents.Profile",
    "documents.DocumentType",
    "documents.Organization",
    "approvals.DocumentProcess",
    "approvals.Notification",
    "viewflow.Task",
    "guardian.UserObjectPermission",
    "guardian.GroupObjectPermission",
    "auth.User",
    "auth.Group",
)
WATCHED_TABLES = [apps.get_model(label)._meta.db_table for label in WATCHED] + [
    apps.get_model("auth.User").groups.through._meta.db_table,
    Document.cites.through._meta.db_table,
    apps.get_model("documents.RecipientLine").units.through._meta.db_table,
]


def fingerprint() -> list[int]:
    """A digest of every row of the watched tables (raw SQL: this runs thousands of times)."""
    digests = []
    with connection.cursor() as cursor:
        for table in WATCHED_TABLES:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")  # noqa: S608
            digests.append(hash(repr(cursor.fetchall())))
    return digests


def expected(case: Case, method: str, receipt_key=None) -> set[int]:
    """The statuses the rule allows for this request."""
    name = case.name.split(":")[-1]
    role, state = case.role, case.state
    if case.name.startswith("admin:"):
        if name == "login":
            return {200, 302}
        if role != "quantri":
            return {302}  # to the admin's login page
        return {200, 302, 403, 404, 405}
    if name in PUBLIC:
        if name == "logout":
            return {302, 405} if method == "GET" else {200, 302}
        if name == "password_reset_confirm":
            return {200}
        if name == "healthz":
            return {200} if method == "GET" else {405}
        return {200, 302, 405}
    if role == "anonymous":
        return {302}
    if name in OPEN_PAGES:
        if method == "POST":
            return {200, 302, 405, 422}
        return {200} if case.path == "/documents/" or name != "index" else {302}
    if name == "document_create":
        if role not in DRAFTERS or role == "quantri":
            return {403}
        return {200} if method == "GET" else {422}
    if name in SAVED_SEARCH_URLS:
        if method == "GET":
            return {405}
        return {422} if name == "saved_search_create" else {404}
    if name == "incoming_create":
        if role != "vanthu":
            return {403}
        return {200} if method == "GET" else {422}
    if name in INCOMING_PAGES:
        return {405} if method == "POST" else {404}
    if name in INCOMING_STEPS:
        return {405} if method == "GET" else {404}
    if name in DOCUMENT_URLS:
        return expected_document(name, method, role, state)
    if name in RECEIPT_URLS:
        return expected_receipt(name, method, role, receipt_key)
    if name in CASEFILE_URLS:
        return expected_casefile(name, method, role)
    if name in ASSIGNMENT_URLS:
        if name == "assignment_review" and method == "GET":
            return {405}
        if name == "assignment_detail" and method == "POST":
            return {405}
        return {404}
    if name in REGISTER_URLS:
        if role not in REGISTER_READERS:
            return {403}
        return {200} if method == "GET" else {405}
    if name in FOLLOWUP_PAGES:
        if role not in FOLLOWS_UP:
            return {403}
        return {200} if method == "GET" else {405}
    raise AssertionError(f"no rule for {case.name}")


def expected_casefile(name: str, method: str, role: str) -> set[int]:
    if name == "casefile_create":
        if role not in CASEFILE_KEEPERS:
            return {403}
        return {200} if method == "GET" else {422}
    if name in CASEFILE_POST_ONLY:
        if method == "GET":
            return {405}
        return {422} if name == "casefile_file" else {404}
    if method == "POST" and name != "casefile_edit":
        return {405}
    return {404}


def expected_document(name: str, method: str, role: str, state: str) -> set[int]:
    visible = role in SEES[state]
    if name == "process_detail":
        return {302} if visible else {404}  # a redirect to the document's page
    if name == "process_chart":
        return {405} if method == "POST" else ({200} if visible else {404})
    if name in (
        "document_detail",
        "document_pdf",
        "document_docx",
        "attachment_download",
        "document_print",
    ):
        if method == "POST":
            return {405}
        return {200} if visible else {404}
    if name == "document_device_signature":
        # The signer's device signature (mode client): these documents are signed with the
        # demo files, so nothing waits for a device: 409 for their signer, 403 for the others.
        return {403, 409} if visible else {404}
    if name == "document_recall":
        if not visible:
            return {404}
        if state not in ("issued", "archived") or role not in RECALLERS:
            return {403}
        return {200} if method == "GET" else {422}
    if name == "document_original_retry":
        # POST only; every original of these documents was made: nothing to ask again.
        if method == "GET":
            return {405}
        return {403} if visible else {404}
    if not visible:
        return {404}
    if role not in ACTS[name].get(state, set()):
        return {403}
    return {200} if method == "GET" else {302}


def expected_receipt(name: str, method: str, role: str, key) -> set[int]:
    members, assignee, head = RECEIPTS[key]
    if role not in members:
        return {404}
    if name == "receipt_confirm_recall":
        return {405} if method == "GET" else {403}
    if name == "receipt_hand_over":
        if method == "GET":
            return {405}
        return {302} if role == head else {403}
    if method == "GET":
        return {200}
    return {302} if role == assignee else {403}


@pytest.fixture
def world(seed_plan, users):
    """One document in each state, its process, and receipts to act on."""
    docs = {state: make_document(users, seed_plan, state) for state in STATES}
    receipts = {
        key: Receipt.objects.get(document=docs[key[0]], unit__abbreviation=key[1])
        for key in RECEIPTS
    }
    return docs, receipts


def post_data(name: str, users) -> dict:
    """What a POST of this URL carries: the data that performs the step."""
    plan_type = DocumentType.objects.get(abbreviation="KH")
    return {
        "document_submit": {"signer": users.phogiamdoc.pk},
        "document_sign_off": {"decision": "approve", "comment": ""},
        "document_issue": {"confirm": "on"},
        "receipt_detail": {"confirm": "on"},
        "receipt_hand_over": {"assignee": users.chuyenvien.pk},
        "document_edit": {
            "document_type": plan_type.pk,
            "subject": "Trích yếu đã sửa",
            "body": "Nội dung đã sửa.",
            "recipients-TOTAL_FORMS": "1",
            "recipients-0-text": "Công an tỉnh",
            "recipients-INITIAL_FORMS": "0",
            "recipients-MIN_NUM_FORMS": "0",
            "recipients-MAX_NUM_FORMS": "1000",
        },
    }.get(name.split(":")[-1], {})


def cases(docs, receipts, users):
    """Every URL of the site × role × state."""
    seen_names = set()
    for route, name in url_patterns():
        seen_names.add(name)
        short = name.split(":")[-1]
        for role in ROLES:
            if short in DOCUMENT_URLS:
                for state, document in docs.items():
                    process = document.processes.first()
                    if short.startswith("process_") and process is None:
                        continue
                    values = {
                        "pk": str(
                            document.attachments.get().pk
                            if short == "attachment_download"
                            else document.pk
                        ),
                        "process_pk": str(process.pk if process else 0),
                    }
                    yield Case(name, fill(route, values), role, state), None
            elif short in RECEIPT_URLS:
                for key, receipt in receipts.items():
                    path = fill(route, {"pk": str(receipt.pk)})
                    yield Case(name, path, role, f"{key[1]}@{key[0]}"), key
            else:
                values = admin_values(users)
                yield Case(name, fill(route, values), role, "-"), None


def admin_values(users) -> dict[str, str]:
    """Ids for the admin's object URLs: an existing object where one is needed."""
    return {
        "app_label": "documents",
        "object_id": str(users.congan.pk),
        "content_type_id": "1",
        "history_id": "1",
        "id": str(users.congan.pk),
        "uidb64": "MQ",
        "token": "set-password",
        "url": "x",
        "section": "du-thao",  # work_list: one kind of the person's work
        "kind": "di",  # the registers: the outgoing book "HC" of the year
        "book": "HC",
        "year": str(ISSUE_DATE.year),
        "pk": str(Assignment.objects.order_by("pk").values_list("pk", flat=True).first()),
    }


def client_for(users, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(users[role])
    return client


STEP_URLS = set(ACTS) | RECEIPT_URLS


def may_change(case: Case, status: int) -> bool:
    """Only the right person's step changes records (its redirect says it was done)."""
    return case.name.split(":")[-1] in STEP_URLS and status == 302 and case.role != "anonymous"


def test_url_role_state_matrix(world, users, capsys):
    docs, receipts = world
    clients = {role: client_for(users, role) for role in ROLES}
    failures, sizes, checked = [], Counter(), 0
    for case, receipt_key in cases(docs, receipts, users):
        client = clients[case.role]
        for method in ("GET", "POST"):
            sizes[method] += 1
            allowed = expected(case, method, receipt_key)
            changed = False
            if method == "GET":
                status = client.get(case.path).status_code
            else:
                with transaction.atomic():
                    before = fingerprint()
                    status = client.post(case.path, post_data(case.name, users)).status_code
                    if not may_change(case, status):
                        checked += 1
                        changed = fingerprint() != before
                    transaction.set_rollback(True)
                if case.role != "anonymous" and not client.cookies["sessionid"].value:
                    client.force_login(users[case.role])  # the POST was a logout
            if status >= 500 or status not in allowed or changed:
                failures.append((case, method, status, sorted(allowed), changed))
    names = {case.name for case, _ in cases(docs, receipts, users)}
    with capsys.disabled():
        print(
            f"\nURL matrix: {len(names)} URL patterns × {len(ROLES)} roles (12 demo users and "
            f"anonymous) × {len(STATES)} document states and 3 receipts × GET and POST = "
            f"{sizes['GET'] + sizes['POST']} requests; {checked} checked to change no row"
        )
    assert not failures, "\n".join(map(str, failures[:40]))


def test_every_url_is_in_the_matrix(demo):
    """A new URL has to be given a rule here before it can land."""
    ruled = (
        OPEN_PAGES
        | PUBLIC
        | DOCUMENT_URLS
        | RECEIPT_URLS
        | REGISTER_URLS
        | FOLLOWUP_PAGES
        | ASSIGNMENT_URLS
        | CASEFILE_URLS
        | INCOMING_PAGES
        | INCOMING_STEPS
        | {"incoming_create"}
        | SAVED_SEARCH_URLS
        | {"document_create", "index"}
    )
    missing = [
        name
        for _route, name in url_patterns()
        if not name.startswith("admin:") and name.split(":")[-1] not in ruled
    ]
    assert not missing
