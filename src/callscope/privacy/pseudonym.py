"""Pseudonyms for customer identifiers: keyed HMAC-SHA256 (RFC 2104), the same value in
Python and in DuckDB SQL.

An identifier is first normalized, so that the ways one person is written match:
surrounding spaces, tabs and line ends are dropped; a phone number (digits with spaces,
dashes, dots, parentheses and a leading ``+``) keeps only its digits and the ``+``;
anything with an ``@`` has its ASCII letters lower-cased (the same in Python and SQL,
whatever the Unicode tables of either say). The pseudonym is ``p_`` and the first 24 hex digits (96 bits) of
``HMAC-SHA256(key, normalized)``: the same person always gets the same pseudonym (FCR,
repeat contacts and customer history still work), nobody without the key can compute or
reverse it, and a collision in a center's lifetime is out of reach (2**-48 for a
billion customers).

>>> key = bytes(range(32))
>>> pseudonym("+48 600-100-200", key) == pseudonym("+48600100200", key)
True
>>> pseudonym("Ann@Example.com ", key) == pseudonym("ann@example.com", key)
True
>>> pseudonym("+48600100200", key)[:2], len(pseudonym("+48600100200", key))
('p_', 26)
"""

from __future__ import annotations

import hashlib
import hmac
import re

__all__ = ["PREFIX", "is_pseudonym", "normalize", "pseudonym", "pseudonym_sql", "redact"]

PREFIX = "p_"
_HEX = 24
_PHONE = re.compile(r"\+?\(?[0-9][0-9 ()./-]*")
_PHONE_SQL = r"^\+?\(?[0-9][0-9 ()./-]*$"
_PSEUDONYM = re.compile(r"p_[0-9a-f]{24}")


_SPACE = " \t\r\n"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_ASCII_LOWER = str.maketrans(_UPPER, _LOWER)


def normalize(identifier: str) -> str:
    """The form of ``identifier`` that is hashed (see the module docstring)."""
    t = identifier.strip(_SPACE)
    if _PHONE.fullmatch(t):
        return ("+" if t.startswith("+") else "") + re.sub(r"[^0-9]", "", t)
    if "@" in t:
        return t.translate(_ASCII_LOWER)
    return t


def pseudonym(identifier: str, key: bytes) -> str:
    """``p_`` + 24 hex digits of HMAC-SHA256(key, normalize(identifier))."""
    digest = hmac.new(key, normalize(identifier).encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:_HEX]


def is_pseudonym(value: str) -> bool:
    """Whether ``value`` already is a pseudonym (ingesting it again leaves it as it is)."""
    return bool(_PSEUDONYM.fullmatch(value))


def _pads(key: bytes) -> tuple[bytes, bytes]:
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def pseudonym_sql(expr: str, key: bytes) -> tuple[str, list[bytes]]:
    """A DuckDB SQL expression computing :func:`pseudonym` of the text column ``expr``
    (an identifier the caller controls, never user text), and its two parameters (the
    HMAC inner and outer pads, bound, so the key never appears in SQL text). Nulls stay
    null; pseudonyms stay as they are."""
    inner, outer = _pads(key)
    t = f"trim({expr}, chr(32) || chr(9) || chr(13) || chr(10))"
    norm = (
        f"CASE WHEN regexp_full_match({t}, '{_PHONE_SQL}') "
        f"THEN (CASE WHEN starts_with({t}, '+') THEN '+' ELSE '' END) "
        f"|| regexp_replace({t}, '[^0-9]', '', 'g') "
        f"WHEN contains({t}, '@') THEN translate({t}, '{_UPPER}', '{_LOWER}') ELSE {t} END"
    )
    mac = f"sha256(?::BLOB || unhex(sha256(?::BLOB || encode({norm}))))"
    sql = (
        f"CASE WHEN {expr} IS NULL THEN NULL "
        f"WHEN regexp_full_match({expr}, '{_PSEUDONYM.pattern}') THEN {expr} "
        f"ELSE '{PREFIX}' || left({mac}, {_HEX}) END"
    )
    return sql, [outer, inner]


#: What looks like a customer identifier inside free text (a rejected line): a phone
#: number of seven or more digits, or an e-mail address.
_IN_TEXT = re.compile(r"\+?\(?\d[\d ()./-]{5,}\d|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


#: Runs of digits that are times, not people: an ISO date (with its hour, as the
#: digit run stops at the ``:``) and Unix seconds of 2001-2033, with or without a
#: fraction (queue_log times and Asterisk call ids). A national phone number of ten
#: digits does not start with 1 (North America) or starts with 0 (most of the world).
_NOT_A_NUMBER = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2})?|1\d{9}(?:\.\d+)?")


def _pseudonym_unless_time(m: re.Match[str], key: bytes) -> str:
    text = m.group(0)
    return text if _NOT_A_NUMBER.fullmatch(text) else pseudonym(text, key)


def redact(text: str, key: bytes) -> str:
    """``text`` with every phone number and e-mail address in it replaced by its
    pseudonym (a rejected line keeps its shape but no longer names the caller); dates
    and Unix times stay as they are (:data:`_NOT_A_NUMBER`), so a rejected line still
    says when.

    >>> key = bytes(range(32))
    >>> line = redact("1700000000|1700000000.15|Sales|NONE|ENTERQUEUE||+48 600 100 200|1", key)
    >>> line.count("600 100"), line.startswith("1700000000|1700000000.15|Sales")
    (0, True)
    >>> redact("2026-03-02 09:15:04,Ann@example.com,paid", key).startswith("2026-03-02 09:15:04,p_")
    True
    >>> redact("no identifiers here", key)
    'no identifiers here'
    """
    return _IN_TEXT.sub(lambda m: _pseudonym_unless_time(m, key), text)
