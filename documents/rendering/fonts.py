"""The serif font files used where a layout engine does not go through fontconfig."""

from __future__ import annotations

import functools
import io
import logging
import shutil
import subprocess  # noqa: S404 - fc-match is called with fixed arguments
from dataclasses import dataclass
from pathlib import Path

from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.writer import BasePdfFileWriter

# fontTools reports each table it drops while subsetting; that is expected, not news.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

FAMILY_CSS = '"Times New Roman", "Liberation Serif", serif'
FAMILY_DOCX = "Times New Roman"  # Word substitutes Liberation Serif (same metrics) if absent

_STYLES = {
    (False, False): ("Regular", "Times New Roman.ttf"),
    (True, False): ("Bold", "Times New Roman Bold.ttf"),
    (False, True): ("Italic", "Times New Roman Italic.ttf"),
    (True, True): ("BoldItalic", "Times New Roman Bold Italic.ttf"),
}
_DIRS = (
    Path("/usr/share/fonts/truetype/msttcorefonts"),
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)


class FontNotFound(RuntimeError):
    """No Times New Roman or Liberation Serif file is installed."""


@functools.cache
def font_file(*, bold: bool = False, italic: bool = False) -> Path:
    """Times New Roman if installed, else Liberation Serif (Debian fonts-liberation2)."""
    style, times_name = _STYLES[(bold, italic)]
    for directory in _DIRS:
        for name in (times_name, f"LiberationSerif-{style}.ttf"):
            if (directory / name).is_file():
                return directory / name
    return _fc_match(style)


def _fc_match(style: str) -> Path:
    fc_match = shutil.which("fc-match")
    if fc_match:
        found = subprocess.run(  # noqa: S603
            [fc_match, "-f", "%{file}", f"Liberation Serif:style={style}"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if "LiberationSerif" in found and Path(found).is_file():
            return Path(found)
    raise FontNotFound("Liberation Serif is not installed: apt-get install fonts-liberation2")


@functools.cache
def font_bytes_1000_upm(*, bold: bool = False, italic: bool = False) -> bytes:
    """The font rescaled to 1000 units per em, as pyHanko's glyph widths assume."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(font_file(bold=bold, italic=italic))
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


@functools.cache
def _advances(bold: bool, italic: bool) -> tuple[dict[int, int], int]:
    from fontTools.ttLib import TTFont

    font = TTFont(font_file(bold=bold, italic=italic))
    metrics = font["hmtx"].metrics
    cmap = font.getBestCmap()
    return {code: metrics[name][0] for code, name in cmap.items()}, font["head"].unitsPerEm


def text_width_pt(text: str, size: float, *, bold: bool = False, italic: bool = False) -> float:
    """Width of a line of text in the serif face, without kerning."""
    advances, units = _advances(bold, italic)
    average = units // 2
    return sum(advances.get(ord(char), average) for char in text) * size / units


@dataclass(frozen=True)
class SerifFontFactory(FontEngineFactory):
    """pyHanko font engine for the serif face: embedded as a subset, full Vietnamese."""

    font_size: float = 10
    bold: bool = False
    italic: bool = False

    def create_font_engine(
        self, writer: BasePdfFileWriter, obj_stream: object = None
    ) -> GlyphAccumulator:
        """A glyph accumulator on the rescaled font file."""
        handle = io.BytesIO(font_bytes_1000_upm(bold=self.bold, italic=self.italic))
        return GlyphAccumulator(writer, handle, self.font_size, obj_stream=obj_stream)
