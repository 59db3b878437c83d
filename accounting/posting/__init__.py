"""The posting rules: what each business event writes to the ledger.

One module per family of events (sales, stock, Stripe, refunds, supplier
bills); each rule builds its postings and hands them to
accounting.ledger.post_entry in the transaction that records the event.
"""
