"""Labels of many shipments merged into one PDF, made by a staff job.

For each shipment, in the order selected, the batch reuses the stored
label or buys one through fulfillment.labels.buy_label. A shipment that
gets no label does not stop the batch: it is listed in the job's message
and on a summary page after the labels.
"""

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from shop.jobs import JobError, JobFile, Progress, start_job
from shop.models import StaffJob

from . import labels
from .documents.label_batch_summary import MissingLabel, render_label_batch_summary
from .models import Shipment

logger = logging.getLogger(__name__)

JOB_KIND = "label_batch"
# Shipments one batch takes. Each label bought is up to three Canada Post
# calls, so this keeps a batch well inside the staff job time limit.
MAX_BATCH_SHIPMENTS = 200
# Maximum number of shipments without a label that the job message names.
# The summary page lists them all.
MESSAGE_FAILURE_LIMIT = 10


class LabelBatchError(ValueError):
    """Raised when the selection cannot be printed as one batch. The message
    states why."""


class LabelMissing(Exception):
    """Raised when a shipment of the batch has no label to print. The
    message states why."""


@dataclass
class LabelBatch:
    """The labels collected so far and the shipments left without one."""

    readers: list[PdfReader] = field(default_factory=list)
    bought: int = 0
    missing: list[MissingLabel] = field(default_factory=list)


@dataclass(frozen=True)
class LabelToBuy:
    """A shipment whose label the batch would buy, with its estimated cost."""

    shipment: Shipment
    estimated_cost: Decimal | None


@dataclass
class LabelBatchPlan:
    """The labels a selection would buy, print again or lack, to confirm."""

    carrier: str
    to_buy: list[LabelToBuy] = field(default_factory=list)
    reprinted: list[Shipment] = field(default_factory=list)
    unlabelled: list[Shipment] = field(default_factory=list)

    @property
    def estimated_total(self) -> Decimal:
        """Sum of the estimates known; see without_estimate for the rest."""
        costs = [label.estimated_cost for label in self.to_buy]
        return sum((cost for cost in costs if cost is not None), Decimal("0.00"))

    @property
    def without_estimate(self) -> list[Shipment]:
        return [label.shipment for label in self.to_buy if label.estimated_cost is None]


def plan_label_batch(*, shipment_ids: Sequence[int]) -> LabelBatchPlan:
    """Sort `shipment_ids` into labels to buy, to print again and missing.

    Reads only, so staff can see how many labels would be bought, from
    which carrier and at what estimated cost before anything is bought.
    Raises LabelBatchError as start_label_batch does.
    """
    _check_count(len(shipment_ids))
    shipments = (
        Shipment.objects.filter(pk__in=shipment_ids)
        .select_related("order")
        .annotate(
            order_shipments=Count(
                "order__shipments",
                filter=~Q(order__shipments__status=Shipment.Status.CANCELLED),
            )
        )
        .order_by("created_at", "pk")
    )
    # NOTE: a shop label's estimate packs the shipment, a few queries each,
    # so this page's queries grow with the selection (MAX_BATCH_SHIPMENTS).
    plan = LabelBatchPlan(carrier=labels.label_carrier())
    for shipment in shipments:
        if shipment.label_pdf:
            plan.reprinted.append(shipment)
        elif shipment.status in labels.LABEL_STATUSES:
            cost = labels.estimate_label_cost(
                shipment, order_shipments=shipment.order_shipments
            )
            plan.to_buy.append(LabelToBuy(shipment, cost))
        else:
            plan.unlabelled.append(shipment)
    return plan


def start_label_batch(*, shipment_ids: Sequence[int], user: User) -> StaffJob:
    """Queue a job printing the labels of `shipment_ids`, in that order.

    Call inside the request's transaction: the job is queued when it
    commits. Raises LabelBatchError for no shipments or more than
    MAX_BATCH_SHIPMENTS.
    """
    count = len(shipment_ids)
    _check_count(count)
    title = f"Labels for {_count(count, 'shipment')}"
    return start_job(
        kind=JOB_KIND,
        title=title,
        params={"shipment_ids": list(shipment_ids)},
        user=user,
    )


def _check_count(count: int) -> None:
    if count == 0:
        raise LabelBatchError("No shipments are selected. Select some and print.")
    if count > MAX_BATCH_SHIPMENTS:
        raise LabelBatchError(
            f"{count} shipments are selected, and one label batch takes at most "
            f"{MAX_BATCH_SHIPMENTS}. Select {MAX_BATCH_SHIPMENTS} or fewer and "
            f"print again."
        )


def print_label_batch(job: StaffJob, progress: Progress) -> JobFile:
    """Collect or buy each shipment's label and merge them into one PDF.

    The staff job function of JOB_KIND. Progress counts shipments. Raises
    JobError when no shipment got a label, so there is nothing to print.
    Runs outside a transaction, because buy_label calls the carrier
    between transactions of its own.
    """
    shipment_ids = job.params["shipment_ids"]
    total = len(shipment_ids)
    batch = LabelBatch()
    progress.report(0, total, "Starting")
    for done, shipment_id in enumerate(shipment_ids, start=1):
        number = _add_label(batch, shipment_id)
        progress.report(done, total, f"Shipment {number}")

    if not batch.readers:
        raise JobError(
            f"No label could be printed, so there is no file.\n"
            f"{_missing_text(batch.missing)}"
        )
    return JobFile(
        filename=f"labels-{timezone.localdate():%Y-%m-%d}-job-{job.pk}.pdf",
        content=_merge(batch),
        summary=_summary(batch),
    )


def _add_label(batch: LabelBatch, shipment_id: int) -> str:
    """Add a shipment's label to the batch, or its reason for having none.

    Returns the shipment number, for the progress message.
    """
    shipment = Shipment.objects.select_related("order").filter(pk=shipment_id).first()
    if shipment is None:
        reason = "The shipment was deleted after it was selected."
        batch.missing.append(MissingLabel(f"id {shipment_id}", "", reason))
        return f"id {shipment_id}"
    try:
        pdf, bought = _label_pdf(shipment)
        reader = PdfReader(io.BytesIO(pdf))
        if not reader.pages:
            raise PdfReadError("it has no pages")
        batch.readers.append(reader)
    except LabelMissing as error:
        batch.missing.append(_missing(shipment, str(error)))
    except PdfReadError as error:
        reason = (
            f"The stored label is not a readable PDF ({error}). Void the label "
            f"and buy another."
        )
        batch.missing.append(_missing(shipment, reason))
    except Exception as error:
        # One shipment's unexpected error must not cost the batch the
        # other labels. It is logged with its traceback and listed on the
        # summary page.
        logger.exception(
            "Label batch: shipment %s failed", shipment.number, extra=_ids(shipment)
        )
        reason = f"Unexpected error ({type(error).__name__}: {error})."
        batch.missing.append(_missing(shipment, reason))
    else:
        batch.bought += bought
    return shipment.number


def _label_pdf(shipment: Shipment) -> tuple[bytes, bool]:
    """Return the shipment's label PDF and whether it was bought just now."""
    if shipment.label_pdf:
        return _read_label(shipment), False
    if shipment.status not in labels.LABEL_STATUSES:
        raise LabelMissing(
            f"The shipment is {shipment.get_status_display().lower()} and has no "
            f"label, and only a ready or packed shipment can get one."
        )
    try:
        labelled = labels.buy_label(shipment_id=shipment.pk)
    except labels.LabelUnavailable as error:
        raise LabelMissing(
            f"Canada Post could not be reached, so no label was bought: {error} "
            f"Print this shipment again later."
        ) from error
    if labelled is None:
        # buy_label saved its reason in last_error. If another task
        # labelled the shipment meanwhile, that label is printed instead.
        shipment.refresh_from_db()
        if not shipment.label_pdf:
            raise LabelMissing(shipment.last_error or "No label was bought.")
        return _read_label(shipment), False
    return _read_label(labelled), True


def _read_label(shipment: Shipment) -> bytes:
    try:
        with shipment.label_pdf.open("rb") as stored:
            return stored.read()
    except FileNotFoundError:
        raise LabelMissing(
            f"The label file {shipment.label_pdf.name} is missing from "
            f"MEDIA_ROOT. Restore it from a backup, or void the label and buy "
            f"another."
        ) from None


def _merge(batch: LabelBatch) -> bytes:
    writer = PdfWriter()
    for reader in batch.readers:
        writer.append(reader)
    if batch.missing:
        summary = render_label_batch_summary(
            printed=len(batch.readers), missing=batch.missing
        )
        writer.append(PdfReader(io.BytesIO(summary)))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _summary(batch: LabelBatch) -> str:
    text = f"{_count(len(batch.readers), 'label')} in the PDF"
    if batch.bought:
        text += f", {batch.bought} bought now"
    text += "."
    if batch.missing:
        text += " The last page lists the shipments without a label.\n"
        text += _missing_text(batch.missing)
    return text


def _missing_text(missing: Sequence[MissingLabel]) -> str:
    lines = [
        f"{shipment.shipment_number}: {shipment.reason}"
        for shipment in missing[:MESSAGE_FAILURE_LIMIT]
    ]
    if len(missing) > MESSAGE_FAILURE_LIMIT:
        lines.append(f"and {len(missing) - MESSAGE_FAILURE_LIMIT} more.")
    return f"{_count(len(missing), 'shipment')} without a label:\n" + "\n".join(lines)


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _missing(shipment: Shipment, reason: str) -> MissingLabel:
    logger.warning(
        "Label batch: no label for shipment %s: %s",
        shipment.number,
        reason,
        extra=_ids(shipment),
    )
    return MissingLabel(shipment.number, str(shipment.order.number), reason)


def _ids(shipment: Shipment) -> dict[str, object]:
    return {"shipment_id": shipment.pk, "shipment_number": shipment.number}
