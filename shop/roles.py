"""Staff roles of the back office and the permissions of each.

Migrations import this table, so it must not import models. The groups are
created by shop/migrations/0003_staff_roles.py. A later change to the table
reaches existing databases only through a new migration that applies it.
"""

FULFILLMENT = "Fulfillment"
INVENTORY = "Inventory"
ACCOUNTING = "Accounting"
MANAGER = "Manager"

# Every permission of these apps goes to the Manager role.
PROJECT_APPS = ("shop", "inventory", "orders", "shipping", "fulfillment", "accounting")


def all_actions(label: str) -> tuple[str, ...]:
    """Return add, change, delete and view of `label` ("app.model")."""
    app_label, model_name = label.split(".")
    return tuple(
        f"{app_label}.{action}_{model_name}"
        for action in ("add", "change", "delete", "view")
    )


ORDER_VIEW = (
    "orders.view_order",
    "orders.view_orderline",
    "orders.view_ordertax",
    "orders.view_payment",
    "orders.view_refund",
)

# Role name to "app_label.codename" permissions. Manager gets PROJECT_APPS
# in full on top of its entry here.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    # Packs and ships orders: corrects delivery addresses and runs the
    # shipment queue with its packing slips, labels and manifests. Views
    # carrier calls and boxes. No ledger.
    FULFILLMENT: (
        "orders.view_order",
        "orders.change_order",
        "orders.view_orderline",
        *all_actions("fulfillment.shipment"),
        *all_actions("fulfillment.shipmentline"),
        *all_actions("fulfillment.trackingevent"),
        "shipping.view_carriercall",
        "shipping.view_packagingbox",
    ),
    # Counts and buys stock. The stocktake screen requires change_stock and
    # the reorder screen add_purchaseorder. Also adds and edits products
    # and variants, which the product CSV import requires. No ledger.
    INVENTORY: (
        *all_actions("inventory.stock"),
        "inventory.view_stockmovement",
        "inventory.view_location",
        *all_actions("inventory.supplier"),
        *all_actions("inventory.purchaseorder"),
        *all_actions("inventory.purchaseorderline"),
        "shop.view_product",
        "shop.add_product",
        "shop.change_product",
        "shop.view_variant",
        "shop.add_variant",
        "shop.change_variant",
    ),
    # Keeps the books with the whole accounting app. The reports and
    # exports require view_journalentry. Views orders, suppliers and sent
    # emails, and changes no stock. Issuing a refund requires
    # orders.change_order, so this role cannot do it.
    ACCOUNTING: (
        *all_actions("accounting.account"),
        *all_actions("accounting.journalentry"),
        *all_actions("accounting.journalline"),
        *all_actions("accounting.invoice"),
        *all_actions("accounting.creditnote"),
        *all_actions("accounting.creditnoteline"),
        *all_actions("accounting.creditnotetax"),
        *all_actions("accounting.supplierbill"),
        *all_actions("accounting.supplierbillline"),
        *all_actions("accounting.supplierbillpayment"),
        *all_actions("accounting.payout"),
        *all_actions("accounting.payoutitem"),
        *ORDER_VIEW,
        "inventory.view_supplier",
        "shop.view_emaillog",
    ),
    MANAGER: ("auth.view_user",),
}
