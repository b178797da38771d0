"""Bad input gets 400, 404 or a form error, never a 500, and a refused POST changes nothing.

Property-based (hypothesis): malformed values (huge, negative and long integers, NUL bytes,
any unicode, empty and very long strings, several values for one name) thrown at every integer
in a URL (every pattern with an int converter, found by walking the resolver, so a new URL
cannot slip past), at every query parameter of the pages (our filters, viewflow's list
parameters, the admin's filters as the admin itself declares them) and at every field of every
form a demo user is shown (read from the pages' HTML), GET and POST, as several demo users.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from viewflow.workflow.models import Process, Task

from approvals import services as workflow
from approvals.ui.forms import DocumentFilter
from documents import services as documents
from documents.models import Attachment, Document, Event, Receipt, RecipientLine, Unit
from documents.services import RecipientSpec

USERS = ["chuyenvien", "phogiamdoc", "vanthu", "congan", "chanhvanphong", "quantri"]
FUZZ = settings(
    deadline=None,
    database=None,  # no example database in the shared working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
INPUTS: Counter[str] = Counter()  # requests made with fuzzed input, by test
CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


# --- the URLs, from the resolver -------------------------------------------------------------


def routes() -> list[tuple[str, dict]]:
    """Every URL pattern as (route, converters), converters of enclosing resolvers included."""
    found: list[tuple[str, dict]] = []

    def walk(resolver: URLResolver, prefix: str, converters: dict) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern).lstrip("^").rstrip("$")
            merged = {**converters, **getattr(entry.pattern, "converters", {})}
            if isinstance(entry, URLResolver):
                walk(entry, route, merged)
            elif isinstance(entry, URLPattern):
                found.append((route, merged))

    walk(get_resolver(), "", {})
    return found


INT_ROUTES = sorted(
    {r for r, c in routes() if any(isinstance(v, IntConverter) for v in c.values())}
)
STATIC_ROUTES = sorted({r for r, c in routes() if not c and "\\" not in r and "(" not in r})


def fill(route: str, value: str, others: str = "x") -> str:
    """The route with every int converter replaced by `value` and any other by `others`."""
    return "/" + CONVERTER.sub(lambda m: value if m.group("kind") == "int" else others, route)


# --- malformed values -----------------------------------------------------------------------

url_integers = st.one_of(
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=2**31 - 2, max_value=2**31 + 2),
    st.integers(min_value=2**63 - 2, max_value=2**64 + 2),
    st.integers(min_value=2**64, max_value=10**40),
    st.integers(min_value=0, max_value=40).map(lambda n: f"000{n}"),
    st.integers(min_value=4000, max_value=6000).map(lambda n: "9" * n),  # beyond int()'s limit
).map(str)
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)  # HTTP carries no surrogates
malformed = st.one_of(
    url_integers,
    st.integers(max_value=-1).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-0",
            "1e400",
            "nan",
            "inf",
            "12.5",
            "0x10",
            " 7 ",
            "１２",
            "2020",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775809",
            "true",
            "[]",
        ]
    ),
    text,
    text.map(lambda s: f"{s}\x00{s}"),
    st.integers(min_value=1000, max_value=30_000).map(lambda n: "a" * n),
    st.integers(min_value=1000, max_value=20_000).map(lambda n: "Đ\u0301" * n),
)
values = st.one_of(malformed.map(lambda v: [v]), st.lists(malformed, min_size=2, max_size=4))


# --- state ----------------------------------------------------------------------------------


def counts() -> dict[str, int]:
    models = [Document, Event, Receipt, RecipientLine, Attachment, Task]
    return {model.__name__: model.objects.count() for model in models}


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def send(client: Client, method: str, url: str, data: dict, test: str):
    """One request inside a savepoint rolled back afterwards (every example starts from the
    same state); the response must not be a server error, and a refused POST changes nothing."""
    INPUTS[test] += 1
    with transaction.atomic():
        before = counts()
        response = client.get(url, data) if method == "get" else client.post(url, data)
        assert response.status_code < 500, (method, url, data, response.status_code)
        if method == "post" and response.status_code != 302:
            assert counts() == before, (url, data, response.status_code)
        transaction.set_rollback(True)
    return response


@pytest.fixture(scope="module", autouse=True)
def report_inputs(request):
    yield
    total = sum(INPUTS.values())
    detail = ", ".join(f"{name} {n}" for name, n in sorted(INPUTS.items()))
    line = f"\ntests/test_bad_input.py: {total} fuzzed inputs tried ({detail})"
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(line)


@pytest.fixture
def stages(users, seed_plan):
    """The seed plan issued (receipts, tasks, a process), a second plan submitted to the Phó
    Giám đốc and a third left as a draft, so that every kind of page has rows to show."""
    workflow.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    workflow.document_decide(document=seed_plan, actor=users.phogiamdoc, decision="approve")
    workflow.document_issue(document=seed_plan, actor=users.vanthu)
    for subject in ("Kế hoạch trình ký", "Kế hoạch dự thảo"):
        documents.document_create(
            actor=users.chuyenvien,
            organization=users.chuyenvien.profile.unit.organization,
            document_type=seed_plan.document_type,
            subject=subject,
            recipients=[
                RecipientSpec("Công an tỉnh", list(Unit.objects.filter(abbreviation="CA")))
            ],
        )
    submitted = Document.objects.get(subject="Kế hoạch trình ký")
    workflow.document_submit(document=submitted, actor=users.chuyenvien, signer=users.phogiamdoc)
    return seed_plan


def real_ids() -> list[str]:
    ids = set()
    for model in (Document, Receipt, Attachment, Process, Task):
        ids.update(model.objects.values_list("pk", flat=True))
    return sorted(str(pk) for pk in ids)


# --- integers in URLs -----------------------------------------------------------------------


def test_the_walk_finds_our_viewflows_and_every_int_route():
    assert "documents/van-ban/<int:pk>/" in INT_ROUTES
    assert "document/<int:process_pk>/" in INT_ROUTES
    assert "documents/van-ban/" in STATIC_ROUTES
    for route in INT_ROUTES:
        assert resolve(fill(route, "7")).route == route, route


@pytest.mark.parametrize("username", ["chuyenvien", "quantri"])
def test_an_integer_beyond_64_bits_in_any_url_is_404(username, users, stages):
    client = client_for(users[username])
    before = counts()
    answers = {}
    for route in INT_ROUTES:
        for value in (str(2**63), str(10**25), "99999999999999999999", "9" * 5000):
            for method in ("get", "post"):
                INPUTS["url-limits"] += 1
                response = getattr(client, method)(fill(route, value))
                answers[(route, value[:25], method)] = response.status_code
    assert {key: status for key, status in answers.items() if status != 404} == {}
    assert counts() == before


def test_an_admin_object_id_beyond_64_bits_is_not_found(users, demo):
    client = client_for(users.quantri)
    for model in ("auth/user", "documents/unit", "documents/profile"):
        INPUTS["url-limits"] += 1
        url = f"/admin/{model}/99999999999999999999/change/"
        response = client.get(url)
        assert response.status_code in (302, 404), url  # the admin: "does not exist"


@settings(FUZZ, max_examples=300)
@given(data=st.data())
def test_fuzzed_integers_in_urls(stages, users, data):
    route = data.draw(st.sampled_from(INT_ROUTES), label="route")
    value = data.draw(st.one_of(st.sampled_from(real_ids()), url_integers), label="value")
    user = users[data.draw(st.sampled_from(USERS), label="user")]
    method = data.draw(st.sampled_from(["get", "post"]), label="method")
    send(client_for(user), method, fill(route, value), {}, "urls")


# --- query parameters -----------------------------------------------------------------------


def admin_parameters(administrator) -> set[str]:
    """What every admin changelist reads: its filters' own parameters, search, ordering."""
    names = {"q", "o", "p", "all", "e", "_to_field", "_popup"}
    factory = RequestFactory()
    for model_admin in admin.site._registry.values():
        if not model_admin.has_view_permission(_request(factory, administrator)):
            continue
        request = _request(factory, administrator)
        changelist = model_admin.get_changelist_instance(request)
        for spec in changelist.filter_specs:
            names.update(spec.expected_parameters())
        if changelist.date_hierarchy:
            field = changelist.date_hierarchy
            names.update(f"{field}__{part}" for part in ("year", "month", "day"))
    return names


def list_parameters() -> set[str]:
    """Our document list's filters and viewflow's list parameters (search, order, page)."""
    form = DocumentFilter(data={}, queryset=Document.objects.none()).form
    return {*form.fields, "_search", "_orderby", "page", "format"}


def _request(factory: RequestFactory, user):
    request = factory.get("/")
    request.user = user
    return request


@pytest.fixture
def parameter_names(users) -> list[str]:
    names = sorted(admin_parameters(users.quantri) | list_parameters())
    assert {"year", "document_type", "_search", "q", "is_active__exact"} <= set(names)
    return names


def query(names: list[str]):
    keys = st.one_of(st.sampled_from(names), text, text.map(lambda s: s + "\x00"))
    return st.dictionaries(keys, values, min_size=1, max_size=4)


@settings(FUZZ, max_examples=400)
@given(data=st.data())
def test_fuzzed_query_parameters(stages, users, parameter_names, data):
    route = data.draw(st.sampled_from(STATIC_ROUTES), label="route")
    if data.draw(st.booleans(), label="a page with an id"):
        route = fill(data.draw(st.sampled_from(INT_ROUTES)), str(stages.pk))[1:]
    params = data.draw(query(parameter_names), label="params")
    user = users[data.draw(st.sampled_from(USERS), label="user")]
    send(client_for(user), "get", "/" + route, params, "query")


def test_the_year_filter_refuses_out_of_range_years_as_a_form_error(users, demo):
    client = client_for(users.chuyenvien)
    for year, valid in [
        ("2020", True),
        ("-1", False),
        ("0", False),
        ("1e400", False),
        ("99999999999999999999", False),
        ("2020.5", False),
    ]:
        INPUTS["query"] += 1
        response = client.get("/documents/van-ban/", {"year": year})
        assert response.status_code == 200, year
        assert response.context["view"].filterset.form.is_valid() is valid, year


# --- form fields ----------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The POST forms of a page: each as its action and its fields with the values the page
    fills in."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.actions: list[str] = []
        self.forms: list[dict[str, list[str]]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.actions.append(urljoin(self.url, a.get("action") or self.url))
            self.forms.append({})
        if not self.forms or not a.get("name"):
            return
        fields = self.forms[-1]
        if tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                fields.setdefault(a["name"], []).append(a.get("value") or "")
            else:
                fields.setdefault(a["name"], [])
        elif tag == "select":
            self._select = a["name"]
            fields.setdefault(a["name"], [])
        elif tag == "textarea":
            self._textarea = a["name"]
            fields.setdefault(a["name"], [])
        elif (
            tag == "option"
            and self._select
            and (a.get("value") or "")
            and (not fields[self._select] or "selected" in a)
        ):
            fields[self._select] = [a["value"]]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][self._textarea] = [data.strip()]


# Which rows the ids of a route name, so that discovery opens real pages; any other int route
# is tried with every id.
ROUTE_MODELS = {
    "documents/van-ban/": Document,
    "documents/phieu-nhan/": Receipt,
    "documents/tep-dinh-kem/": Attachment,
    "document/": Process,
}


def ids_for(route: str) -> list[str]:
    for prefix, model in ROUTE_MODELS.items():
        if route.startswith(prefix):
            return [str(pk) for pk in model.objects.values_list("pk", flat=True)]
    return real_ids()


def pages_with_forms(users) -> list[tuple[str, str, dict[str, list[str]]]]:
    """(username, action, fields) of every POST form the demo users are shown, on every page
    without an id, every page of every row with one, and a few admin pages."""
    urls = ["/" + route for route in STATIC_ROUTES if not route.startswith("admin/")]
    for route in INT_ROUTES:
        if not route.endswith(("pdf/", "docx/", "ban-in/")):  # files, no forms: slow
            urls += [fill(route, pk) for pk in ids_for(route)]
    admin_urls = ["/admin/auth/user/add/", "/admin/documents/unit/add/"]
    admin_urls += [f"/admin/auth/user/{users.chuyenvien.pk}/change/"]
    found: dict[tuple[str, str, frozenset], dict[str, list[str]]] = {}
    for username in USERS:
        client = client_for(users[username])
        for url in urls + (admin_urls if username == "quantri" else []):
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = FormFields(url)
            parser.feed(response.content.decode())
            for action, fields in zip(parser.actions, parser.forms, strict=True):
                found.setdefault((username, action, frozenset(fields)), fields)
    return [(username, action, fields) for (username, action, _), fields in found.items()]


@pytest.fixture
def forms_shown(users, stages):
    found = pages_with_forms(users)
    actions = {action for _, action, _ in found}
    # The drafting form with its recipients formset and cited documents, the sign-off page,
    # the receipt page, an admin form.
    drafting = [f for _, action, f in found if action == "/documents/van-ban/soan-thao/"]
    expected = {"document_type", "cites", "recipients-0-units", "recipients-TOTAL_FORMS"}
    assert drafting and all(expected <= set(fields) for fields in drafting)
    assert any(action.endswith("/ky-duyet/") for action in actions)
    assert any(action.startswith("/documents/phieu-nhan/") for action in actions)
    assert any(action.startswith("/admin/auth/user/") for action in actions)
    return found


@settings(FUZZ, max_examples=400)
@given(data=st.data())
def test_fuzzed_form_fields(stages, users, forms_shown, data):
    username, url, fields = data.draw(st.sampled_from(forms_shown), label="form")
    names = sorted(fields)
    changed = data.draw(
        st.dictionaries(st.one_of(st.sampled_from(names), text), values, min_size=1, max_size=4),
        label="changed",
    )
    send(client_for(users[username]), "post", url, {**fields, **changed}, "forms")


@pytest.mark.parametrize(
    "field", ["document_type", "cites", "recipients-0-units", "recipients-1-units"]
)
def test_an_id_beyond_64_bits_on_the_drafting_form_is_a_form_error(field, users, seed_plan):
    client = client_for(users.chuyenvien)
    data = {
        "document_type": seed_plan.document_type_id,
        "subject": "Kế hoạch thử",
        "recipients-TOTAL_FORMS": "2",
        "recipients-INITIAL_FORMS": "0",
        "recipients-0-text": "Công an tỉnh",
        "recipients-1-text": "UBND tỉnh",
        field: str(10**25),
    }
    response = send(client, "post", "/documents/van-ban/soan-thao/", data, "forms")
    assert response.status_code == 422
    form, formset = response.context["form"], response.context["formset"]
    if field.startswith("recipients-"):
        index = int(field.split("-")[1])
        assert "units" in formset.forms[index].errors, formset.errors
    else:
        assert field in form.errors, form.errors


def test_a_nul_byte_anywhere_is_refused_with_400_and_changes_nothing(users, seed_plan):
    client = client_for(users.chuyenvien)
    cases = [
        ("get", "/documents/van-ban/", {"_search": "a\x00"}),
        ("get", "/documents/van-ban/", {"\x00": "1"}),
        ("post", "/documents/van-ban/soan-thao/", {"subject": "Kế hoạch\x00"}),
        ("post", f"/documents/van-ban/{seed_plan.pk}/sua/", {"body\x00": "x"}),
    ]
    for method, url, params in cases:
        response = send(client, method, url, params, "nul")
        assert response.status_code == 400, (url, params)
        assert "ký tự không hợp lệ" in response.content.decode()
    admin_client = client_for(users.quantri)
    for params in ({"q": "\x00"}, {"is_active__exact": "\x00"}):
        response = send(admin_client, "get", "/admin/auth/user/", params, "nul")
        assert response.status_code == 400, params
