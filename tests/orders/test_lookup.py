from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounting.models import CreditNote, Invoice
from fulfillment.models import Shipment
from orders.counter_customers import walk_in_customer
from orders.lookup import find_orders
from orders.models import Order
from shop.models import EmailLog
from tests.factories.orders import OrderFactory, OrderLineFactory
from tests.factories.shop import CustomerFactory

LOOKUP_URL = "/admin/lookup/"


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def order(db):
    customer = CustomerFactory(
        email="Avery.Tremblay@example.com",
        first_name="Avery",
        last_name="Tremblay",
        phone="902-555-0143",
    )
    return OrderFactory(
        number=100042,
        customer=customer,
        email="Avery.Tremblay@example.com",
        ship_name="Avery Tremblay",
        ship_postal_code="B3J 1H6",
        ship_phone="(902) 555-0143",
        paid=True,
    )


@pytest.fixture
def other_order(db):
    customer = CustomerFactory(
        email="sam.leblanc@example.com", first_name="Sam", last_name="Leblanc"
    )
    return OrderFactory(
        number=100043,
        customer=customer,
        ship_name="Sam Leblanc",
        ship_postal_code="E1C 4B3",
        ship_phone="506 555 0199",
    )


def add_shipment(order, sequence, tracking_number="1234567890123456"):
    return Shipment.objects.create(
        number=f"{order.number}-{sequence}",
        order=order,
        status=Shipment.Status.SHIPPED,
        carrier="canadapost",
        tracking_number=tracking_number,
        shipped_at=timezone.now(),
    )


def add_invoice_and_credit_note(order):
    invoice = Invoice.objects.create(
        number=5001,
        order=order,
        issued_at=timezone.now(),
        subtotal_amount=Decimal("40.00"),
        shipping_amount=Decimal("12.00"),
        tax_amount=Decimal("7.80"),
        total_amount=Decimal("59.80"),
    )
    note = CreditNote.objects.create(
        number=7001,
        invoice=invoice,
        order=order,
        issued_at=timezone.now(),
        subtotal_amount=Decimal("10.00"),
        shipping_amount=Decimal("0.00"),
        tax_amount=Decimal("1.50"),
        total_amount=Decimal("11.50"),
    )
    return invoice, note


def log_email(subject, reference="", to="someone@example.com"):
    return EmailLog.objects.create(
        to=to,
        subject=subject,
        kind="test",
        reference=reference,
        status=EmailLog.Status.SENT,
    )


def counter_sale(number, customer=None):
    customer = customer or walk_in_customer()
    return OrderFactory(
        number=number,
        customer=customer,
        channel=Order.Channel.IN_STORE,
        status=Order.Status.COMPLETED,
        ship_name=customer.full_name,
        ship_line1="",
        ship_city="",
        ship_postal_code="",
        shipping_method="in_store",
        shipping_method_name="Taken in store",
        total_amount=Decimal("1070.38"),
    )


def found_numbers(query):
    return [order.number for order in find_orders(query)]


@pytest.mark.django_db
def test_find_by_number(order, other_order):
    assert found_numbers("100042") == [100042]


@pytest.mark.django_db
def test_find_by_number_with_hash(order, other_order):
    assert found_numbers("#100042") == [100042]


@pytest.mark.django_db
def test_find_by_email_other_case_and_spaces(order, other_order):
    assert found_numbers("  AVERY.tremblay@EXAMPLE.com ") == [100042]


@pytest.mark.django_db
def test_find_by_ship_name(order, other_order):
    assert found_numbers("avery trem") == [100042]


@pytest.mark.django_db
def test_find_by_customer_name(order, other_order):
    order.ship_name = "Front desk"
    order.save()

    assert found_numbers("Avery Tremblay") == [100042]


@pytest.mark.django_db
def test_find_by_phone_written_differently(order, other_order):
    assert found_numbers("+1 902.555.0143") == [100042]


@pytest.mark.django_db
def test_find_by_phone_digits_only(order, other_order):
    assert found_numbers("5065550199") == [100043]


@pytest.mark.django_db
def test_find_by_postal_code_without_space(order, other_order):
    assert found_numbers("b3j1h6") == [100042]


@pytest.mark.django_db
def test_find_by_tracking_number(order, other_order):
    add_shipment(order, 1, tracking_number="7023210039414604")

    assert found_numbers("7023 2100 3941 4604") == [100042]


@pytest.mark.django_db
def test_find_name_words_in_any_order(order, other_order):
    assert found_numbers("TREMBLAY avery") == [100042]


@pytest.mark.django_db
def test_find_name_skips_walk_in_record(order):
    tom = CustomerFactory(first_name="Tom", last_name="Ng", email="tom@example.com")
    OrderFactory(number=100044, customer=tom, ship_name="Tom Ng")
    counter_sale(100045)

    assert found_numbers("Tom") == [100044]


@pytest.mark.django_db
def test_find_walk_in_sale_by_number(order):
    counter_sale(100045)

    assert found_numbers("100045") == [100045]


@pytest.mark.django_db
def test_find_ignores_control_characters(order, other_order):
    add_shipment(order, 1, tracking_number="")

    assert found_numbers("\x00") == []
    assert found_numbers("Trem\x00blay\x1b") == [100042]


@pytest.mark.django_db
def test_find_huge_order_number_matches_nothing(order):
    assert found_numbers("#" + "9" * 30) == []


@pytest.mark.django_db
def test_find_lists_each_order_once(order, other_order):
    add_shipment(order, 1, tracking_number="7023210039414604")
    add_shipment(order, 2, tracking_number="7023210039414604")

    assert found_numbers("7023210039414604") == [100042]


@pytest.mark.django_db
def test_find_empty_query_matches_nothing(order):
    assert found_numbers("   ") == []


@pytest.mark.django_db
def test_find_newest_first(order, other_order):
    other_order.ship_name = "Avery Tremblay"
    other_order.save()

    assert found_numbers("Avery") == [100043, 100042]


@pytest.mark.django_db
def test_lookup_non_staff_redirected_to_login(client, django_user_model, order):
    user = django_user_model.objects.create_user("clerk", password="pw")
    client.force_login(user)

    response = client.get(LOOKUP_URL, {"q": "100042"})

    assert response.status_code == 302
    assert response.url == "/admin/login/?next=/admin/lookup/%3Fq%3D100042"


@pytest.mark.django_db
def test_lookup_url_is_named(order):
    assert reverse("admin:orders_lookup") == LOOKUP_URL


@pytest.mark.django_db
def test_lookup_nonsense_query_says_no_match(staff_client, order):
    response = staff_client.get(LOOKUP_URL, {"q": "zzqx-nothing"})

    assert response.status_code == 200
    assert response.context["orders"] == []
    assert "No order matches “zzqx-nothing”." in response.text


@pytest.mark.django_db
def test_lookup_empty_query_says_no_match(staff_client, order):
    response = staff_client.get(LOOKUP_URL, {"q": "  "})

    assert response.status_code == 200
    assert response.context["lookup"] is None
    assert "No order matches an empty search." in response.text


@pytest.mark.postgres
@pytest.mark.django_db
def test_lookup_nul_character_on_postgresql(staff_client, order):
    response = staff_client.get(LOOKUP_URL, {"q": "Tremblay\x00"})

    assert response.status_code == 200
    assert response.context["query"] == "Tremblay"
    assert response.context["lookup"].order == order


@pytest.mark.django_db
def test_lookup_only_nul_says_empty_search(staff_client, order):
    response = staff_client.get(LOOKUP_URL, {"q": "\x00"})

    assert response.status_code == 200
    assert response.context["orders"] == []
    assert "No order matches an empty search." in response.text


@pytest.mark.django_db
def test_lookup_list_shows_counter_sale(staff_client, order):
    tom = CustomerFactory(first_name="Avery", last_name="Roy", email="ar@example.com")
    counter_sale(100045, customer=tom)

    response = staff_client.get(LOOKUP_URL, {"q": "avery"})

    assert "<td>Sold in store</td>" in response.text
    assert "<td>$1,070.38</td>" in response.text


@pytest.mark.django_db
def test_lookup_detail_counter_sale_sold_in_store(staff_client):
    counter_sale(100045)

    response = staff_client.get(LOOKUP_URL, {"q": "100045"})

    assert "<dt>Ship to</dt><dd>Sold in store</dd>" in response.text
    assert "Ship to , NS" not in response.text
    assert "<p>Sold in store, so nothing ships.</p>" in response.text
    assert "No shipment yet." not in response.text


@pytest.mark.django_db
def test_lookup_detail_total_in_dollars(staff_client, order):
    order.total_amount = Decimal("1070.38")
    order.save()

    response = staff_client.get(LOOKUP_URL, {"q": "100042"})

    assert "<dt>Total</dt><dd>$1,070.38</dd>" in response.text


@pytest.mark.django_db
def test_lookup_several_matches_lists_them(staff_client, order, other_order):
    other_order.ship_name = "Avery Tremblay"
    other_order.save()

    response = staff_client.get(LOOKUP_URL, {"q": "avery"})

    assert [found.number for found in response.context["orders"]] == [
        100043,
        100042,
    ]
    assert response.context["lookup"] is None
    assert "2 orders match “avery”" in response.text


@pytest.mark.django_db
def test_lookup_chosen_result_shows_detail(staff_client, order, other_order):
    other_order.ship_name = "Avery Tremblay"
    other_order.save()

    response = staff_client.get(LOOKUP_URL, {"q": "avery", "order": order.pk})

    assert response.context["lookup"].order == order
    assert "Order 100042: Paid" in response.text


@pytest.mark.django_db
def test_lookup_ignores_chosen_order_outside_results(staff_client, order, other_order):
    response = staff_client.get(LOOKUP_URL, {"q": "Leblanc", "order": order.pk})

    assert response.context["lookup"].order == other_order


@pytest.mark.django_db
def test_lookup_detail_shows_tracking_link(staff_client, order):
    add_shipment(order, 1, tracking_number="7023210039414604")

    response = staff_client.get(LOOKUP_URL, {"q": "100042"})

    assert (
        '<a href="https://www.canadapost-postescanada.ca/track-reperage/en#/search'
        '?searchFor=7023210039414604" target="_blank" rel="noopener">'
        "7023210039414604</a>"
    ) in response.text
    assert "Shipped" in response.text


@pytest.mark.django_db
def test_lookup_detail_shows_lines_quantities(staff_client, order):
    OrderLineFactory(
        order=order,
        sku="TEA-01",
        quantity=5,
        quantity_allocated=2,
        quantity_backordered=1,
        quantity_shipped=2,
    )

    response = staff_client.get(LOOKUP_URL, {"q": "100042"})

    assert ("<td>5</td><td>2</td>\n        <td>1</td><td>2</td>") in response.text


@pytest.mark.django_db
def test_lookup_detail_shows_document_links(staff_client, order):
    invoice, note = add_invoice_and_credit_note(order)

    response = staff_client.get(LOOKUP_URL, {"q": "100042"})

    invoice_pdf = reverse("admin:accounting_invoice_pdf", args=[invoice.pk])
    note_pdf = reverse("admin:accounting_creditnote_pdf", args=[note.pk])
    assert "Invoice 5001</a>" in response.text
    assert f'<a href="{invoice_pdf}">PDF</a>' in response.text
    assert "Credit note 7001</a>" in response.text
    assert f'<a href="{note_pdf}">PDF</a>' in response.text


@pytest.mark.django_db
def test_lookup_detail_shows_email_subjects(staff_client, order, other_order):
    add_invoice_and_credit_note(order)
    log_email("Order 100042 received", reference="100042")
    log_email("Your invoice 5001", reference="5001")
    log_email("Your credit note 7001", reference="7001")
    log_email("Your cart is waiting", to="avery.tremblay@example.com")
    log_email("Order 100043 received", reference="100043")

    response = staff_client.get(LOOKUP_URL, {"q": "100042"})

    subjects = [email.subject for email in response.context["lookup"].emails]
    assert sorted(subjects) == [
        "Order 100042 received",
        "Your cart is waiting",
        "Your credit note 7001",
        "Your invoice 5001",
    ]
    assert "<td>Your invoice 5001</td>" in response.text


def fill_order(order, count):
    for sequence in range(1, count + 1):
        OrderLineFactory(order=order)
        add_shipment(order, sequence, tracking_number=f"70232100394146{sequence:02d}")
        log_email(f"Shipment {sequence}", reference=str(order.number))


def count_lookup_queries(client, query):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LOOKUP_URL, {"q": query})
    assert response.context["lookup"] is not None
    return len(queries)


@pytest.mark.django_db
def test_lookup_query_count_fixed(staff_client, order, other_order):
    add_invoice_and_credit_note(order)
    fill_order(order, 1)
    fill_order(other_order, 4)

    small = count_lookup_queries(staff_client, "100042")
    large = count_lookup_queries(staff_client, "100043")

    assert (small, large) == (11, 11)
