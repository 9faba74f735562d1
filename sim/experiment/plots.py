"""Figures for reports: trajectories with confidence bands, a forest plot, sensitivity bars.

Figures are drawn on matplotlib's Agg canvas directly (no pyplot), so they work on headless
machines and in worker threads, and never disturb a backend another part of the program chose.
Each function takes the tidy frames from :mod:`sim.experiment.analysis` and writes one figure,
in each format asked for (``--figures``: PNG for reading, SVG or PDF for a journal), byte for
byte the same whenever the same numbers are drawn (:func:`save_figure`).
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.cli import DEFAULT_FIGURES, FIGURE_FORMATS, NO_FIGURES
from sim.experiment.analysis import comparison_labels, label_lines
from sim.metrics import BETTER_WORDS, COSTS, metric_info
from sim.wording import DEFAULT_CONFIDENCE, percent_level

NCOLS = 3
FOREST_LABEL_WIDTH = 44  # characters a forest plot's row label keeps on a line (``label_lines``)
DPI = 110  # a PNG's resolution (and of anything rasterised in a vector file)
# Without these, SVG and PDF files record when they were written, and SVG names its clip paths and
# markers from a random salt: two builds of the same report differed in every vector figure.
STABLE_METADATA: dict[str, dict[str, None]] = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}
SVG_HASHSALT = "promosim"
# How report.md shows a format: an image it embeds (SVG first, as sharp at any zoom), or a link.
EMBEDDED = ("svg", "png")


def save_figure(draw: Callable[[], Figure | None] | None, path: Path,
                formats: Sequence[str] = DEFAULT_FIGURES) -> list[Path]:
    """Draw the figure and write it as ``path``.FORMAT in each of ``formats``; remove its files in the others.

    A report rebuilt in other formats (or with nothing to draw) would otherwise leave an older
    figure beside it, looking current, that report.md no longer shows and that another design's
    or other metrics' numbers drew. Only this figure's own names (``forest.png``,
    ``forest.svg``, ``forest.pdf``) are touched. With no ``formats`` (``--figures none``) the
    figure is not drawn at all: drawing took longer than a small comparison's runs.

    Args:
        draw: Makes the figure, or None when there is nothing to draw (so may it, returning None).
        path: The file's path without its suffix, e.g. ``out / "forest"``.
        formats: Among :data:`FIGURE_FORMATS`; empty for none.

    Returns:
        The files written, in the order of ``formats``.
    """
    written: list[Path] = []
    fig = draw() if draw is not None and formats else None
    if fig is not None:
        for fmt in formats:
            target = path.parent / f"{path.name}.{fmt}"
            with matplotlib.rc_context({"svg.hashsalt": SVG_HASHSALT}):  # read when the SVG is written
                # bbox "tight": long arm labels in the legend stay whole
                fig.savefig(target, format=fmt, dpi=DPI, bbox_inches="tight", metadata=STABLE_METADATA.get(fmt))
            written.append(target)
    for fmt in FIGURE_FORMATS:
        if fig is None or fmt not in formats:
            (path.parent / f"{path.name}.{fmt}").unlink(missing_ok=True)
    return written


def not_drawn_lines(figures: Sequence[str], against: str | None = None) -> list[str]:
    """Markdown in place of a report's plots when it has no ``figures`` (``--figures none``), saying how to draw them.

    None (an empty list) when there are ``figures``: the plots themselves stand there.

    An empty Plots section read as if the plots had failed or the runs had nothing to show. The
    command names the folder as FOLDER, as report.md's other commands do, so that a report rebuilt
    in a copy of the folder is the same report; a report ``--against`` an arm names the arm and
    the folder its command takes ("on this folder" pointed at its own, which holds no runs).
    """
    if figures:
        return []
    draw = ["promosim", "experiment", "report", "FOLDER", *(["--against", against] if against else []),
            "--figures", "png"]
    folder = "the comparison's folder, one up from this report's" if against else "this report's folder"
    return [f"No plot drawn: no plot format was asked for (`--figures {NO_FIGURES}`, given to this command or kept "
            f"from the command that made the folder's runs). `{shlex.join(draw)}` (FOLDER: {folder}; or svg, pdf) "
            "draws them from the stored runs, running nothing.", ""]


def figure_lines(alt: str, written: Sequence[Path]) -> list[str]:
    """Markdown for one figure written in ``written``'s formats: the image, and a link to each other format.

    Markdown viewers show SVG and PNG inline but not PDF; a PDF alone is linked rather than
    joined by a PNG nobody asked for (``--figures png,pdf`` embeds the PNG and links the PDF).
    """
    if not written:
        return []
    shown = next((p for fmt in EMBEDDED for p in written if p.suffix == f".{fmt}"), None)
    others = [f"[{p.suffix[1:].upper()}]({p.name})" for p in written if p != shown]
    if shown is None:
        return [f"{alt[:1].upper()}{alt[1:]}: {', '.join(others)} (markdown cannot show a PDF here; "
                "--figures pdf,svg adds an SVG it shows)", ""]
    also = [f"Also as {', '.join(others)}.", ""] if others else []
    return [f"![{alt}]({shown.name})", "", *also]


def _grid(n: int, width: float = 5.0, height: float = 3.2) -> tuple[Figure, list]:
    """A figure with ``n`` panels in rows of up to three."""
    ncols = min(NCOLS, max(1, n))
    nrows = max(1, math.ceil(n / ncols))
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def _colors(n: int) -> list:
    """Distinct colours; tab10 for a few arms, tab20 beyond."""
    from matplotlib import colormaps  # noqa: PLC0415

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def panel_title(metric: str, of_differences: bool = False) -> str:
    """A panel's title in words a reader of the figure alone can follow, with the column name to look up.

    "hidden_ambition_rate" says little to a reader of a paper or a board pack; the plain label and
    which way is better say it, and the code name ties the panel to effects.csv. On a panel of
    differences (``of_differences``, the forest plot) a ratio's "closer to 1 is better" read as
    if about the difference, whose axis is centred on 0: there it says the ratio is.
    """
    info = metric_info(metric)
    if info is None:
        return metric
    better = BETTER_WORDS[info.better].rstrip(".").lower() if info.better else ""
    if of_differences and info.better == "one":
        better = "the ratio itself is better closer to 1"
    if metric in COSTS:  # a cost, not a result: "lower is better" ranked a lever below doing nothing
        better = "a cost in people's time"
    return f"{info.label[:1].upper()}{info.label[1:]}\n{metric}" + (f" ({better})" if better else "")


def plot_trajectories(bands: pd.DataFrame, arms: Sequence[str], metrics: Sequence[str], path: Path,
                      title: str = "", formats: Sequence[str] = DEFAULT_FIGURES) -> list[Path]:
    """One panel per metric: each arm's mean over replications with its confidence band, by year.

    Returns:
        The files written (:func:`save_figure`), none when there was nothing to draw or no
        ``formats`` (``--figures none``).
    """
    return save_figure(lambda: trajectories_figure(bands, arms, metrics, title), path, formats)


def trajectories_figure(bands: pd.DataFrame, arms: Sequence[str], metrics: Sequence[str],
                        title: str = "") -> Figure | None:
    """The figure of :func:`plot_trajectories`, or None when no metric has a band."""
    metrics = [m for m in metrics if m in set(bands["metric"])]
    if not metrics:
        return None
    fig, axes = _grid(len(metrics))
    # The reference arm (listed first) in black on top, so every variant reads against it.
    colors = dict(zip(arms, ["black", *_colors(len(arms) - 1)], strict=True))
    for ax, metric in zip(axes, metrics, strict=True):
        sub = bands[bands["metric"] == metric]
        for i, arm in enumerate(arms):
            line = sub[sub["arm"] == arm]
            if line.empty:
                continue
            years = line["step"].to_numpy() / 12.0
            ax.plot(years, line["mean"], color=colors[arm], lw=1.8 if i == 0 else 1.2, label=arm,
                    zorder=3 if i == 0 else 2)
            ax.fill_between(years, line["low"].astype(float), line["high"].astype(float), color=colors[arm],
                            alpha=0.18, lw=0)
        ax.set_title(panel_title(metric), fontsize=9)
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(4, len(labels)), fontsize=8, frameon=False)
    if title:
        fig.suptitle(title, parse_math=False)  # a scenario's own name, as typed: "$" is no mathtext
    return fig


def plot_forest(effects: pd.DataFrame, metrics: Sequence[str], path: Path, title: str = "",
                reference: str = "baseline", formats: Sequence[str] = DEFAULT_FIGURES) -> list[Path]:
    """One panel per metric: each variant's paired difference from its baseline with its CI.

    The thin grey bar behind each estimate is the unpaired interval on the same runs: the gap
    between the two is what common random numbers bought.

    Returns:
        The files written (:func:`save_figure`), none when there was nothing to draw or no
        ``formats`` (``--figures none``).
    """
    return save_figure(lambda: forest_figure(effects, metrics, title, reference), path, formats)


def forest_figure(effects: pd.DataFrame, metrics: Sequence[str], title: str = "",
                  reference: str = "baseline") -> Figure | None:
    """The figure of :func:`plot_forest`, or None when no metric has effects.

    ``reference`` names what the differences are from on every panel's axis: an arm's label in
    a report ``--against`` it (the axes said "from baseline" under a title naming the arm).
    """
    metrics = [m for m in metrics if m in set(effects["metric"])]
    if not metrics:
        return None
    # A grid's labels run to 80 characters and more; written out beside every panel they ran into the
    # next panel and squeezed the axes until the x ticks overlapped (a researcher's trial). They
    # break at their parts, and only the panels of the first column name the rows.
    effects = effects.assign(compared=[label_lines(c, width=FOREST_LABEL_WIDTH) for c in comparison_labels(effects)])
    variants = list(dict.fromkeys(effects["compared"]))
    lines = max(v.count("\n") + 1 for v in variants)
    chars = max(len(line) for v in variants for line in v.splitlines())
    label_in = 0.065 * (chars + 7)  # 8-point text, with " (n=30)"; the other columns say only "n=30"
    ncols = min(NCOLS, len(metrics))
    fig, axes = _grid(len(metrics), width=3.8 + label_in / ncols,
                      height=0.6 + 0.3 * (lines + 0.3) * max(3, len(variants)))
    for i, (ax, metric) in enumerate(zip(axes, metrics, strict=True)):
        sub = effects[effects["metric"] == metric].set_index("compared").reindex(variants)
        y = np.arange(len(variants))[::-1]
        diff = sub["diff"].to_numpy(dtype=float)
        ax.hlines(y, sub["unpaired_ci_low"].to_numpy(float), sub["unpaired_ci_high"].to_numpy(float),
                  color="0.75", lw=1.0)
        ax.hlines(y, sub["ci_low"].to_numpy(float), sub["ci_high"].to_numpy(float), color="C0", lw=2.5)
        ax.plot(diff, y, "o", color="C0", ms=4)
        ax.axvline(0.0, color="0.3", lw=0.8, ls="--")
        if not np.isfinite(diff).any():
            ax.text(0.5, 0.5, "undefined in every pair (n = 0)", transform=ax.transAxes, ha="center", va="center",
                    color="0.4", fontsize=9)
        counts = [f"n={int(n)}" for n in sub["n"].fillna(0)]
        ax.set_yticks(y, [f"{v} ({n})" for v, n in zip(variants, counts, strict=True)] if i % ncols == 0 else counts,
                      fontsize=8)
        ax.locator_params(axis="x", nbins=5)
        ax.set_title(panel_title(metric, of_differences=True), fontsize=9)
        ax.set_xlabel(f"difference from {reference}")
        ax.grid(axis="x", alpha=0.3)
    if title:
        fig.suptitle(title, parse_math=False)  # a scenario's own name, as typed: "$" is no mathtext
    return fig


def plot_sensitivity(indices: pd.DataFrame, method: str, metrics: Sequence[str], path: Path,
                     title: str = "", formats: Sequence[str] = DEFAULT_FIGURES,
                     confidence: float = DEFAULT_CONFIDENCE) -> list[Path]:
    """Per metric, each parameter's index with its confidence interval.

    Morris: mu* (mean absolute elementary effect) with its interval (never below 0), and sigma as a
    marker (interactions / non-linearity). Sobol: first-order S1 and total ST side by side. The
    legend names the intervals' ``confidence`` level.

    Returns:
        The files written (:func:`save_figure`), none when there was nothing to draw or no
        ``formats`` (``--figures none``).
    """
    return save_figure(lambda: sensitivity_figure(indices, method, metrics, title, confidence), path, formats)


def sensitivity_figure(indices: pd.DataFrame, method: str, metrics: Sequence[str], title: str = "",
                       confidence: float = DEFAULT_CONFIDENCE) -> Figure | None:
    """The figure of :func:`plot_sensitivity`, or None when no metric has indices."""
    level = percent_level(confidence)
    metrics = [m for m in metrics if m in set(indices["metric"])]
    if not metrics:
        return None
    params = list(dict.fromkeys(indices["parameter"]))
    fig, axes = _grid(len(metrics), width=5.0, height=0.8 + 0.45 * max(3, len(params)))
    y = np.arange(len(params))[::-1]
    for ax, metric in zip(axes, metrics, strict=True):
        sub = indices[indices["metric"] == metric].set_index("parameter").reindex(params)
        if method == "morris":
            # From the interval's bounds: its low end is cut at 0, which mu* cannot go below.
            below = (sub["mu_star"] - sub["mu_star_low"]).fillna(0).clip(lower=0)
            above = (sub["mu_star_high"] - sub["mu_star"]).fillna(0).clip(lower=0)
            ax.barh(y, sub["mu_star"], xerr=np.vstack([below, above]), color="C0", alpha=0.8,
                    label=f"mu* ({level} CI)", capsize=2)
            ax.plot(sub["sigma"], y, "D", color="C3", ms=4, label="sigma")
            ax.set_xlabel("effect on metric over the range")
        else:
            ax.barh(y + 0.2, sub["S1"], height=0.38, xerr=sub["S1_conf"].fillna(0).clip(lower=0), color="C0",
                    label=f"S1 ({level} CI)", capsize=2)
            ax.barh(y - 0.2, sub["ST"], height=0.38, xerr=sub["ST_conf"].fillna(0).clip(lower=0), color="C1",
                    label=f"ST ({level} CI)", capsize=2)
            ax.set_xlabel("share of output variance")
        ax.set_yticks(y, params, fontsize=8)
        ax.set_title(panel_title(metric), fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=8, frameon=False)
    if title:
        fig.suptitle(title, parse_math=False)  # a scenario's own name, as typed: "$" is no mathtext
    return fig
