"""documents.text: cleaning typed text and making text fit for XML."""

import pytest
from lxml import etree

from documents.text import clean_text, xml_safe


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Hồ sơ \x01 kế hoạch", "Hồ sơ  kế hoạch"),
        ("Tiêu đề\x0bxấu", "Tiêu đềxấu"),
        ("  a\tb\nc\r\n  ", "a\tb\nc"),
        ("\x00x\x1f\x7fy", "x\x7fy"),
        ("nửa\ufffe\uffffđêm", "nửađêm"),
        ("", ""),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


def test_xml_safe_removes_what_xml_forbids_and_keeps_the_rest():
    raw = "a\x00b\x01c\x0bd\te\nf\rg\ud800h\ufffei\uffffj😀k Tiếng Việt "
    safe = xml_safe(raw)
    assert safe == "abcd\te\nf\rghij😀k Tiếng Việt "
    element = etree.Element("x")
    element.text = safe  # lxml accepts it
    with pytest.raises(ValueError):
        etree.Element("x").text = raw
