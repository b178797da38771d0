"""Text cleaning for what users type and what goes into XML.

- ``clean_text``: the form of a text field kept in the database: no C0 control characters
  (tab, newline and carriage return excepted), no U+FFFE/U+FFFF noncharacters, stripped.
- ``xml_safe``: a text with every character that XML 1.0 forbids removed (the safety net of
  a builder writing XML from data stored before ``clean_text`` existed).
"""

from __future__ import annotations

import re

# C0 controls except \t (0x09), \n (0x0A), \r (0x0D), and the two noncharacters U+FFFE/U+FFFF.
_UNCLEAN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Everything outside XML 1.0's Char production:
# #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(value: str) -> str:
    """The text without C0 control characters (except tab/newline/CR) or U+FFFE/U+FFFF, stripped."""
    return _UNCLEAN.sub("", value).strip()


def xml_safe(value: str) -> str:
    """The text without any character that XML 1.0 forbids (not stripped)."""
    return _NOT_XML.sub("", value)
