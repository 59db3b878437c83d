"""Clean text typed into storefront forms before it reaches the database.

PostgreSQL rejects a NUL character in a text value with an error, and the
other C0 and C1 control characters only ever arrive by mistake or from
tampered requests, so storefront input drops them.
"""

import re

# Tabs and line breaks separate words, so they become spaces. Every other
# character of Unicode category Cc is removed.
_WHITESPACE_CONTROLS = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85]")
_OTHER_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def strip_control_characters(text: str) -> str:
    """Drop control characters; tabs and line breaks become spaces."""
    return _OTHER_CONTROLS.sub("", _WHITESPACE_CONTROLS.sub(" ", text))
