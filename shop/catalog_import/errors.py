class CatalogImportError(Exception):
    """A catalog file that cannot be imported, with every problem found.

    Each message names the file line, the value and the fix, as in
    'line 14: price_cad "12,5" is not a number; use a dot for cents'.
    """

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))
