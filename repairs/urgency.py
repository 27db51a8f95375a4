"""Urgency by rule: what the resident describes decides whether a repair is urgent.

Urgent (急修): a water leak, a power cut, someone trapped in a lift, a fire-safety fault. The
rule proposes; the resident may raise a normal request to urgent, never lower a rule's urgent.
"""

from __future__ import annotations

import re

#: Words that make a report urgent (Chinese and English), by the rule's reason.
URGENT_WORDS = {
    "leak": ("漏水", "跑水", "爆管", "水管破", "淹", "渗水", "leak", "flood", "burst pipe"),
    "power": ("停电", "断电", "跳闸", "没电", "漏电", "power cut", "no power", "outage", "sparks"),
    "trapped": ("困人", "被困", "关在电梯", "卡在电梯", "trapped", "stuck in the lift"),
    "fire": ("烟感", "消防", "火警", "着火", "冒烟", "fire", "smoke"),
}
#: Categories urgent whatever the words.
URGENT_CATEGORIES = {"fire_safety"}


def urgent_by_rule(*, category: str, description: str) -> bool:
    """True when the rules call the report urgent (category or words; case-insensitive)."""
    if category in URGENT_CATEGORIES:
        return True
    text = (description or "").lower()
    return any(re.search(re.escape(w), text) for words in URGENT_WORDS.values() for w in words)
