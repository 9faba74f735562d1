"""SVG pictures for the page: the organisation's pyramid and small line charts.

They are built as strings with numpy doing the layout, because a 1,000-person pyramid must
redraw in a few milliseconds while the model plays. All text is escaped.

The pyramid has one band per level (the top level at the top) and, within a band, one block per
track (specialist left, management right, each labelled above its cells when a level has both;
they share the band's width, so two ladders do not shrink the cells). It is laid out for the
width of its card, so that its text keeps its size. Each position is a cell: a vacancy is a
hollow square, a person is a shape whose colour says what they truly want against what their
manager believes (:data:`CATEGORIES`) and whose form says their group (circle, square, diamond,
triangle, ...). Named people (the scenario's ``people``) are ringed and labelled.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.scenario import TRACKS

if TYPE_CHECKING:
    from sim.model import PromotionModel


@dataclass(frozen=True)
class Category:
    """How a person's true aspiration and their manager's belief about it line up."""

    key: str
    label: str
    colour: str


# Blue and red for the distinction the page is about (the manager knows, or believes not): with
# green and red, those two were 17 apart (CIE Lab) for a deuteranope (a red-green deficiency
# affects about one man in twelve in a workshop room), and 104 now. Every pair of the five stays
# at least 19 apart under simulated deuteranopia, protanopia and tritanopia (Machado et al.
# 2009), against 17 before.
CATEGORIES: tuple[Category, ...] = (
    Category("seen", "wants to move up; manager knows", "#1565c0"),
    Category("unsure", "wants to move up; manager unsure", "#f9a825"),
    Category("hidden", "hidden ambition: wants to move up, manager believes not", "#d32f2f"),
    Category("false", "content where they are; manager believes they want to move", "#ce93d8"),
    Category("content", "content where they are; read right", "#b0bec5"),
)
VACANT = len(CATEGORIES)
SHAPES = ("circle", "square", "diamond", "triangle", "cross", "hexagon")
GAP_CELLS = 2
MAX_GAP = 16.0  # px between the blocks of a band: big cells' two-cell gap left their labels no room
MAX_CELL = 26.0
# The widths the pyramid is drawn at: narrower cards scale the canvas down; wider ones leave it at
# 640 px, where a 1,000-person pyramid (cells of about 15 px) and its key fit a 1080 px screen.
NARROWEST, WIDEST = 240, 640
MARGIN = 8
# The canvas's text (CSS font style, size in px). Python lays the text out, so it owns the sizes;
# 12 px and up reads on a projector.
FONTS: dict[str, tuple[str, int]] = {
    "title": ("600", 14), "level": ("600", 14), "count": ("", 13), "track": ("italic", 13), "name": ("600", 12),
    "legend": ("", 11),
}
# How wide a character is drawn, in ems, at most in practice: DejaVu Sans (Linux's sans-serif, the
# widest common one) averages about 0.6 in bold, Arial less. The canvas measures text; Python cannot.
EM_PER_CHAR = 0.68
WIDE_CHARS, WIDE_EMS = frozenset("mwMW@%"), 1.0  # DejaVu Sans draws these up to 0.98 em wide
LEGEND_GAP = 28  # a chart legend's swatch (16), the space after it (4), and the space before the next (8)
LEVEL_LABEL_HEIGHT = FONTS["level"][1] + 2 + FONTS["count"][1]
LEVEL_LINE = FONTS["level"][1] + 6  # the line above a band for its level's name and count, where no column fits them
TRACK_LINE = FONTS["track"][1] + 5  # the line above a band with two blocks, for their track labels
# Rings: a named person's (thin) and the inspected person's (thick), in px. From cells of RING_INSIDE px
# a ring stays inside its own cell, around the person's shape drawn at RINGED_SHAPE of its size, so
# that neighbours' rings never cross: drawn around the full shape they were wider than the cell, and
# Sam's and Priya's, side by side in the story's team, overlapped on a 1024 px laptop and a
# projector alike. In smaller cells (big organisations) a ring inside the cell could not be seen,
# so it goes round the cell, as before.
RING_WIDTHS = (1.5, 3.0)
RING_INSIDE = 18.0
RINGED_SHAPE = 0.55
# The charts' lines, after hidden ambition's (the pyramid's red, ``components.LINE_COLOURS``): none of the
# pyramid's colours, whose meaning a line of something else would borrow (misread rate, attrition and men
# were drawn in its blue, "the manager knows"; high performers leaving and women in its red, hidden
# ambition), and the first two apart from each other and that red under simulated dichromacies (the
# mismatch chart's timing line, green beside the red, was 18 apart in CIE Lab for a deuteranope).
PALETTE = ("#212121", "#00838f", "#6a1b9a", "#5d4037", "#ef6c00", "#2e7d32", "#c2185b")


def categories(model: PromotionModel) -> np.ndarray:
    """Category index (see CATEGORIES) of every workforce row; VACANT for empty rows."""
    wf, m = model.workforce, model.scenario.metrics
    aspiring = wf.ambition >= 0.5
    b = wf.b_interest
    knows = b >= m.interested_belief
    believes_not = b <= m.disinterested_belief
    cat = np.where(aspiring, np.where(knows, 0, np.where(believes_not, 2, 1)), np.where(knows, 3, 4))
    return np.where(wf.active, cat, VACANT).astype(np.int8)


def category_counts(model: PromotionModel) -> list[int]:
    """How many people are in each category now."""
    cat = categories(model)
    return np.bincount(cat[cat < VACANT], minlength=len(CATEGORIES)).tolist()


def _text_width(text: str, kind: str) -> float:
    """A generous estimate of how wide ``text`` is drawn in the font of ``kind`` (see :data:`FONTS`)."""
    ems = sum(WIDE_EMS if char in WIDE_CHARS else EM_PER_CHAR for char in text)
    return ems * FONTS[kind][1]


def _fit(text: str, kind: str, room: float) -> str:
    """``text``, cut with an ellipsis if it would be wider than ``room`` (so it never runs into cells)."""
    if _text_width(text, kind) <= room:
        return text
    keep = max(1, len(text) - 1)
    while keep > 1 and _text_width(text[:keep] + "\u2026", kind) > room:
        keep -= 1
    return text[:keep] + "\u2026"


@dataclass(frozen=True)
class _Band:
    """One level's row of the pyramid.

    Attributes:
        level: The level's index.
        blocks: ``(track, positions)`` of each track the level has, specialist first.
        widths: Columns of cells of each block.
        rows: Rows of cells (the tallest block's).
    """

    level: int
    blocks: tuple[tuple[int, int], ...]
    widths: tuple[int, ...]
    rows: int

    @property
    def cells_wide(self) -> int:
        """Width in cells, with the gaps between blocks."""
        return sum(self.widths) + GAP_CELLS * (len(self.widths) - 1)


def _split(counts: Sequence[int], cols: int) -> tuple[list[int], int]:
    """Columns for each block of a band, and the band's rows, within ``cols`` columns.

    A lone block fills rows of the full width. Blocks that share a band (two ladders) share that
    width, less the gaps, in proportion to their positions, with as few rows as fit, so they are
    equally tall and the band is no wider than a one-ladder band: each used to get the full width,
    so a level with two ladders was twice as wide and every cell half as big.
    """
    if len(counts) == 1:
        return [min(counts[0], cols)], math.ceil(counts[0] / cols)
    room = max(len(counts), cols - GAP_CELLS * (len(counts) - 1))
    rows = math.ceil(sum(counts) / room)
    while sum(math.ceil(n / rows) for n in counts) > room:
        rows += 1
    return [math.ceil(n / rows) for n in counts], rows


def _columns(models: Sequence[PromotionModel]) -> int:
    """Columns of cells for the widest band of any of ``models`` (side by side, both share them)."""
    biggest = max((sum(m.org.count(lv, tr) for tr in range(len(TRACKS))) for m in models
                   for lv in range(m.org.n_levels)), default=1)
    return int(min(48, max(6, math.ceil(math.sqrt(max(biggest, 1) * 3.0)))))


def _bands(model: PromotionModel, cols: int | None = None) -> list[_Band]:
    """Every level's band, the top level first (levels without positions have none)."""
    org = model.org
    levels = [tuple((tr, org.count(lv, tr)) for tr in range(len(TRACKS)) if org.count(lv, tr) > 0)
              for lv in range(org.n_levels)]
    cols = _columns([model]) if cols is None else cols
    bands = []
    for lv in range(org.n_levels - 1, -1, -1):
        if levels[lv]:
            widths, rows = _split([n for _, n in levels[lv]], cols)
            bands.append(_Band(lv, levels[lv], tuple(widths), rows))
    return bands


def _label_width(level_names: Sequence[str], bands: Sequence[_Band], width: int) -> float | None:
    """Width of the left column: the widest level name or count, if the cells leave room for it; else None.

    The cells get at least 60 % of the picture, or what they take at their largest (a small team's
    long level names then fit). Counts are measured at their widest (``positions/positions``),
    so the pyramid does not shift as people come and go. Where the widest does not fit, the names
    go on a line above their bands instead (:data:`LEVEL_LINE`): cut to fit the column, a 1024 px
    laptop with the sidebar open read "Professi…", "Executi…" and "Senior Engi…".
    """
    widest = max((max(_text_width(level_names[b.level], "level"), _text_width(f"{n:,}/{n:,}", "count"))
                  for b in bands for n in [sum(c for _, c in b.blocks)]), default=0.0)
    cells = max((b.cells_wide for b in bands), default=1) * MAX_CELL
    room = max(width * 0.4, width - MARGIN - cells)
    return widest + 12 if widest + 12 <= room else None


def _slots(cells_px: Sequence[float], labels_px: Sequence[float], room: float) -> list[float]:
    """How wide each block of a band is drawn: its cells, widened to hold its track label.

    Without the label's room a small block's label ran into its neighbour's. Where the labels do not
    fit side by side in ``room``, their extra width shrinks in proportion (the labels are then cut
    with an ellipsis), never below the cells.
    """
    want = [max(c, lab) for c, lab in zip(cells_px, labels_px, strict=True)]
    extra = sum(want) - sum(cells_px)
    spare = room - sum(cells_px)
    share = min(1.0, max(0.0, spare) / extra) if extra > 0 else 1.0
    return [c + share * (w - c) for c, w in zip(cells_px, want, strict=True)]


def _block_lefts(band: _Band, cell: float, gap: float, left: float, room: float) -> list[tuple[float, float]]:
    """Where each block of a band starts and how wide it is drawn, the band centred in ``room`` from ``left``."""
    two = len(band.blocks) > 1
    labels_px = [_text_width(TRACKS[tr], "track") if two else 0.0 for tr, _ in band.blocks]
    gaps = gap * (len(band.blocks) - 1)
    slots = _slots([w * cell for w in band.widths], labels_px, room - gaps)
    x = left + max(0.0, (room - sum(slots) - gaps) / 2)
    lefts = []
    for slot in slots:
        lefts.append((x, slot))
        x += slot + gap
    return lefts


def _free_line(placed: list[tuple[float, float, float, int]], centre: float, half: float, row_top: float) -> int:
    """The first line under a row of cells where a name centred at ``centre`` overlaps no other; records it.

    Side by side, "Sam" and "Priya" were drawn over each other as "SamPriya".
    """
    left, right = centre - half - 3, centre + half + 3
    line = 0
    while any(top == row_top and k == line and left < end and start < right for start, end, top, k in placed):
        line += 1
    placed.append((left, right, row_top, line))
    return line


def _level_label(name: str, count: str, top: float, first_rows: float, frame: _Frame) -> list[list[Any]]:
    """The level's name and count, in the left column or on a line above the band.

    Beside the band they are centred on its first rows of cells; where the column would cut names
    (``frame.above``) they are one line, whose top is ``top``.
    """
    if frame.above:
        baseline = round(top + FONTS["level"][1])
        shown = _fit(name, "level", frame.width - 2 * MARGIN - _text_width(count, "count") - 8)
        return [["level", shown, 4, baseline], ["count", count, round(4 + _text_width(shown, "level") + 8), baseline]]
    y = top + max(0.0, (first_rows - LEVEL_LABEL_HEIGHT) / 2)
    return [["level", _fit(name, "level", frame.label_width - 12), 4, round(y + FONTS["level"][1])],
            ["count", count, 4, round(y + LEVEL_LABEL_HEIGHT)]]


@dataclass(frozen=True)
class _Frame:
    """What a pyramid's layout shares with the one beside it: width, cell size, label column, gaps.

    ``above``: the level names are on a line above each band, and the cells have the whole width.
    """

    width: int
    label_width: float
    content: float
    cell: float
    gap: float
    band_gap: float
    above: bool = False

    @property
    def level_line(self) -> float:
        """The room above each band for its level's name (none when the names are in the column)."""
        return LEVEL_LINE if self.above else 0.0


def _frame(bands: Sequence[_Band], level_names: Sequence[str], width: int) -> _Frame:
    column = _label_width(level_names, bands, width)
    label_width = MARGIN if column is None else column
    content = width - label_width - MARGIN
    cell = min(MAX_CELL, content / max((b.cells_wide for b in bands), default=1))
    return _Frame(width, label_width, content, cell, min(GAP_CELLS * cell, MAX_GAP), max(6.0, cell * 0.6),
                  above=column is None)


def _draw_band(model: PromotionModel, band: _Band, y: float, frame: _Frame, order: str, highlight: int | None,
               named: dict[int, str], slot_cat: np.ndarray, slot_group: np.ndarray, slot_uid: np.ndarray,
               ) -> tuple[list[np.ndarray], list[list[int]], list[list[Any]], int]:
    """One band's cells, rings and names and track labels, its top at ``y``; and its lines of names."""
    org, cell = model.org, frame.cell
    two = len(band.blocks) > 1
    name_px = FONTS["name"][1]
    chunks: list[np.ndarray] = []
    rings: list[list[int]] = []
    texts: list[list[Any]] = []
    name_lines = 0  # lines of names under the band: neighbours' names go on separate lines
    placed: list[tuple[float, float, float, int]] = []
    lefts = _block_lefts(band, cell, frame.gap, frame.label_width, frame.content)
    for (tr, _n), w, (bx, slot_px) in zip(band.blocks, band.widths, lefts, strict=True):
        start, stop = org.ranges[(band.level, tr)]
        slots = np.arange(start, stop)
        if order == "colour":
            slots = slots[np.lexsort((slots, slot_cat[slots]))]
        idx = np.arange(slots.size)
        xs = bx + (idx % w) * cell
        ys = y + (idx // w) * cell
        chunks.append(np.column_stack([
            np.round(xs * 10), np.round(ys * 10), slot_cat[slots], slot_group[slots], slot_uid[slots],
        ]).astype(np.int64))
        uids = slot_uid[slots]
        marked = np.flatnonzero((uids >= 0) & (np.isin(uids, list(named)) | (uids == (highlight or -1))))
        for k in marked.tolist():
            uid, sx, sy = int(uids[k]), float(xs[k]), float(ys[k])
            cx, cy = sx + cell / 2, sy + cell / 2
            inspected = int(uid == highlight)
            rings.append([round(cx * 10), round(cy * 10), round(_ring_radius(cell, inspected) * 10), inspected, uid])
            if uid in named:
                line = _free_line(placed, cx, _text_width(named[uid], "name") / 2, sy)
                name_lines = max(name_lines, line + 1)
                texts.append(["name", named[uid], round(cx), round(sy + cell + (name_px + 2) * line + name_px)])
        if two:
            texts.append(["track", _fit(TRACKS[tr], "track", slot_px), round(bx), round(y - 4)])
    return chunks, rings, texts, name_lines


def _ring_radius(cell: float, inspected: int) -> float:
    """A ring's radius in a cell of ``cell`` px, for the inspected person's ring or a named one's.

    Inside the cell, half a pixel clear of its edge, where the cell is big enough (:data:`RING_INSIDE`);
    else just outside the person's own shape.
    """
    if cell >= RING_INSIDE:
        return cell / 2 - RING_WIDTHS[inspected] / 2 - 0.5
    return min(cell * 0.72, cell * 0.5 + 2)


def _slot_columns(model: PromotionModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each position's category, group shape and occupant's uid (``VACANT``, 0, -1 when empty)."""
    wf, occupant = model.workforce, model.org.occupant
    cat_of_row = categories(model)
    rows_of_slot = np.where(occupant >= 0, occupant, 0)
    slot_cat = np.where(occupant >= 0, cat_of_row[rows_of_slot], VACANT)
    slot_uid = np.where(occupant >= 0, wf.uid[rows_of_slot], -1)
    slot_group = np.where(occupant >= 0, wf.group[rows_of_slot], 0) % len(SHAPES)
    return slot_cat, slot_group, slot_uid


def _band_heights(model: PromotionModel, bands: Sequence[_Band], frame: _Frame, order: str) -> dict[int, float]:
    """Each level's band height as drawn (cells, or the level's label, and the lines of names under it)."""
    columns = _slot_columns(model)
    named = {int(u): n for u, n in model.names.items()}
    heights = {}
    for band in bands:
        lines = _draw_band(model, band, 0.0, frame, order, None, named, *columns)[3] if named else 0
        beside = 0.0 if frame.above else LEVEL_LABEL_HEIGHT + 4  # the level's name beside the cells
        heights[band.level] = max(band.rows * frame.cell, beside) + (FONTS["name"][1] + 2) * lines
    return heights


def pyramid_picture(
    model: PromotionModel,
    *,
    max_width: int = 620,
    order: str = "colour",
    highlight: int | None = None,
    title: str | None = None,
    partner: PromotionModel | None = None,
) -> dict[str, Any]:
    """The organisation as a picture (see the module docstring), as data for the canvas widget.

    Coordinates are in tenths of a pixel (integers keep the message small). ``cells`` holds five
    numbers per position: x, y (top left), category (``VACANT`` for an empty position), group
    shape, and the occupant's uid (-1 when vacant). ``sample`` gives the centres (in pixels) and uids
    of the first three people, for tests and for checking the picture by hand. ``levels`` gives
    each level's band top (in pixels), by level index.

    Args:
        model: The run to draw.
        max_width: Width in pixels the picture may take (its card's width, reported by the browser); it
            is drawn at least :data:`NARROWEST` (then the browser scales it down) and at most
            :data:`WIDEST` pixels wide.
        order: ``"colour"`` sorts each block by category (shares at a glance), ``"position"`` keeps
            every person in their own seat (movement is easier to follow).
        highlight: The uid to mark (the one in the inspector).
        title: A caption above the pyramid.
        partner: The run drawn beside this one (side by side): both get the same cell size and
            label column, and each level's band starts at the same height in both, so the room
            compares level with level. With parallel ladders on one side only, that side's bands
            are taller (a line for the track names, more rows) and every level below the top was
            lower than its match on the other side.
    """
    org = model.org
    width = int(min(max(max_width, NARROWEST), WIDEST))
    runs = [model] if partner is None else [model, partner]
    cols = _columns(runs)
    bands = _bands(model, cols)
    level_names = [lv.name for lv in model.scenario.organisation.levels]
    other = _bands(partner, cols) if partner is not None else []
    frame = _frame([*bands, *other], level_names, width)
    heights = _band_heights(model, bands, frame, order)
    two_tracks = {b.level for b in bands if len(b.blocks) > 1}
    if partner is not None:
        for level, height in _band_heights(partner, other, frame, order).items():
            heights[level] = max(heights.get(level, 0.0), height)
        two_tracks |= {b.level for b in other if len(b.blocks) > 1}
    slot_cat, slot_group, slot_uid = _slot_columns(model)
    occupant = org.occupant
    named = {int(u): n for u, n in model.names.items()}
    mine = {b.level: b for b in bands}

    top = 24.0 if title else 6.0
    texts: list[list[Any]] = [["title", title, 4, 16]] if title else []
    chunks: list[np.ndarray] = []
    rings: list[list[int]] = []
    level_tops: dict[str, int] = {}
    y = top
    for level in sorted(heights, reverse=True):  # the top level first; a partner's extra level keeps its room
        name_line = y
        y += frame.level_line + (TRACK_LINE if level in two_tracks else 0.0)
        band = mine.get(level)
        if band is not None:
            level_tops[str(level)] = round(y)
            first = org.ranges[(band.level, band.blocks[0][0])][0]
            last = org.ranges[(band.level, band.blocks[-1][0])][1]
            count = f"{int((occupant[first:last] >= 0).sum()):,}/{last - first:,}"  # "1,110", as the counters
            texts += _level_label(level_names[band.level], count, name_line if frame.above else y,
                                  min(band.rows, 3) * frame.cell, frame)
            c, r, t, _ = _draw_band(model, band, y, frame, order, highlight, named, slot_cat, slot_group, slot_uid)
            chunks += c
            rings += r
            texts += t
        y += heights[level] + frame.band_gap
    cells = np.concatenate(chunks) if chunks else np.empty((0, 5), dtype=np.int64)
    people = cells[cells[:, 2] != VACANT]
    half = frame.cell * 5
    sample = [[round((x + half) / 10), round((yy + half) / 10), uid] for x, yy, _, _, uid in people[:3].tolist()]
    return {
        "width": width,
        "height": round(y + 4),
        "cell": round(frame.cell * 10),
        "cells": cells.ravel().tolist(),
        "texts": texts,
        "rings": rings,
        "ring_widths": list(RING_WIDTHS),
        # How big a ringed person's shape is drawn, as a share of an unringed one's (inside its ring).
        "ringed_shape": RINGED_SHAPE if frame.cell >= RING_INSIDE else 1.0,
        "levels": level_tops,
        "fonts": {kind: f"{style} {px}px sans-serif".lstrip() for kind, (style, px) in FONTS.items()},
        "colours": [c.colour for c in CATEGORIES],
        "labels": [c.label for c in CATEGORIES],
        "names": {str(u): n for u, n in named.items()},
        "people": int(people.shape[0]),
        "sample": sample,
    }


def compares_groups(groups: Sequence[str]) -> bool:
    """Whether representation says anything: with one group everyone is at parity by definition."""
    return len(groups) > 1


def legend_html(model: PromotionModel, partner: PromotionModel | None = None) -> str:
    """The pyramid's key: colours with their counts now, and the group shapes.

    Compact (the entries wrap side by side, one short line for the shapes), because it goes above
    the pyramid: below it, a 1,000-person pyramid pushed the key off a 1280x720 projector, and the
    room saw the colours without their meaning.

    With ``partner`` (the run beside it) each count takes as many digits' room as the wider of the
    two, so both keys wrap alike, are equally tall, and the pyramids under them start level.
    """
    counts = category_counts(model)
    digits = max(len(f"{n:,}") for n in counts + (category_counts(partner) if partner is not None else []))
    items = []
    for cat, n in zip(CATEGORIES, counts, strict=True):
        label_head, _, last = cat.label.rpartition(" ")
        label_head, label_tail = (f"{label_head} ", last) if label_head else ("", last)
        items.append(
            # One line where it fits; wrapped (the count kept with the last word) where the card is
            # narrower than the entry: kept on one line, a 1024 px window with the sidebar open
            # clipped "manager believes not: 127" at the card's edge, the count with it.
            f'<span class="promosim-key" style="max-width:100%"><svg width="11" height="11" aria-hidden="true" '
            f'style="vertical-align:-1px"><circle cx="5.5" cy="5.5" r="5" fill="{cat.colour}"/></svg> '
            f"{escape(label_head)}<span style='white-space:nowrap'>{escape(label_tail)}: "
            f"<b style='display:inline-block;min-width:{digits}ch;font-variant-numeric:tabular-nums'>{n:,}</b>"
            "</span></span>"
        )
    groups = model.scenario.group_names
    shapes = [f"{SHAPES[i % len(SHAPES)]} = {escape(name)}" for i, name in enumerate(groups)]
    said = f"Shapes: {', '.join(shapes)}. " if compares_groups(groups) else ""  # one group: "circle = all"
    return (
        '<div class="promosim-legend" style="font-size:12px;line-height:1.45;display:flex;flex-wrap:wrap;'
        'gap:0 12px;margin:2px 0 6px">'
        + "".join(items)
        + f'<span style="color:#546e7a">{said}Hollow square: vacant. '
        "Ringed: named people.</span></div>"
    )


@dataclass(frozen=True)
class Series:
    """One line of a chart.

    Attributes:
        label: Legend text.
        values: One value per month (NaN leaves a gap).
        colour: Stroke colour.
        dashed: Draw dashed (the run without levers).
    """

    label: str
    values: Sequence[float]
    colour: str
    dashed: bool = False


def _nice_max(value: float) -> float:
    """An axis maximum at or above ``value`` whose four grid steps are round too.

    The axis has five ticks (0 and four steps): a maximum of 1.5 gave ticks at 0.375 and 1.125,
    shown as "38%" and "1.1". Steps of 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten keep
    every tick round.
    """
    if not math.isfinite(value) or value <= 0:
        return 1.0
    step = value / 4
    exp = 10 ** math.floor(math.log10(step))
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * exp >= step * (1 - 1e-12):
            return 4 * m * exp
    return 40 * exp


def _fmt(value: float, percent: bool) -> str:
    """An axis tick: up to three significant digits, none that ``_nice_max`` steps do not need."""
    return f"{value * 100:.3g}%" if percent else f"{value:.3g}"


def chart_summary(months: Sequence[int], series: Sequence[Series], *, title: str, percent: bool = True,
                  pending: str | None = None) -> str:
    """A line chart in one sentence, for a screen reader: its title and each line's latest value.

    Read without it, a chart was its axis ticks ("0% 25% 50% 75% 100% y1 y2") and its legend, and
    said nothing of what the lines showed.
    """
    if not months:
        return f"{title}: no months yet."
    said = []
    for s in series:
        values = [v for v in s.values if v is not None and math.isfinite(v)]
        said.append(f"{s.label} {_fmt(values[-1], percent) if values else 'no value yet'}")
    after = f" ({pending})" if pending and all(w.endswith("no value yet") for w in said) else ""
    return f"{title}, month {months[-1]}: {'; '.join(said)}{after}."


def line_chart(
    months: Sequence[int],
    series: Sequence[Series],
    *,
    title: str,
    percent: bool = True,
    reference: float | None = None,
    width: int = 300,
    height: int = 190,
    note: str | None = None,
    pending: str | None = None,
) -> str:
    """A small line chart over months, as SVG that fills the width of its container.

    The SVG has a viewBox but no fixed size: it is as wide as the element it sits in, with the
    height following the viewBox's proportions, and its text scales with it (font sizes are in
    viewBox units, e.g. 11 for the axes). The page caps how wide a chart gets.

    Args:
        months: The x values (simulated months).
        series: The lines.
        title: Caption.
        percent: Label the y axis in percent (values are fractions).
        reference: Draw a dotted horizontal line here (e.g. parity 1.0).
        width: Width of the drawing in viewBox units (one pixel when shown at this width); it also
            decides where the legend wraps.
        height: Height in viewBox units.
        note: A tooltip for the whole chart (why it looks as it does).
        pending: Said in the plot while months have passed but no line has a value yet (when
            it will start), so an empty chart does not look broken.
    """
    legend_rows: list[list[Series]] = [[]]
    used = 0
    for s in series:
        need = LEGEND_GAP + _text_width(s.label, "legend")  # 6 px a character ran "women" into the next swatch
        if legend_rows[-1] and used + need > width - 10:
            legend_rows.append([])
            used = 0
        legend_rows[-1].append(s)
        used += need
    left, right, top = 40, 10, 22
    bottom = 20 + 14 * len(legend_rows)
    pw, ph = width - left - right, height - top - bottom
    finite = [v for s in series for v in s.values if v is not None and math.isfinite(v)]
    y_max = _nice_max(max([*finite, reference or 0.0, 0.0]) * 1.08) if finite else 1.0
    if percent:
        y_max = min(y_max, 1.0) if max(finite, default=0.0) <= 1.0 else y_max
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'style="display:block;width:100%;height:auto" data-points="{len(months)}" role="img" '
        f'aria-label="{escape(chart_summary(months, series, title=title, percent=percent, pending=pending))}">',
        "<style>.pc-t{font:600 13px sans-serif;fill:#263238}.pc-a{font:11px sans-serif;fill:#546e7a}"
        f".pc-g{{stroke:#eceff1;stroke-width:1}}.pc-l{{font:{FONTS['legend'][1]}px sans-serif;fill:#37474f}}</style>",
        *([f"<title>{escape(note)}</title>"] if note else []),
        f'<text class="pc-t" x="4" y="14">{escape(title)}</text>',
    ]
    for i in range(5):
        val = y_max * i / 4
        yy = top + ph - ph * i / 4
        out.append(f'<line class="pc-g" x1="{left}" x2="{left + pw}" y1="{yy:.1f}" y2="{yy:.1f}"/>')
        out.append(f'<text class="pc-a" x="{left - 4}" y="{yy + 3:.1f}" text-anchor="end">{_fmt(val, percent)}</text>')
    if not months:
        out.append(f'<text class="pc-a" x="{left + pw / 2:.0f}" y="{top + ph / 2:.0f}" text-anchor="middle">'
                   "no months yet: press Step or Play</text>")
    else:
        if pending and not finite:
            out.append(f'<text class="pc-a" x="{left + pw / 2:.0f}" y="{top + ph / 2:.0f}" text-anchor="middle">'
                       f"{escape(pending)}</text>")
        m0, m1 = months[0], max(months[-1], months[0] + 1)
        span = m1 - m0

        def sx(m: float) -> float:
            return left + pw * (m - m0) / span

        year_every = max(1, math.ceil(span / 12 / 6))
        first_year = (m0 - 1) // 12 + 1
        for year in range(first_year, (m1 - 1) // 12 + 2, year_every):
            m = (year - 1) * 12 + 1
            if m0 <= m <= m1:
                out.append(
                    f'<text class="pc-a" x="{sx(m):.1f}" y="{top + ph + 12}" text-anchor="middle">y{year}</text>'
                )
        if reference is not None and reference <= y_max:
            ry = top + ph - ph * reference / y_max
            out.append(f'<line x1="{left}" x2="{left + pw}" y1="{ry:.1f}" y2="{ry:.1f}" stroke="#9e9e9e" '
                       'stroke-dasharray="2,3"/>')
        step = max(1, len(months) // 400)
        for s in series:
            dash = ' stroke-dasharray="5,3"' if s.dashed else ""
            segment: list[str] = []
            segments: list[list[str]] = []
            for m, v in zip(months[::step], list(s.values)[::step], strict=False):
                if v is None or not math.isfinite(v):
                    if segment:
                        segments.append(segment)
                    segment = []
                    continue
                yy = top + ph - ph * min(v, y_max) / y_max
                segment.append(f"{sx(m):.1f},{yy:.1f}")
            if segment:
                segments.append(segment)
            for seg in segments:
                if len(seg) == 1:
                    x, yv = seg[0].split(",")
                    out.append(f'<circle cx="{x}" cy="{yv}" r="2" fill="{s.colour}"/>')
                else:
                    out.append(f'<polyline fill="none" stroke="{s.colour}" stroke-width="2"{dash} '
                               f'points="{" ".join(seg)}"/>')
    ly = top + ph + 28
    for row in legend_rows:
        lx = left - 30
        for s in row:
            dash = ' stroke-dasharray="5,3"' if s.dashed else ""
            out.append(f'<line x1="{lx:.1f}" x2="{lx + 16:.1f}" y1="{ly - 3}" y2="{ly - 3}" stroke="{s.colour}" '
                       f'stroke-width="2"{dash}/>')
            out.append(f'<text class="pc-l" x="{lx + 20:.1f}" y="{ly}">{escape(s.label)}</text>')
            lx += LEGEND_GAP + _text_width(s.label, "legend")
        ly += 14
    out.append("</svg>")
    return "".join(out)
