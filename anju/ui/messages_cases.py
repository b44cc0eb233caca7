"""The cases pages' part of the message catalogue (merged into `anju.ui.i18n.MESSAGES`).

Owns: the keys of the cases pages, in Simplified Chinese and English.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {},
    "en": {},
}
