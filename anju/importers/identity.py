"""Chinese personal identifiers: the resident ID number (GB 11643) and phone numbers.

Owns: checking and masking ID numbers and phones, and masking names. Pure functions; imports
nothing from Anju.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from operator import mul

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ASCII_ZERO_TOTAL = 48 * sum(_WEIGHTS)  # the weighted sum of seventeen b"0" bytes
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?[1-9]\d{6,7}(-\d{1,6})?$")


def id_check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    if first17.isascii() and first17.isdigit():  # bytes are the digits' codes: no int() per digit
        total = sum(map(mul, first17.encode(), _WEIGHTS)) - _ASCII_ZERO_TOTAL
    else:
        total = sum(map(mul, map(int, first17), _WEIGHTS))
    return _CHECK[total % 11]


@lru_cache(maxsize=65536)
def _valid_birth_date(digits: str) -> bool:
    """Whether `YYYYMMDD` is a real date (cached: many owners share a birth date)."""
    try:
        date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return False
    return True


def id_number_problem(value: str) -> str | None:
    """Why `value` is not a valid 18-character resident ID number, or None when it is."""
    if len(value) == 15 and value.isdigit():
        return (
            "15 位旧身份证号，请提供 18 位号码 "
            "(15-digit first-generation ID; ask for the 18-digit one)"
        )
    if not _ID_SHAPE.match(value):
        return f"身份证号格式错误 (ID number must be 17 digits plus a digit or X): {value}"
    if not _valid_birth_date(value[6:14]):
        return f"身份证号中的出生日期无效 (invalid birth date in ID number): {value}"
    if id_check_char(value[:17]) != value[17]:
        return f"身份证号校验位错误 (ID number checksum fails, GB 11643): {value}"
    return None


def phone_problem(value: str) -> str | None:
    """Why `value` is neither a mainland mobile nor a landline with area code, or None."""
    if MOBILE.match(value) or _LANDLINE.match(value):
        return None
    if value.isdigit() and len(value) in (7, 8):
        return f"固定电话缺少区号 (landline without area code): {value}"
    return f"电话号码无效 (not an 11-digit mobile or a landline with area code): {value}"


def mask_phone(value: str) -> str:
    """`13812345678` → `138****5678`; landlines keep the area code and the last four digits."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(name: str) -> str:
    """`王晓燕` → `王**`: the surname stays so staff can greet the owner."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_id_number(value: str) -> str:
    """`370202199001017542` → `3702**********7542`."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


# An ID number (18 digits, or the old 15), a mobile (optionally +86 / 86, digits grouped by
# spaces or hyphens) or a landline with its area code, not inside a longer run of digits.
_IN_TEXT = re.compile(
    r"(?<![\dA-Za-z])(?:"
    r"(?P<id>\d{17}[\dXx]|\d{15})"
    r"|(?P<mobile>(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d){8})"
    r"|(?P<landline>0\d{2,3}[ -]?[1-9]\d{6,7})"
    r")(?![\dA-Za-z])"
)


def mask_in_text(text: str, names: Sequence[str] = ()) -> str:
    """Free text with the ID numbers, phone numbers and these (owners') names in it masked."""

    def masked(found: re.Match[str]) -> str:
        if found["id"]:
            return mask_id_number(found["id"])
        return mask_phone(found[0])

    text = _IN_TEXT.sub(masked, text)
    for name in sorted(names, key=len, reverse=True):
        if len(name) >= 2 and name in text:
            text = text.replace(name, mask_name(name))
    return text
