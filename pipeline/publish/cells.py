r"""CSV cells that a spreadsheet would run as formulas are written so it shows them as text.

The CSV files are UTF-8 with a BOM so that people open them in Excel or LibreOffice; both run a
cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, after a tab or carriage return, what
follows) as a formula — OWASP's "CSV injection". A notice is text from the web, so a title such
as ``=HYPERLINK("http://…")`` or an organisation ``@SUM(1+1)`` would become a live formula.

The rule (``docs/contract.md``, "Additions in this repository"): a text cell (a string, or a
list joined by ``;``) that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return —
after any number of ``'`` — is written with one more ``'`` in front, unless the whole cell is a
plain number such as the E.164 ``+862987424266``, which no spreadsheet runs as a formula and
which machines need exact. Codes, ids, dates and times never begin with those characters, so
they are never changed; text such as ``'7月3日' names a whole day`` is not changed either. To get
a cell's exact text back, drop the first ``'`` of any cell that matches ``^'+[=+\-@\t\r]``
(exactly reversible: a value that itself began with ``'=`` was given a second ``'``), or read the
Parquet files or ``notices.duckdb``, which hold every value exactly.

Why by hand: the rule is two lines, and the CSV libraries (the standard ``csv`` module, pandas,
pyarrow) have no such option.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")  # what a reader strips one ' from to get the exact text
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs as a formula.

    ``spreadsheet_safe("=HYPERLINK(\\"http://x\\")")`` → ``"'=HYPERLINK(\\"http://x\\")"``;
    ``spreadsheet_safe("+862987424266")`` → ``"+862987424266"``; ``spreadsheet_safe("西安市")`` →
    ``"西安市"``.
    """
    if _NEEDS_QUOTE.match(text) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def exact_text(cell: str) -> str:
    """The inverse of :func:`spreadsheet_safe`: ``exact_text("'=1+1")`` → ``"=1+1"``;
    ``exact_text("'7月3日' names a whole day")`` → unchanged."""
    return cell[1:] if NEUTRALISED.match(cell) else cell
