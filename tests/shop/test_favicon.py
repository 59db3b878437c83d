import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

ICON_LINK = '<link rel="icon" href="/static/favicon.ico" sizes="32x32">'
SVG_ICON_LINK = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'


def test_favicon_files_are_static():
    ico = finders.find("favicon.ico")
    svg = finders.find("favicon.svg")

    assert ico is not None
    assert svg is not None
    with open(ico, "rb") as file:
        assert file.read(4) == b"\x00\x00\x01\x00"
    with open(svg, encoding="utf-8") as file:
        assert file.read().startswith("<svg ")


@pytest.mark.django_db
def test_storefront_page_links_favicon(client):
    response = client.get(reverse("shop:home"))

    assert ICON_LINK in response.text
    assert SVG_ICON_LINK in response.text


@pytest.mark.django_db
def test_admin_page_links_favicon(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("admin:shop_product_changelist"))

    assert ICON_LINK in response.text
    assert SVG_ICON_LINK in response.text
    assert "Ledgerfront back office" in response.text
