"""Which account a sales tax is owed to."""

TAX_ACCOUNT_KEYS = {
    ("GST", ""): "gst_hst_payable",
    ("HST", ""): "gst_hst_payable",
    ("PST", "BC"): "pst_payable_bc",
    ("RST", "MB"): "rst_payable_mb",
    ("PST", "SK"): "pst_payable_sk",
    ("QST", "QC"): "qst_payable",
}


def tax_payable_account(*, code: str, province: str) -> str:
    """Return the key of the account a tax collected in a province goes to.

    GST and HST go to one federal account whatever the province; the
    provincial taxes each have the account of the province that levies
    them. Raises ValueError for a tax the chart has no account for.
    """
    key = TAX_ACCOUNT_KEYS.get((code, "")) or TAX_ACCOUNT_KEYS.get((code, province))
    if key is None:
        raise ValueError(
            f"No tax payable account for {code} in {province}; add one to the "
            "chart of accounts and to TAX_ACCOUNT_KEYS."
        )
    return key
