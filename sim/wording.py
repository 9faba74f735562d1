"""Small pieces of wording shared by the command line, the loaders and the reports."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

# The level of a report's intervals unless ``--confidence`` asks for another, and what every place that
# names a level says then (``percent_level``).
DEFAULT_CONFIDENCE = 0.95


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with its noun in the right number: "1 person", "2 people", "1 row", "3 rows"."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def possessive(name: str) -> str:
    """A group's name as the owner of something: "women's", "Sales'" (an org-design trial read "Sales's share")."""
    return f"{name}'" if name.endswith(("s", "S")) and not name.endswith(("'s", "ss")) else f"{name}'s"


def percent_level(level: float) -> str:
    """A confidence (or significance) level as a percentage, exactly as given: 0.95 -> "95%", 0.975 -> "97.5%".

    Every place a report names the level of its intervals says it with this, so a 90% report
    cannot say 95% in one corner. From the level's shortest decimal form, so 0.9 is "90%", not
    "90.00000000000001%".
    """
    return f"{format((Decimal(repr(float(level))) * 100).normalize(), 'f')}%"


def significance(level: float) -> float:
    """The significance level that goes with a confidence level, ``1 - level`` in decimal: 0.95 -> 0.05.

    In binary ``1 - 0.95`` is 0.050000000000000044, which a report would print as such and a
    p-value of exactly 0.05 would pass.
    """
    return float(1 - Decimal(repr(float(level))))


def named(label: str, name: str | None = None) -> str:
    """A scenario as a reader meets it: its own ``name:`` with its label, "Acme Engineering (acme)".

    The label (a file's stem, an experiment file's key) is what tables, CSV columns, folders and
    options use, so it must stay a safe identifier; the ``name:`` is what the scenario's authors call
    it. ``compare`` showed only "acme" and ``run`` only "Acme Engineering", which read as two
    organisations (an org-design trial). The label alone when there is no other name.
    """
    return f"{name} ({label})" if name and name != label else label


# What gives plain text another meaning in Markdown (CommonMark with GitHub's extensions) or as HTML:
# emphasis, code, headings, quotes, strikethrough, tags and entities anywhere, a link's "](" or "][" and
# a reference definition's "]:", and a list or a rule at the start of a line (a number before a full
# stop, ``_ORDERED``, too). Brackets alone are left, as they make no link without a definition, so a
# grid's labels (``small[voice_rate=0.3]``) read as typed; so is an underscore between two letters or
# digits, which cannot open or close emphasis there (``career_conversations``).
_MARKDOWN_SPECIAL = re.compile(r"[\\`*<>#~&]|\](?=[(\[:])|(?<![^\W_])_|_(?![^\W_])|^[-+]")
_ORDERED = re.compile(r"^(\d{1,9})([.)])")


def markdown_text(text: object) -> str:
    """``text`` written by a user (a scenario's ``name:``, a description, a level's name) as report.md should show it.

    Names went into report.md as they were typed: ``*Acme*`` came out in italics, ``<b>x</b>``
    in bold and ``# x`` as a heading of its own. Each character that means something there is
    escaped with a backslash, so the text reads as typed in a heading, a table cell or a
    sentence, and it is on one line (runs of white space, line breaks too, become one space): a
    line break ended a heading or a table row. A pipe is left to the table a text goes into
    (``_md_table`` escapes it in every cell, code spans included, which need it too); elsewhere
    it is plain text.
    """
    one_line = " ".join(str(text).split())
    return _ORDERED.sub(r"\1\\\2", _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(), one_line))


def code_span(text: object) -> str:
    """``text`` as a Markdown code span that shows it as typed, a backtick in it too.

    Paths, commands and ``key=value`` settings went into report.md between single backticks,
    so a backtick in a value (a ``--set`` value, a folder's name) ended the span there and the
    rest read as Markdown. CommonMark closes a span only at a run of as many backticks as
    opened it, so the fence is one longer than any run inside, and a space pads a value that
    starts or ends with a backtick (CommonMark takes one such space off each side). A line
    break becomes a space, as a span shows it anyway, so it cannot end a list item or a table
    row.
    """
    one_line = " ".join(str(text).splitlines())
    runs = {len(run) for run in re.findall(r"`+", one_line)}
    fence = "`" * next(n for n in range(1, len(runs) + 2) if n not in runs)
    pad = " " if one_line.startswith("`") or one_line.endswith("`") or (
        one_line.startswith(" ") and one_line.endswith(" ") and one_line.strip()) else ""
    return f"{fence}{pad}{one_line}{pad}{fence}"


def top_levels_words(levels: Sequence[Mapping[str, Any]], key_levels: int, text: Callable[[str], str] = str) -> str:
    """Which levels "the top" of the representation ratios and top shares is, in words; "" when none.

    E.g. ``Director and Executive (the top 2 of 6 levels, metrics.key_levels; 60 positions: one
    person there is about 2 percentage points of a share)``. report.md says it under its first
    table, and ``promosim run`` under its summary, whose "women at the top" did not say which
    levels (an org-design trial).

    Args:
        levels: The scenario's levels, bottom first, as mappings (``name``, ``positions``).
        key_levels: ``metrics.key_levels``.
        text: How a level's name is written (``markdown_text`` for report.md).
    """
    if not levels or key_levels <= 0:
        return ""
    top = levels[-key_levels:]
    names = [text(str(level["name"])) for level in top]
    positions = sum(sum((level.get("positions") or {}).values()) for level in top)
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    if key_levels >= len(levels):
        return f"every level ({listed}: metrics.key_levels covers all {len(levels)})"
    return (f"{listed} (the top {key_levels} of {len(levels)} levels, metrics.key_levels; "
            f"{positions:,} positions{_one_person(positions)})")


def _one_person(positions: int) -> str:
    """What one person is of a share of a small top, in percentage points.

    An HR user's VP read +7.6 points of women at the top as a large change; on 16 seats it was
    about one woman.
    """
    if not 0 < positions <= 200:
        return ""
    points = 100 / positions
    return f": one person there is about {points:.{0 if points >= 1.5 else 1}f} percentage points of a share"
