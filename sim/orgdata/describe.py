"""What a model's starting organisation looks like, for ``promosim org describe``.

Works for any model, with or without a headcount file, so a user can check a file against the
scenario that will use it, and compare it with a drawn organisation. :func:`describe` returns
plain data (also printed as JSON); :func:`render` turns it into text tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.org import VACANT, ladder_gaps
from sim.orgdata.loader import hidden_note
from sim.scenario import MANAGEMENT, TRACKS
from sim.wording import counted

if TYPE_CHECKING:
    from sim.model import PromotionModel


def describe(model: PromotionModel) -> dict[str, Any]:
    """The organisation as placed: pyramid, spans of control, groups by level, what was inferred."""
    sc, org, wf = model.scenario, model.org, model.workforce
    names = [lv.name for lv in sc.organisation.levels]
    filled = org.occupant != VACANT
    pyramid = []
    for li in reversed(range(org.n_levels)):
        for ti, track in enumerate(TRACKS):
            n = org.count(li, ti)
            if n:
                k = int(filled[org.slots(li, ti)].sum())
                pyramid.append({"level": names[li], "track": track, "positions": n, "filled": k, "vacant": n - k})

    occupied = np.flatnonzero(filled)
    parents = org.parent[occupied]
    reports = np.bincount(parents[parents >= 0], minlength=org.n_slots)
    spans = []
    for li in reversed(range(org.n_levels)):
        bosses = org.slots(li, MANAGEMENT)
        bosses = bosses[filled[bosses]]
        if bosses.size:
            r = reports[bosses]
            spans.append({"level": names[li], "managers": int(bosses.size), "reports": int(r.sum()),
                          "mean": round(float(r.mean()), 2), "median": float(np.median(r)), "max": int(r.max()),
                          "no_reports": int((r == 0).sum())})
    top = int((parents < 0).sum())
    vacant_boss = int(((parents >= 0) & ~filled[np.maximum(parents, 0)]).sum())

    group_names = sc.group_names
    rows = wf.rows
    groups = []
    for li in reversed(range(org.n_levels)):
        at = rows[wf.level[rows] == li]
        counts = np.bincount(wf.group[at].astype(np.int64), minlength=len(group_names))
        groups.append({"level": names[li], "people": int(at.size),
                       **{g: int(c) for g, c in zip(group_names, counts, strict=True)}})
    overall = np.bincount(wf.group[rows].astype(np.int64), minlength=len(group_names))
    groups.append({"level": "all", "people": int(rows.size),
                   **{g: int(c) for g, c in zip(group_names, overall, strict=True)}})

    return {
        "scenario": sc.name,
        "seed": model.seed,
        "warmup_months": sc.warmup_months,
        "positions": int(org.n_slots),
        "headcount": int(rows.size),
        "pyramid": pyramid,
        "ladder_gaps": ladder_gaps(sc),
        "spans": spans,
        "at_top": top,
        "reporting_to_vacant_post": vacant_boss,
        "groups": groups,
        "workforce_share": {g.name: g.workforce_share for g in sc.groups},
        "hiring_share": {g.name: g.hiring_share for g in sc.groups},
        "inferred": _inferred(model),
    }


def _hiring_drift(d: dict[str, Any]) -> list[str]:
    """A line when hires (``groups[].hiring_share``) differ from the people placed by 5 points or more.

    Hiring replaces about a tenth of the organisation a year, so over a ten-year run a 70 %-women
    file hired at the scenario's 50/50 drifts toward 50/50, and a lever's effect on representation
    is read against that drift (an org-design trial's hospital).
    """
    whole = d["groups"][-1]  # the "all" row
    if not whole["people"]:
        return []
    now = {name: whole[name] / whole["people"] for name in d["hiring_share"]}
    if max(abs(now[name] - share) for name, share in d["hiring_share"].items()) < 0.05:
        return []
    placed = ", ".join(f"{name} {share:.0%}" for name, share in now.items())
    hired = ", ".join(f"{name} {share:.0%}" for name, share in d["hiring_share"].items())
    rounded = [round(share, 2) for share in now.values()]
    rounded[-1] = round(1.0 - sum(rounded[:-1]), 2)  # shares must add up to 1 (Scenario checks it)
    keep = ", ".join(f"{name} {share:.2f}" for name, share in zip(now, rounded, strict=True))
    return [f"  note: the people placed are {placed}, but hires follow groups[].hiring_share ({hired}), so the "
            f"mix moves toward the hires over a run; to keep it, set each group's hiring_share to its share here "
            f"({keep})"]


def _inferred(model: PromotionModel) -> dict[str, Any]:
    """What came from the file and what was sampled, or that everyone was drawn."""
    report = getattr(model, "orgdata", None)
    if report is None:
        return {"source": None, "drawn": int(model.workforce.rows.size), "named": len(model.scenario.people)}
    table = report.table
    rated = int(np.isfinite(table.performance).sum())
    return {
        "source": table.label,
        "sheet": table.sheet,
        "read": table.n,
        "hidden_rows": table.hidden,
        "retirement_note": report.retirement_note(),
        "fields": {k: {"column": v.column, "read": v.read, "inferred": v.inferred, "note": v.note,
                       **({"derived": v.derived} if v.derived else {})}
                   for k, v in table.fields.items()},
        "hidden": {
            "aspiration": {"informed_by_intent": report.informed_aspiration,
                           "drawn": table.n - report.informed_aspiration},
            "competence": {"informed_by_rating": rated, "drawn": table.n - rated},
            "other_traits": {"drawn": table.n},
        },
        "structure": dict(table.structure),
        "ignored_columns": list(table.ignored_columns),
        "blank_rows": table.blank_rows,
        "excluded": {column: dict(by_value) for column, by_value in table.excluded.items()},
        "kept": {column: dict(by_value) for column, by_value in table.kept.items()},
        "exclusion_note": table.exclusion_note() if table.excluded else None,
        "exclusion_lines": table.exclusion_lines(),
        "named": report.named,
    }


def _table(header: list[str], rows: list[list[Any]], align: str = "", indent: str = "  ") -> list[str]:
    """Fixed-width columns; ``align`` has one letter per column (``l`` or ``r``; default: first left)."""
    cells = [[str(c) for c in row] for row in [header, *rows]]
    widths = [max(len(r[j]) for r in cells) for j in range(len(header))]
    align = align or "l" + "r" * (len(header) - 1)
    out = []
    for row in cells:
        parts = [c.ljust(w) if align[j] == "l" else c.rjust(w)
                 for j, (c, w) in enumerate(zip(row, widths, strict=True))]
        out.append(indent + "  ".join(parts).rstrip())
    return out


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.0f}%" if whole else "-"


def render(d: dict[str, Any]) -> str:
    """The description as text tables."""
    out = [f"Starting organisation: {d['scenario']} (seed {d['seed']})"]
    inf = d["inferred"]
    if inf["source"] is None:
        drawn = counted(inf["drawn"], "person", "people")
        out.append(f"Drawn from the scenario's distributions (no organisation.source): {drawn}.")
    else:
        left_out = f"; {inf['exclusion_note']} by organisation.source.exclude" if inf.get("exclusion_note") else ""
        sheet = f", sheet '{inf['sheet']}'" if inf.get("sheet") else ""
        out.append(f"Read from {inf['source']}{sheet}: {counted(inf['read'], 'person', 'people')}{left_out}.")
        if inf.get("hidden_rows"):
            out.append(f"Note: {hidden_note(inf['hidden_rows'])}.")
        if inf.get("retirement_note"):
            out.append(f"Note: {inf['retirement_note']}.")
    if d["warmup_months"]:
        out.append(f"(As placed, before the {d['warmup_months']}-month warm-up that precedes month 1.)")

    out += ["", f"Pyramid: {counted(d['headcount'], 'person', 'people')} in {counted(d['positions'], 'position')}"]
    rows = [[p["level"], p["track"], p["positions"], p["filled"], p["vacant"], _pct(p["filled"], p["positions"])]
            for p in d["pyramid"]]
    total_f = sum(p["filled"] for p in d["pyramid"])
    rows.append(["total", "", d["positions"], total_f, d["positions"] - total_f, _pct(total_f, d["positions"])])
    out += _table(["level", "track", "positions", "filled", "vacant", "filled %"], rows, "llrrrr")
    out += [f"  note: {gap}" for gap in d["ladder_gaps"]]

    out += ["", "Spans of control (direct reports of each filled management position)"]
    if d["spans"]:
        out += _table(["level", "managers", "reports", "mean", "median", "max", "no reports"],
                      [[s["level"], s["managers"], s["reports"], f"{s['mean']:.1f}", f"{s['median']:g}", s["max"],
                        s["no_reports"]] for s in d["spans"]])
    else:
        out.append("  no filled management positions")
    out.append(f"  People with no manager (top of a line): {d['at_top']}; reporting to a vacant management post: "
               f"{d['reporting_to_vacant_post']}")

    groups = list(d["workforce_share"])
    out += ["", "Group representation by level (people, share of the level)"]
    out += _table(["level", "people", *groups],
                  [[g["level"], g["people"], *[f"{g[n]} ({_pct(g[n], g['people'])})" for n in groups]]
                   for g in d["groups"]])
    out.append("  scenario workforce shares: " + ", ".join(f"{k} {v:.0%}" for k, v in d["workforce_share"].items()))
    out += _hiring_drift(d)

    out += ["", "What was read and what was inferred (people)"]
    if inf["source"] is None:
        named = f", {inf['named']:,} of them named in people:" if inf["named"] else ""
        out.append(f"  everything drawn: {counted(inf['drawn'], 'person', 'people')}{named}")
        return "\n".join(out)
    out += _table(["field", "column", "read", "inferred", "how inferred"],
                  [[k, v["column"] or "(none)", v["read"], v["inferred"], v["note"]] for k, v in inf["fields"].items()],
                  "llrrl")
    out += [f"  {k}: {v['derived']}" for k, v in inf["fields"].items() if v.get("derived")]
    hid = inf["hidden"]
    out.append(f"  aspiration (hidden): conditioned on a stated intent taken as honest for "
               f"{hid['aspiration']['informed_by_intent']}, drawn from the group's shares for "
               f"{hid['aspiration']['drawn']}")
    out.append(f"  competence (hidden): conditioned on the rating's rank for "
               f"{hid['competence']['informed_by_rating']}, drawn for {hid['competence']['drawn']}")
    out.append("  visibility, risk sensitivity, engagement, readiness (hidden): drawn for "
               f"{hid['other_traits']['drawn']}")
    st = inf["structure"]
    out.append(f"  reporting lines: {st['stated']} stated; {st['kept']} kept; {st['repointed']} re-pointed to the "
               "nearest management-track manager above (stated manager a specialist or not at a higher level); "
               f"{st['no_valid_manager']} with no such manager and {st['without_manager']} without a manager keep the "
               "scenario's default team")
    if st.get("through_excluded"):
        one = st["through_excluded"] == 1
        out.append(f"  {st['through_excluded']:,} with a manager who was left out (organisation.source.exclude) now "
                   f"report{'s' if one else ''} to the first manager up the line who stays, or to none when no one "
                   "above stays")
    out += [f"  {line} (organisation.source.exclude)" for line in inf.get("exclusion_lines", [])]
    out.append(f"  ignored columns: {', '.join(inf['ignored_columns']) or 'none'}; blank rows skipped: "
               f"{inf['blank_rows']}; named people added: {inf['named']}")
    return "\n".join(out)
