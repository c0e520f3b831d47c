import json
import logging
import re
from urllib.parse import urlencode

import openapi_spec_validator
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.test.client import MULTIPART_CONTENT as MULTIPART
from django.urls import reverse

from billexplain.bills import api
from billexplain.bills.explain import BillError, explain_file, file_kind
from tests.pdfs import pdf_with_rows

pytestmark = pytest.mark.usefixtures("content")

URL = "/api/explain"
BILL = """Lakeside Clinic, Springfield, IL 62704
Account # 55123
03/14/2025 99213-25 Office visit $150.00
03/14/2025 J1100 Dexamethasone injection 2 $12.50
Dx: E11.65
"""
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,"


def send(client, body=None, content_type=MULTIPART):
    """POST a body: a dict of form fields, where (name, bytes) tuples become files; or raw str/bytes."""
    if isinstance(body, dict) and content_type == "application/x-www-form-urlencoded":
        body = urlencode(body)
    elif isinstance(body, dict) and content_type == MULTIPART:
        body = {
            key: [SimpleUploadedFile(*f) for f in value] if isinstance(value, list) else _field(value)
            for key, value in body.items()
        }
    return client.post(URL, body if body is not None else {}, content_type=content_type)


def _field(value):
    return SimpleUploadedFile(*value) if isinstance(value, tuple) else value


def error_message(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    body = json.loads(response.content)
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]["message"]


def codes(response):
    return [code["code"] for code in response.json()["codes"]]


def test_the_urls_have_names():
    assert reverse("api-explain") == "/api/explain"
    assert reverse("api-schema") == "/api/schema"


@pytest.mark.parametrize(
    "content_type", [MULTIPART, "application/x-www-form-urlencoded"], ids=["multipart", "urlencoded"]
)
def test_a_bill_pasted_into_the_text_field_is_explained(client, content_type):
    response = send(client, {"text": BILL}, content_type)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert "file" not in data
    assert data["source"] == {"kind": "text", "pages": 1}
    assert codes(response) == ["99213", "J1100"]
    assert data["line_items"][0]["modifiers"] == ["25"] and data["line_items"][0]["charge"] == "150.00"
    assert data["diagnosis_codes"] == [{"code": "E11.65", "description": "Type 2 diabetes mellitus with hyperglycemia"}]


def test_a_bill_sent_as_json_is_explained(client):
    response = send(client, {"text": BILL}, "application/json")
    assert response.status_code == 200
    assert "file" not in response.json()
    assert codes(response) == ["99213", "J1100"]


def test_json_with_a_charset_is_still_json(client):
    response = send(client, json.dumps({"text": BILL}), "application/json; charset=utf-8")
    assert codes(response) == ["99213", "J1100"]


def test_an_uploaded_pdf_is_explained_and_named(client):
    pdf = pdf_with_rows([("03/14/2025", "99285", "Emergency visit", "$820.00")])
    response = send(client, {"file": ("er visit.pdf", pdf, "application/pdf")})
    assert response.status_code == 200
    data = response.json()
    assert data["file"] == "er visit.pdf"
    assert data["source"] == {"kind": "pdf", "pages": 1}
    assert codes(response) == ["99285"]


def test_the_answer_is_exactly_what_the_explain_command_prints_for_the_same_file(client, tmp_path, capsys):
    path = tmp_path / "visit.txt"
    path.write_text(BILL)
    call_command("explain", "--json", str(path))
    [printed] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    uploaded = send(client, {"file": ("visit.txt", path.read_bytes(), "text/plain")}).json()
    pasted = send(client, {"text": BILL}, "application/json").json()

    assert uploaded == printed
    assert pasted == {key: value for key, value in printed.items() if key != "file"}


def test_a_file_bigger_than_djangos_in_memory_limit_still_arrives_whole(client, settings, monkeypatch):
    # Django's memory handler silently drops files from requests over FILE_UPLOAD_MAX_MEMORY_SIZE.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    received = []

    def explain_file_spy(name, data, language=None):
        received.append((name, len(data)))
        raise BillError("stop here")

    monkeypatch.setattr(api, "explain_file", explain_file_spy)
    data = b"%PDF-1.4\n" + b"0" * 5000
    error_message(send(client, {"file": ("big.pdf", data)}), 400)
    assert received == [("big.pdf", len(data))]


def test_no_csrf_token_is_needed(content):
    strict = Client(enforce_csrf_checks=True)
    assert send(strict, {"text": BILL}).status_code == 200
    assert send(strict, {"text": BILL}, "application/json").status_code == 200


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        pytest.param({}, MULTIPART, 400, "Send the text of a bill", id="nothing in a form"),
        pytest.param({"text": "  \n "}, MULTIPART, 400, "Send the text of a bill", id="blank text"),
        pytest.param("{}", "application/json", 400, "Send the text of a bill", id="nothing in json"),
        pytest.param(
            {"text": BILL, "file": ("bill.pdf", b"%PDF-1.4 x")}, MULTIPART, 400, "not both", id="text and a file"
        ),
        pytest.param({"file": [("a.txt", b"99213"), ("b.txt", b"99214")]}, MULTIPART, 400, "one file", id="two files"),
        pytest.param('{"text": "99213', "application/json", 400, "not valid JSON", id="bad json"),
        pytest.param(b"\xff\xfe\xfa", "application/json", 400, "not valid JSON", id="json that is not utf-8"),
        pytest.param("[" * 100_000, "application/json", 400, "not valid JSON", id="json nested too deep"),
        pytest.param('["99213"]', "application/json", 400, "JSON object", id="json that is not an object"),
        pytest.param('{"text": 99213}', "application/json", 400, "must be a string", id="json text not a string"),
        pytest.param(
            {"file": ("bill.pdf", b"%PDF-1.4 broken")}, MULTIPART, 400, "could not read this file", id="broken pdf"
        ),
        pytest.param({"file": ("bill.pdf", b"")}, MULTIPART, 400, "empty", id="empty file"),
        pytest.param(
            "Thank you for your payment.",
            MULTIPART.replace("form-data", "mixed"),
            415,
            "multipart",
            id="multipart/mixed",
        ),
        pytest.param(BILL, "text/plain", 415, "application/json", id="plain text body"),
        pytest.param("<bill/>", "application/xml", 415, "application/json", id="xml"),
        pytest.param({"file": ("photo.gif", GIF)}, MULTIPART, 415, "not a PDF, a photo", id="a gif"),
        pytest.param({"file": ("bill.docx", b"PK\x03\x04 word")}, MULTIPART, 415, "not a PDF", id="a word file"),
    ],
)
def test_each_problem_gets_its_status_and_a_json_message(client, body, content_type, status, message):
    assert message in error_message(send(client, body, content_type), status)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json", MULTIPART])
def test_an_empty_post_is_nothing_sent_whatever_its_type(client, content_type):
    extra = {"CONTENT_TYPE": content_type} if content_type else {}
    assert "Send the text of a bill" in error_message(client.generic("POST", URL, **extra), 400)


@pytest.mark.parametrize(
    ("limits", "body", "content_type", "message"),
    [
        pytest.param(
            {"BILL_UPLOAD_MAX_BYTES": 1000},
            {"file": ("bill.pdf", b"%PDF-1.4\n" + b"0" * 1000)},
            MULTIPART,
            "file is too large",
            id="file",
        ),
        pytest.param(
            {"BILL_UPLOAD_MAX_BYTES": 1000},
            {"file": ("bill.pdf", b"%PDF-1.4\n" + b"0" * 10_000_000)},
            MULTIPART,
            "file is too large",
            id="request far bigger than any bill",
        ),
        pytest.param({"BILL_TEXT_MAX_CHARS": 40}, {"text": BILL}, MULTIPART, "text is too long", id="form text"),
        pytest.param(
            {"BILL_TEXT_MAX_CHARS": 40},
            "text=" + "99213+" * 20,
            "application/x-www-form-urlencoded",
            "text is too long",
            id="urlencoded text",
        ),
        pytest.param(
            {"BILL_TEXT_MAX_CHARS": 40}, json.dumps({"text": BILL}), "application/json", "text is too long", id="json"
        ),
        pytest.param(
            {"DATA_UPLOAD_MAX_MEMORY_SIZE": 100},
            json.dumps({"text": BILL}),
            "application/json",
            "text is too long",
            id="json body over Django's limit",
        ),
        pytest.param(
            {"DATA_UPLOAD_MAX_MEMORY_SIZE": 100},
            {"text": BILL},
            MULTIPART,
            "text is too long",
            id="form field over Django's limit",
        ),
    ],
)
def test_a_bill_over_the_limits_gets_413(client, settings, limits, body, content_type, message):
    for name, value in limits.items():
        setattr(settings, name, value)
    assert message in error_message(send(client, body, content_type), 413)


def test_the_413_message_names_the_limit(client, settings):
    settings.BILL_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    settings.BILL_TEXT_MAX_CHARS = 1500
    big = {"file": ("bill.pdf", b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))}
    assert "up to 2 MB" in error_message(send(client, big), 413)
    assert "up to 1,500 characters" in error_message(send(client, {"text": "9" * 1501}), 413)


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "options", "head"])
def test_other_methods_get_405_in_json(client, method):
    response = getattr(client, method)(URL)
    assert response["Allow"] == "POST"
    if method != "head":
        assert "POST" in error_message(response, 405)
    else:
        assert response.status_code == 405


def test_the_rate_limit_answer_is_json_with_its_wait():
    request = RequestFactory().post(URL, {"text": BILL})
    response = api.too_many_requests(request, retry_after=60)
    assert "Too many requests" in error_message(response, 429)
    assert response["Retry-After"] == "60"
    assert not api.too_many_requests(request).has_header("Retry-After")


def test_an_unexpected_failure_is_a_json_500_that_never_logs_the_bill(client, monkeypatch, caplog):
    def broken(text, language=None):
        raise ValueError(f"could not parse {text!r}")

    monkeypatch.setattr(api, "explain_text", broken)
    with caplog.at_level(logging.DEBUG):
        message = error_message(send(client, {"text": BILL}), 500)
    assert "went wrong" in message
    assert "ValueError" in caplog.text
    assert "Office visit" not in caplog.text and "55123" not in caplog.text


def test_the_bill_never_reaches_a_log(client, caplog):
    with caplog.at_level(logging.DEBUG):
        send(client, {"text": BILL})
        send(client, {"text": BILL, "file": ("bill.pdf", b"%PDF-1.4 broken")})
        send(client, {"file": ("bill.pdf", b"%PDF-1.4 broken 55123")})
        send(client, BILL, "text/plain")
    assert "Office visit" not in caplog.text and "55123" not in caplog.text


def test_the_api_and_explain_file_agree_on_what_is_not_a_bill():
    # The API answers 415 before explaining; explain_file must refuse the same files.
    assert file_kind("photo.gif", GIF) is None
    with pytest.raises(BillError, match="not a PDF"):
        explain_file("photo.gif", GIF)
    for name, data in [("scan.png", b"\x89PNG\r\n\x1a\n...."), ("x.bin", b"%PDF-1.7"), ("NOTES.TXT", b"99213")]:
        assert file_kind(name, data)


# The schema


def resolve(spec, ref):
    node = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def conforms(value, schema, spec, where="$"):
    """The part of JSON Schema our response schemas use, and one rule more: every key is described."""
    if "$ref" in schema:
        return conforms(value, resolve(spec, schema["$ref"]), spec, where)
    kinds = schema.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    assert not kinds or any(TYPES[kind](value) for kind in kinds), f"{where}: {value!r} is not {kinds}"
    assert "enum" not in schema or value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if isinstance(value, str) and "pattern" in schema:
        assert re.search(schema["pattern"], value), f"{where}: {value!r} does not match {schema['pattern']}"
    if TYPES["number"](value):
        assert value >= schema.get("minimum", value) and value <= schema.get("maximum", value), where
    if isinstance(value, dict) and "properties" in schema:
        missing = set(schema.get("required", [])) - set(value)
        assert not missing, f"{where}: missing {sorted(missing)}"
        extra = set(value) - set(schema["properties"])
        assert not extra, f"{where}: {sorted(extra)} returned but not described in billexplain/bills/openapi.py"
        for key, item in value.items():
            conforms(item, schema["properties"][key], spec, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            conforms(item, schema["items"], spec, f"{where}[{index}]")


@pytest.fixture
def spec(client):
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


def test_the_schema_is_an_openapi_3_1_description_of_the_endpoint(spec):
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["title"] and spec["info"]["version"]
    operation = spec["paths"]["/api/explain"]["post"]
    assert set(operation["requestBody"]["content"]) == {
        "multipart/form-data",
        "application/x-www-form-urlencoded",
        "application/json",
    }
    responses = operation["responses"]
    assert {"200", "400", "405", "413", "415", "429"} <= set(responses)
    for status, response in responses.items():
        assert response["description"]
        [schema] = [media["schema"] for media in response["content"].values()]
        assert schema == {"$ref": "#/components/schemas/" + ("Explanation" if status == "200" else "Error")}
    for ref in set(refs(spec)):
        assert resolve(spec, ref), ref
    explanation = spec["components"]["schemas"]["Explanation"]
    assert set(explanation["required"]) == {
        "source",
        "codes",
        "line_items",
        "diagnosis_codes",
        "uncoded_lines",
        "checks",
        "warnings",
    }
    assert set(explanation["properties"]) == set(explanation["required"]) | {"file"}


def test_the_schema_shows_this_servers_limits(client, settings):
    settings.BILL_TEXT_MAX_CHARS = 1234
    spec = client.get(reverse("api-schema")).json()
    assert spec["components"]["schemas"]["BillText"]["properties"]["text"]["maxLength"] == 1234


def test_the_schema_passes_the_openapi_validator(spec):
    openapi_spec_validator.validate(spec)


def test_the_schema_only_answers_get(client):
    assert "GET" in error_message(client.post(reverse("api-schema")), 405)


def test_real_answers_match_the_schema(client, spec):
    pdf = pdf_with_rows([("03/14/2025", "99285", "Emergency visit", "$820.00"), ("03/14/2025", "G9631", "x", "$0")])
    answers = [
        send(client, {"text": BILL}),
        send(client, {"text": "Thank you for your payment."}, "application/json"),
        send(client, {"file": ("er.pdf", pdf)}),
    ]
    assert any(answer.json()["warnings"] for answer in answers)
    for answer in answers:
        assert answer.status_code == 200
        conforms(answer.json(), {"$ref": "#/components/schemas/Explanation"}, spec)
    for answer in (send(client, {}), send(client, "x", "text/plain"), api.too_many_requests()):
        conforms(json.loads(answer.content), {"$ref": "#/components/schemas/Error"}, spec)
