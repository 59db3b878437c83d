"""The chart of accounts a new Canadian small shop starts with.

Each entry is (key, code, name, type, province). The key is the account's
role in the posting rules; staff may rename and renumber the accounts.
"""

CHART_OF_ACCOUNTS = [
    ("bank", "1000", "Bank", "asset", ""),
    ("stripe_clearing", "1010", "Stripe clearing", "asset", ""),
    ("cash_drawer", "1020", "Cash drawer", "asset", ""),
    ("card_terminal_clearing", "1030", "Card terminal clearing", "asset", ""),
    ("accounts_receivable", "1100", "Accounts receivable", "asset", ""),
    ("inventory", "1200", "Inventory", "asset", ""),
    ("gst_hst_recoverable", "1300", "GST/HST recoverable (ITCs)", "asset", ""),
    ("accounts_payable", "2000", "Accounts payable", "liability", ""),
    ("goods_received_not_billed", "2010", "Goods received not billed", "liability", ""),
    ("gst_hst_payable", "2200", "GST/HST payable", "liability", ""),
    ("pst_payable_bc", "2210", "PST payable (BC)", "liability", "BC"),
    ("rst_payable_mb", "2220", "RST payable (MB)", "liability", "MB"),
    ("pst_payable_sk", "2230", "PST payable (SK)", "liability", "SK"),
    ("qst_payable", "2240", "QST payable", "liability", "QC"),
    ("owners_equity", "3000", "Owner's equity", "equity", ""),
    ("sales_online", "4000", "Sales revenue (online)", "revenue", ""),
    ("sales_in_store", "4010", "Sales revenue (in-store)", "revenue", ""),
    ("shipping_revenue", "4100", "Shipping revenue", "revenue", ""),
    ("sales_returns", "4900", "Sales returns", "revenue", ""),
    ("cost_of_goods_sold", "5000", "Cost of goods sold", "expense", ""),
    ("inventory_shrinkage", "5100", "Inventory shrinkage", "expense", ""),
    ("processing_fees", "5200", "Payment processing fees", "expense", ""),
    ("shipping_expense", "5300", "Shipping expense", "expense", ""),
    ("cash_rounding", "5400", "Cash rounding", "expense", ""),
    ("office_supplies", "5500", "Office and packing supplies", "expense", ""),
]
