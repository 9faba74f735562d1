"""SVG pictures for the page: the organisation's pyramid and small line charts.

They are built as strings with numpy doing the layout, because a 1,000-person pyramid must
redraw in a few milliseconds while the model plays. All text is escaped.

The pyramid has one band per level (the top level at the top) and, within a band, one block per
track (specialist left, management right). Each position is a cell: a vacancy is a hollow square,
a person is a shape whose colour says what they truly want against what their manager believes
(:data:`CATEGORIES`) and whose form says their group (circle, square, diamond, triangle, ...).
Named people (the scenario's ``people``) are ringed and labelled.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

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


CATEGORIES: tuple[Category, ...] = (
    Category("seen", "wants to move up; manager knows", "#2e7d32"),
    Category("unsure", "wants to move up; manager unsure", "#f9a825"),
    Category("hidden", "hidden ambition: wants to move up, manager believes not", "#d32f2f"),
    Category("false", "content where they are; manager believes they want to move", "#7b1fa2"),
    Category("content", "content where they are; read right", "#90a4ae"),
)
VACANT = len(CATEGORIES)
SHAPES = ("circle", "square", "diamond", "triangle", "cross", "hexagon")
LABEL_WIDTH = 132
GAP_CELLS = 2
PALETTE = ("#1565c0", "#d32f2f", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037", "#c2185b")


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


def _shape_defs(size: float, prefix: str) -> str:
    """Symbols for the group shapes and the vacancy, each filling a ``size`` cell (ids start with ``prefix``)."""
    s, h = size, size / 2
    r = h * 0.92
    tri = f"{h:.1f},{s * 0.04:.1f} {s * 0.98:.1f},{s * 0.94:.1f} {s * 0.02:.1f},{s * 0.94:.1f}"
    dia = f"{h:.1f},0 {s:.1f},{h:.1f} {h:.1f},{s:.1f} 0,{h:.1f}"
    k = s * 0.3
    cross = (f"{k:.1f},0 {s - k:.1f},0 {s - k:.1f},{k:.1f} {s:.1f},{k:.1f} {s:.1f},{s - k:.1f} {s - k:.1f},{s - k:.1f} "
             f"{s - k:.1f},{s:.1f} {k:.1f},{s:.1f} {k:.1f},{s - k:.1f} 0,{s - k:.1f} 0,{k:.1f} {k:.1f},{k:.1f}")
    hexa = " ".join(
        f"{h + r * math.cos(math.pi / 3 * i):.1f},{h + r * math.sin(math.pi / 3 * i):.1f}" for i in range(6)
    )
    inset = s * 0.12
    return (
        f'<symbol id="{prefix}g0" overflow="visible"><circle cx="{h:.1f}" cy="{h:.1f}" r="{r:.1f}"/></symbol>'
        f'<symbol id="{prefix}g1" overflow="visible"><rect x="{inset / 2:.1f}" y="{inset / 2:.1f}" '
        f'width="{s - inset:.1f}" height="{s - inset:.1f}"/></symbol>'
        f'<symbol id="{prefix}g2" overflow="visible"><polygon points="{dia}"/></symbol>'
        f'<symbol id="{prefix}g3" overflow="visible"><polygon points="{tri}"/></symbol>'
        f'<symbol id="{prefix}g4" overflow="visible"><polygon points="{cross}"/></symbol>'
        f'<symbol id="{prefix}g5" overflow="visible"><polygon points="{hexa}"/></symbol>'
        f'<symbol id="{prefix}vac" overflow="visible"><rect x="{s * 0.2:.1f}" y="{s * 0.2:.1f}" width="{s * 0.6:.1f}" '
        f'height="{s * 0.6:.1f}" fill="none" stroke="#bdbdbd" stroke-width="1"/></symbol>'
    )


def _layout(model: PromotionModel, max_width: int) -> tuple[int, float, list[tuple[int, int, int]]]:
    """Columns per track block, cell size, and the (level, track, n_slots) blocks."""
    org = model.org
    blocks = [(lv, tr, org.count(lv, tr)) for lv in range(org.n_levels) for tr in range(len(TRACKS))]
    biggest = max((n for _, _, n in blocks), default=1)
    cols = int(min(48, max(6, math.ceil(math.sqrt(biggest * 3.0)))))
    widest = 0
    for lv in range(org.n_levels):
        used = [min(n, cols) for l2, _, n in blocks if l2 == lv and n > 0]
        widest = max(widest, sum(used) + GAP_CELLS * (len(used) - 1))
    cell = max(4.0, min(26.0, (max_width - LABEL_WIDTH - 8) / max(widest, 1)))
    return cols, cell, blocks


def pyramid_svg(
    model: PromotionModel,
    *,
    max_width: int = 620,
    order: str = "colour",
    highlight: int | None = None,
    title: str | None = None,
    tooltips: bool = True,
) -> str:
    """The organisation as a picture (see the module docstring).

    Args:
        model: The run to draw.
        max_width: Width in pixels the picture may take.
        order: ``"colour"`` sorts each block by category (shares at a glance), ``"position"`` keeps
            every person in their own seat (movement is easier to follow).
        highlight: The uid to mark (the one in the inspector).
        title: A caption above the pyramid.
        tooltips: Add a hover title to each person (name or number, role, category).
    """
    org, wf = model.org, model.workforce
    sc = model.scenario
    cols, cell, blocks = _layout(model, max_width)
    cat_of_row = categories(model)
    occupant = org.occupant
    rows_of_slot = np.where(occupant >= 0, occupant, 0)
    slot_cat = np.where(occupant >= 0, cat_of_row[rows_of_slot], VACANT)
    slot_uid = np.where(occupant >= 0, wf.uid[rows_of_slot], -1)
    slot_group = np.where(occupant >= 0, wf.group[rows_of_slot], 0) % len(SHAPES)
    level_names = [lv.name for lv in sc.organisation.levels]
    cat_labels = [escape(c.label) for c in CATEGORIES]

    sym = f"pp{round(cell * 10)}"
    top = 24.0 if title else 6.0
    band_gap = max(6.0, cell * 0.6)
    parts: list[str] = []
    labels: list[str] = []
    rings: list[str] = []
    y = top
    content_width = max_width - LABEL_WIDTH
    for lv in range(org.n_levels - 1, -1, -1):
        mine = [(tr, n) for l2, tr, n in blocks if l2 == lv and n > 0]
        if not mine:
            continue
        if len(mine) > 1:
            y += 12
        widths = [min(n, cols) for _, n in mine]
        total = sum(widths) + GAP_CELLS * (len(mine) - 1)
        x0 = LABEL_WIDTH + max(0.0, (content_width - total * cell) / 2)
        band_rows = max(math.ceil(n / cols) for _, n in mine)
        filled = int((occupant[org.ranges[(lv, mine[0][0])][0]:org.ranges[(lv, mine[-1][0])][1]] >= 0).sum())
        n_pos = sum(n for _, n in mine)
        label_y = y + min(band_rows * cell, 3 * cell) / 2 + 4
        labels.append(
            f'<text x="4" y="{label_y:.1f}" class="pp-lvl">{escape(level_names[lv])}</text>'
            f'<text x="4" y="{label_y + 13:.1f}" class="pp-cnt">{filled}/{n_pos}</text>'
        )
        bx = x0
        for (tr, _n), w in zip(mine, widths, strict=True):
            start, stop = org.ranges[(lv, tr)]
            where = f"{escape(level_names[lv])} {TRACKS[tr]}"
            slots = np.arange(start, stop)
            if order == "colour":
                slots = slots[np.lexsort((slots, slot_cat[slots]))]
            idx = np.arange(slots.size)
            xs = bx + (idx % w) * cell
            ys = y + (idx // w) * cell
            for slot, sx, sy in zip(slots.tolist(), xs.tolist(), ys.tolist(), strict=True):
                cat = int(slot_cat[slot])
                if cat == VACANT:
                    parts.append(f'<use href="#{sym}vac" x="{sx:.1f}" y="{sy:.1f}"/>')
                    continue
                uid = int(slot_uid[slot])
                tip = ""
                if tooltips:
                    name = model.names.get(uid)
                    who = escape(name) if name else f"#{uid}"
                    tip = f"<title>{who}: {where}; {cat_labels[cat]}</title>"
                parts.append(
                    f'<use href="#{sym}g{int(slot_group[slot])}" class="pp-c{cat}" x="{sx:.1f}" y="{sy:.1f}" '
                    f'data-uid="{uid}">{tip}</use>'
                )
                name = model.names.get(uid)
                if name or uid == highlight:
                    cx, cy = sx + cell / 2, sy + cell / 2
                    ring = "pp-sel" if uid == highlight else "pp-named"
                    rings.append(f'<circle class="{ring}" cx="{cx:.1f}" cy="{cy:.1f}" r="{cell * 0.72:.1f}"/>')
                    if name:
                        rings.append(
                            f'<text class="pp-name" x="{cx:.1f}" y="{sy + cell + 11:.1f}">{escape(name)}</text>'
                        )
            if len(mine) > 1:
                labels.append(
                    f'<text class="pp-trk" x="{bx:.1f}" y="{y - 2:.1f}">{TRACKS[tr]}</text>'
                )
            bx += (w + GAP_CELLS) * cell
        named_here = any(int(u) in model.names for u in slot_uid[org.level == lv] if u >= 0)
        y += band_rows * cell + band_gap + (12 if named_here else 0)
    height = y + 4
    style = (
        "<style>"
        + "".join(f".pp-c{i}{{fill:{c.colour}}}" for i, c in enumerate(CATEGORIES))
        + ".pp-lvl{font:600 12px sans-serif;fill:#37474f}.pp-cnt{font:11px sans-serif;fill:#78909c}"
        ".pp-trk{font:italic 10px sans-serif;fill:#78909c}"
        ".pp-named{fill:none;stroke:#212121;stroke-width:1.5}.pp-sel{fill:none;stroke:#1565c0;stroke-width:3}"
        ".pp-name{font:600 11px sans-serif;fill:#212121;text-anchor:middle;paint-order:stroke;stroke:#fff;"
        "stroke-width:3}"
        ".pp-ttl{font:600 13px sans-serif;fill:#263238}"
        "</style>"
    )
    head = f'<text class="pp-ttl" x="4" y="16">{escape(title)}</text>' if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{max_width}" height="{height:.0f}" '
        f'viewBox="0 0 {max_width} {height:.0f}">{style}<defs>{_shape_defs(cell - 1.0, sym)}</defs>'
        f'{head}{"".join(labels)}{"".join(parts)}{"".join(rings)}</svg>'
    )


def legend_html(model: PromotionModel) -> str:
    """The pyramid's key: colours with their counts now, and the group shapes."""
    counts = category_counts(model)
    items = []
    for cat, n in zip(CATEGORIES, counts, strict=True):
        items.append(
            f'<span class="promosim-key"><svg width="12" height="12"><circle cx="6" cy="6" r="5.5" '
            f'fill="{cat.colour}"/></svg> {escape(cat.label)}: <b>{n}</b></span>'
        )
    shapes = []
    for i, name in enumerate(model.scenario.group_names):
        shapes.append(f"{SHAPES[i % len(SHAPES)]} = {escape(name)}")
    return (
        '<div class="promosim-legend" style="font-size:12px;line-height:1.7">'
        + "<br>".join(items)
        + f'<br><span style="color:#546e7a">Shapes: {", ".join(shapes)}. Hollow square: vacant position. '
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
    """A round axis maximum at or above ``value``."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * exp >= value:
            return m * exp
    return 10 * exp


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f}%" if value * 100 >= 10 or value == 0 else f"{value * 100:.1f}%"
    return f"{value:.2g}"


def line_chart(
    months: Sequence[int],
    series: Sequence[Series],
    *,
    title: str,
    percent: bool = True,
    reference: float | None = None,
    width: int = 300,
    height: int = 190,
) -> str:
    """A small line chart over months, as SVG.

    Args:
        months: The x values (simulated months).
        series: The lines.
        title: Caption.
        percent: Label the y axis in percent (values are fractions).
        reference: Draw a dotted horizontal line here (e.g. parity 1.0).
        width: Width in pixels.
        height: Height in pixels.
    """
    legend_rows: list[list[Series]] = [[]]
    used = 0
    for s in series:
        need = 22 + 6 * len(s.label)
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
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'data-points="{len(months)}">',
        "<style>.pc-t{font:600 12px sans-serif;fill:#263238}.pc-a{font:10px sans-serif;fill:#607d8b}"
        ".pc-g{stroke:#eceff1;stroke-width:1}.pc-l{font:10px sans-serif;fill:#37474f}</style>",
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
            out.append(f'<line x1="{lx}" x2="{lx + 16}" y1="{ly - 3}" y2="{ly - 3}" stroke="{s.colour}" '
                       f'stroke-width="2"{dash}/>')
            out.append(f'<text class="pc-l" x="{lx + 20}" y="{ly}">{escape(s.label)}</text>')
            lx += 22 + 6 * len(s.label)
        ly += 14
    out.append("</svg>")
    return "".join(out)
