"""Text that is not a notice but steers a run — file names, ``manifest.csv``, ``corrections.csv`` —
read whatever its encoding.

Chinese Windows writes GBK: a zip archive unpacked on Linux gives file names that are GBK bytes
(not UTF-8), and Excel saves a CSV as GBK unless told otherwise. Such input must not stop a run:
it is decoded as the notice readers decode notices (UTF-8 first, then the Chinese encodings,
chosen by ``charset-normalizer``), and what cannot be decoded becomes an ``errors`` row.
"""

from __future__ import annotations

import os

# The encodings Chinese files come in besides UTF-8, in order of preference when the detector
# rates two alike (short names often decode cleanly as both; mainland files are GBK far more often).
_CJK_ENCODINGS = ("gb18030", "big5")


def _best_cjk(data: bytes) -> str | None:
    """``data`` decoded in the Chinese encoding ``charset-normalizer`` finds least chaotic, or None.

    ``_best_cjk("停机.txt".encode("gbk"))`` → ``"停机.txt"`` (Big5 reads the same bytes as
    ``礿儂.txt`` just as cleanly; the tie goes to GB18030).
    """
    from charset_normalizer import from_bytes  # here: a run whose names and manifest are UTF-8 never needs it

    matches = [m for m in from_bytes(data, cp_isolation=list(_CJK_ENCODINGS)) if m.encoding in _CJK_ENCODINGS]
    if not matches:
        return None
    best = min(matches, key=lambda m: (round(m.chaos, 3), _CJK_ENCODINGS.index(m.encoding)))
    return str(best)


def decode_name(raw: bytes) -> str:
    """A file name's bytes as text: UTF-8, else GBK/Big5, else with ``\\xNN`` escapes for what is left.

    ``decode_name("西安市医保停机通知.txt".encode("gbk"))`` → ``"西安市医保停机通知.txt"``;
    ``decode_name(b"\\xff\\xfe.txt")`` → ``"\\\\xff\\\\xfe.txt"``.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = _best_cjk(raw)
    return text if text is not None else raw.decode("utf-8", "backslashreplace")


def display_path(rel: str) -> str:
    """A relative path as the OS gave it (undecodable bytes as surrogates) → readable text.

    ``display_path(os.fsdecode("sub/通知一.txt".encode("gbk")))`` → ``"sub/通知一.txt"``; a path
    that is valid UTF-8 is returned as it is.
    """
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        return "/".join(decode_name(os.fsencode(part)) for part in rel.split("/"))


class UndecodableText(ValueError):
    """Bytes that are no text in UTF-8, UTF-16 or a Chinese encoding."""


def decode_table_text(data: bytes) -> tuple[str, str]:
    """A CSV file's bytes as ``(text, encoding)``: UTF-8 (with or without BOM), UTF-16 with a BOM,
    else GBK/Big5 by detection. Raises :class:`UndecodableText`.

    ``decode_table_text("file,city\\nxian.txt,西安市\\n".encode("gbk"))`` → ``("file,city\\nxian.txt,西安市\\n", "gb18030")``.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise UndecodableText(f"not valid UTF-16 ({exc.reason} at byte {exc.start})") from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if b"\x00" in data[:4096]:
        raise UndecodableText("binary data (NUL bytes), not a CSV file")
    text = _best_cjk(data)
    if text is None:
        raise UndecodableText(f"neither UTF-8 (invalid byte at {first_bad}) nor GBK/GB18030 nor Big5")
    return text, "gb18030" if _is(data, "gb18030", text) else "big5"


def _is(data: bytes, encoding: str, text: str) -> bool:
    try:
        return data.decode(encoding) == text
    except UnicodeDecodeError:
        return False
