"""Small pieces of wording shared by the command line, the loaders and the reports."""

from __future__ import annotations


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with its noun in the right number: "1 person", "2 people", "1 row", "3 rows"."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def possessive(name: str) -> str:
    """A group's name as the owner of something: "women's", "Sales'" (an org-design trial read "Sales's share")."""
    return f"{name}'" if name.endswith(("s", "S")) and not name.endswith(("'s", "ss")) else f"{name}'s"
