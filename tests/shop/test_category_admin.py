import pytest
from django.urls import reverse

from shop.models import Category
from tests.factories.shop import CategoryFactory

PACKAGING = {
    "default_weight_g": "",
    "default_length_cm": "",
    "default_width_cm": "",
    "default_height_cm": "",
}


@pytest.mark.django_db
def test_category_admin_adds_child(client, admin_user):
    men = CategoryFactory(name="Men", slug="men")
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:shop_category_add"),
        {
            "name": "Jackets",
            "slug": "jackets",
            "treebeard_position": "sorted-child",
            "treebeard_ref_node": men.pk,
            **PACKAGING,
        },
    )

    assert response.status_code == 302
    jackets = Category.objects.get(slug="jackets")
    assert jackets.depth == 2
    assert jackets.path.startswith(men.path)
    assert len(jackets.path) == 2 * len(men.path)
    men.refresh_from_db()
    assert men.numchild == 1


@pytest.mark.django_db
def test_category_admin_renames_child(client, admin_user):
    men = CategoryFactory(name="Men", slug="men")
    tops = CategoryFactory(name="Tops", slug="tops", parent=men)
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:shop_category_change", args=[tops.pk]),
        {
            "name": "Shirts",
            "slug": "shirts",
            "treebeard_position": "sorted-child",
            "treebeard_ref_node": men.pk,
            **PACKAGING,
        },
    )

    assert response.status_code == 302
    tops.refresh_from_db()
    assert tops.name == "Shirts"
    assert tops.slug == "shirts"
    assert tops.depth == 2
    assert Category.objects.get_parent(tops) == men
    men.refresh_from_db()
    assert men.numchild == 1


@pytest.mark.django_db
def test_category_change_form_preselects_parent(client, admin_user):
    men = CategoryFactory(name="Men", slug="men")
    tops = CategoryFactory(name="Tops", slug="tops", parent=men)
    client.force_login(admin_user)

    response = client.get(reverse("admin:shop_category_change", args=[tops.pk]))

    form = response.context["adminform"].form
    assert form.initial["treebeard_ref_node"] == men
    assert form.initial["treebeard_position"] == "sorted-child"
