import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

SIDECAR = "/static/drf_spectacular_sidecar/"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def test_schema_generates_without_warnings(tmp_path):
    output = tmp_path / "schema.yaml"

    # Raises on any generator warning or OpenAPI validation error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", output)

    assert "/api/orders/{id}/" in yaml.safe_load(output.read_text())["paths"]


def test_operations_document_auth_errors(schema):
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema)
        if path != "/api/token/" and not {"401", "403"} <= set(operation["responses"])
    ]

    assert missing == []


def test_lists_document_bad_filters_and_pages(schema):
    responses = schema["paths"]["/api/orders/"]["get"]["responses"]

    assert set(responses) == {"200", "400", "401", "403", "404"}


def test_lookup_documents_not_found_and_conflict(schema):
    responses = schema["paths"]["/api/variants/lookup/"]["get"]["responses"]

    assert responses["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Variant"
    }
    assert set(responses) == {"200", "400", "401", "403", "404", "409"}


def test_request_components_named_once(schema):
    components = schema["components"]["schemas"]
    body = schema["paths"]["/api/counter-sales/"]["post"]["requestBody"]

    assert [name for name in components if name.endswith("RequestRequest")] == []
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CounterSaleRequest"
    }
    assert components["CounterSaleRequest"]["properties"]["lines"]["items"] == {
        "$ref": "#/components/schemas/CounterSaleLineRequest"
    }


def test_token_endpoint_needs_no_token(schema):
    operation = schema["paths"]["/api/token/"]["post"]

    assert operation.get("security", [{}]) == [{}]
    assert set(operation["responses"]) == {"200", "400", "403", "429"}


@pytest.mark.django_db
def test_docs_page_uses_local_assets(client):
    response = client.get("/api/docs/")

    html = response.content.decode()
    assert f'<script src="{SIDECAR}swagger-ui-dist/swagger-ui-bundle.js">' in html
    assert f'href="{SIDECAR}swagger-ui-dist/swagger-ui.css"' in html
    assert re.findall(r"(?:src|href)=\"(?!/static/)[^\"]*\"", html) == []
    assert re.findall(r"https?://", html) == []
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
