from decimal import Decimal

import pytest
from django.contrib import messages
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounting.models import JournalEntry
from fulfillment import label_batch
from fulfillment.label_batch import LabelBatchError, start_label_batch
from fulfillment.labels import buy_label
from fulfillment.models import Shipment
from shop.models import StaffJob
from shop.roles import FULFILLMENT
from tests.shop.jobs_setup import make_staff, record_progress

from .label_setup import make_box, make_shipment
from .pdf_tools import page_count, page_text

pytestmark = pytest.mark.django_db

Status = StaffJob.Status
SHIPMENTS = reverse("admin:fulfillment_shipment_changelist")


@pytest.fixture
def packer():
    return make_staff("packer", role=FULFILLMENT)


@pytest.fixture
def box():
    return make_box()


@pytest.fixture
def run_batch(packer, django_capture_on_commit_callbacks):
    """Return a function that prints a batch and runs its job eagerly."""

    def start_and_run(shipments):
        with django_capture_on_commit_callbacks(execute=True):
            job = start_label_batch(
                shipment_ids=[shipment.pk for shipment in shipments], user=packer
            )
        job.refresh_from_db()
        return job

    return start_and_run


def labelled_shipment():
    shipment = make_shipment()
    buy_label(shipment_id=shipment.pk)
    shipment.refresh_from_db()
    return shipment


def test_batch_merges_labels_in_selected_order(box, run_batch):
    shipments = [labelled_shipment(), make_shipment(), make_shipment()]

    job = run_batch(shipments)

    pdf = job.file.read()
    assert job.status == Status.DONE
    assert page_count(pdf) == 3
    for page, shipment in enumerate(shipments, start=1):
        text = page_text(pdf, page)
        assert f"Shipment {shipment.number}" in text
        assert f"LF{shipment.number}" in text
    assert job.message == "3 labels in the PDF, 2 bought now."


def test_batch_buys_missing_labels_once(box, run_batch):
    stored = labelled_shipment()
    ready = make_shipment()

    run_batch([stored, ready])

    ready.refresh_from_db()
    assert ready.status == Shipment.Status.LABELLED
    assert ready.tracking_number == f"LF{ready.number}"
    assert JournalEntry.objects.filter(event_key__startswith="label:").count() == 2


def test_batch_file_named_for_date_and_job(box, run_batch):
    job = run_batch([make_shipment()])

    today = timezone.localdate()
    assert job.file.name.endswith(f"/{job.pk}/labels-{today:%Y-%m-%d}-job-{job.pk}.pdf")


def test_failing_shipment_listed_and_others_printed(box, run_batch):
    first = make_shipment()
    unpriced = make_shipment(service="DOM.ZZ")
    last = make_shipment()

    job = run_batch([first, unpriced, last])

    unpriced.refresh_from_db()
    pdf = job.file.read()
    assert job.status == Status.DONE
    assert unpriced.status == Shipment.Status.READY
    assert "'DOM.ZZ'" in unpriced.last_error
    assert page_count(pdf) == 3
    assert f"Shipment {first.number}" in page_text(pdf, 1)
    assert f"Shipment {last.number}" in page_text(pdf, 2)
    summary = " ".join(page_text(pdf, 3).split())
    assert "Shipments without a label: 1" in summary
    assert "Labels printed before this page: 2" in summary
    assert f"Shipment {unpriced.number} (order {unpriced.order.number})" in summary
    assert " ".join(unpriced.last_error.split()) in summary
    assert job.message == (
        "2 labels in the PDF, 2 bought now. The last page lists the shipments "
        "without a label.\n1 shipment without a label:\n"
        f"{unpriced.number}: {unpriced.last_error}"
    )


def test_batch_progress_counts_shipments(box, run_batch, monkeypatch):
    reports = record_progress(monkeypatch)
    shipments = [make_shipment(), make_shipment()]

    job = run_batch(shipments)

    assert reports == [
        (0, 2, "Starting"),
        (1, 2, f"Shipment {shipments[0].number}"),
        (2, 2, f"Shipment {shipments[1].number}"),
    ]
    assert job.progress_done == 2
    assert job.progress_total == 2


def test_shipped_shipment_without_label_listed(box, run_batch):
    printed = make_shipment()
    shipped = make_shipment()
    Shipment.objects.filter(pk=shipped.pk).update(status=Shipment.Status.SHIPPED)

    job = run_batch([printed, shipped])

    assert job.status == Status.DONE
    assert page_count(job.file.read()) == 2
    assert job.message.endswith(
        f"{shipped.number}: The shipment is shipped and has no label, and only "
        f"a ready or packed shipment can get one."
    )


def test_missing_label_file_listed(box, run_batch):
    lost = labelled_shipment()
    lost.label_pdf.storage.delete(lost.label_pdf.name)
    printed = make_shipment()

    job = run_batch([lost, printed])

    assert page_count(job.file.read()) == 2
    assert (
        f"{lost.number}: The label file labels/{lost.number}.pdf is missing from "
        f"MEDIA_ROOT. Restore it from a backup, or void the label and buy another."
    ) in job.message


def test_unreadable_label_listed(box, run_batch):
    broken = make_shipment()
    broken.label_pdf.save("broken.pdf", ContentFile(b"not a PDF"), save=True)
    printed = make_shipment()

    job = run_batch([broken, printed])

    assert page_count(job.file.read()) == 2
    assert f"{broken.number}: The stored label is not a readable PDF (" in job.message


def test_batch_without_any_label_fails(box, run_batch):
    cancelled = make_shipment()
    Shipment.objects.filter(pk=cancelled.pk).update(status=Shipment.Status.CANCELLED)

    job = run_batch([cancelled])

    assert job.status == Status.FAILED
    assert job.file.name == ""
    assert job.message == (
        "No label could be printed, so there is no file.\n"
        f"1 shipment without a label:\n{cancelled.number}: The shipment is "
        f"cancelled and has no label, and only a ready or packed shipment can "
        f"get one."
    )


def test_start_label_batch_rejects_over_limit(packer):
    with pytest.raises(LabelBatchError) as raised:
        start_label_batch(shipment_ids=list(range(1, 202)), user=packer)

    assert str(raised.value) == (
        "201 shipments are selected, and one label batch takes at most 200. "
        "Select 200 or fewer and print again."
    )
    assert StaffJob.objects.count() == 0


def test_print_labels_action_starts_job(
    box, client, packer, django_capture_on_commit_callbacks
):
    shipments = [make_shipment(), make_shipment()]
    client.force_login(packer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            SHIPMENTS,
            {
                "action": "print_label_batch",
                "_selected_action": [shipment.pk for shipment in shipments],
                "confirm": "yes",
            },
            follow=True,
        )

    job = StaffJob.objects.get()
    [message] = list(response.context["messages"])
    assert message.level == messages.SUCCESS
    assert message.message == (
        "Labels for 2 shipments started. Follow it on <a href="
        f'"{reverse("admin:shop_staffjob_changelist")}">Files and long actions'
        "</a>. You also get an email with the PDF's link when it is done."
    )
    assert job.requested_by == packer
    assert job.params == {"shipment_ids": [shipment.pk for shipment in shipments]}
    assert job.status == Status.DONE
    assert page_count(job.file.read()) == 2


def test_print_labels_action_rejects_over_limit(client, packer, monkeypatch):
    monkeypatch.setattr(label_batch, "MAX_BATCH_SHIPMENTS", 2)
    shipments = [make_shipment(), make_shipment(), make_shipment()]
    client.force_login(packer)

    response = client.post(
        SHIPMENTS,
        {
            "action": "print_label_batch",
            "_selected_action": [shipment.pk for shipment in shipments],
        },
        follow=True,
    )

    [message] = list(response.context["messages"])
    assert message.level == messages.ERROR
    assert message.message == (
        "3 shipments are selected, and one label batch takes at most 2. "
        "Select 2 or fewer and print again."
    )
    assert StaffJob.objects.count() == 0


def post_print_labels(client, shipments, **extra):
    return client.post(
        SHIPMENTS,
        {
            "action": "print_label_batch",
            "_selected_action": [shipment.pk for shipment in shipments],
            **extra,
        },
    )


def test_print_labels_unconfirmed_buys_nothing(box, client, packer):
    shipments = [make_shipment(), make_shipment()]
    client.force_login(packer)

    response = post_print_labels(client, shipments)

    assert response.status_code == 200
    assert StaffJob.objects.count() == 0
    assert not JournalEntry.objects.filter(event_key__startswith="label:").exists()
    for shipment in shipments:
        shipment.refresh_from_db()
        assert shipment.status == Shipment.Status.READY
        assert not shipment.label_pdf


def test_print_labels_confirmation_states_shop_cost(box, client, packer):
    shipments = [make_shipment(), make_shipment()]
    client.force_login(packer)

    response = post_print_labels(client, shipments)

    # Each 31 x 26 x 11 cm parcel is in the rate table's 2 kg bracket, $14.25.
    assert response.context["summary"] == (
        "2 of the shop's own labels will be made now, at an estimated $28.50 "
        "before tax."
    )
    assert 'name="confirm" value="yes"' in response.text


def test_print_labels_confirmation_uses_checkout_quote(box, client, packer, settings):
    settings.CANADAPOST_USERNAME = "user"
    settings.CANADAPOST_PASSWORD = "secret"
    settings.CANADAPOST_CUSTOMER_NUMBER = "0001234567"
    quoted = make_shipment(shipping_amount=Decimal("18.40"))
    split = make_shipment(shipping_amount=Decimal("30.00"))
    Shipment.objects.create(number=f"{split.order.number}-2", order=split.order)
    client.force_login(packer)

    response = post_print_labels(client, [quoted, split])

    assert response.context["summary"] == (
        "2 labels will be bought now from Canada Post, at an estimated $18.40 "
        f"before tax for the 1 with an estimate; no estimate for {split.number}."
    )
    assert StaffJob.objects.count() == 0


def test_print_labels_confirmed_starts_job(
    box, client, packer, django_capture_on_commit_callbacks
):
    shipments = [make_shipment()]
    client.force_login(packer)

    with django_capture_on_commit_callbacks(execute=True):
        post_print_labels(client, shipments, confirm="yes")

    job = StaffJob.objects.get()
    assert job.status == Status.DONE
    shipments[0].refresh_from_db()
    assert shipments[0].status == Shipment.Status.LABELLED


def test_print_labels_reprint_needs_no_confirmation(box, client, packer):
    shipment = labelled_shipment()
    client.force_login(packer)

    response = post_print_labels(client, [shipment])

    assert response.status_code == 302
    job = StaffJob.objects.get()
    assert job.params == {"shipment_ids": [shipment.pk]}


def test_buy_labels_unconfirmed_buys_nothing(box, client, packer):
    shipment = make_shipment()
    client.force_login(packer)

    response = client.post(
        SHIPMENTS, {"action": "buy_labels", "_selected_action": [shipment.pk]}
    )

    assert response.context["summary"] == (
        "1 of the shop's own labels will be made now, at an estimated $14.25 "
        "before tax."
    )
    assert 'name="action" value="buy_labels"' in response.text
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.READY
    assert not JournalEntry.objects.filter(event_key__startswith="label:").exists()
