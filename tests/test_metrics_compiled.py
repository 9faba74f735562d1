"""The compiled measurement pass agrees, bit for bit, with the numpy definitions it replaces.

``Recorder.measure`` takes its counts from ``metrics._tally_rows``; ``classify``, ``cell_counts``,
``team_performance`` and a lexsort version of ``named_successors`` are the readable definitions.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import PromotionModel, managers, metrics
from sim.org import as_bits
from sim.records import PENDING, SUCCEEDED


def _named_successors_lexsort(model: PromotionModel) -> tuple[int, int]:
    """The succession plan as first written: one stable lexsort of every willing person."""
    wf, org = model.workforce, model.org
    quota = org.succession_quota
    total = int(quota.sum())
    if total == 0:
        return 0, 0
    lowest = int(np.flatnonzero(quota)[0]) // 2
    pool = np.flatnonzero(managers.believed_willing(model) & (wf.level >= lowest))
    pool_key = wf.level[pool].astype(np.intp) * 2 + (wf.b_mgmt[pool] >= 0.5)
    order = np.lexsort((-wf.b_ready[pool], pool_key))
    pool, pool_key = pool[order], pool_key[order]
    place_in_pool = np.arange(pool.size) - np.searchsorted(pool_key, pool_key)
    named = place_in_pool < quota[pool_key]
    rows, key = pool[named], pool_key[named]
    level, track = key // 2 + 1, key % 2
    on_path = org.wanted_move(level, wf.wants_mgmt[rows], track)
    truly_willing = (wf.ambition[rows] >= 0.5) & on_path & (wf.wait[rows] <= 12)
    truly_ready = wf.readiness_for(track, rows) >= model.scenario.metrics.ready_threshold
    return int(np.count_nonzero(truly_willing & truly_ready)), total


def _numpy_tallies(model: PromotionModel) -> tuple[np.ndarray, int, int, int, float, int]:
    wf, sc = model.workforce, model.scenario
    cat = metrics.classify(model)
    on = cat["active"]
    recent_po = on & ((model.month - wf.passed_over_at) < sc.exits.passed_over_months)
    high = on & (wf.competence >= sc.metrics.high_performer_competence)
    spec = cat["aspiring"] & ~wf.wants_mgmt
    return (
        metrics.cell_counts(model, cat),
        int(np.count_nonzero(high)),
        int(np.count_nonzero(recent_po)),
        int(np.count_nonzero(spec)),
        metrics.team_performance(model),
        _named_successors_lexsort(model)[0],
    )


def _assert_same(compiled: tuple, reference: tuple) -> None:
    assert np.array_equal(compiled[0], reference[0])
    assert compiled[0].shape == reference[0].shape
    assert compiled[1:4] == reference[1:4]
    team, ref_team = compiled[4], reference[4]
    assert (math.isnan(team) and math.isnan(ref_team)) or team == ref_team
    assert compiled[5] == reference[5]


@pytest.mark.parametrize("scenario", ["baseline", "all_levers", "peter_principle/base", "succession_dashboard"])
def test_compiled_tallies_match_numpy_definitions(scenario: str) -> None:
    model = PromotionModel(scenario=scenario, rng=5, headcount=1500)
    for month in range(30):
        model.step()
        if month % 7 == 0:
            _assert_same(metrics._month_tallies(model), _numpy_tallies(model))


def test_tiny_organisation_with_vacancies_matches(tiny: dict) -> None:
    model = PromotionModel(scenario=tiny, rng=2)
    for _ in range(8):
        model.step()
        _assert_same(metrics._month_tallies(model), _numpy_tallies(model))


def test_named_successors_matches_lexsort_version() -> None:
    model = PromotionModel(scenario="succession_dashboard", rng=3, headcount=3000)
    for _ in range(12):
        model.step()
        assert managers.named_successors(model) == _named_successors_lexsort(model)


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 127, 128, 129, 136, 255, 256, 1000, 8191, 8192, 8193, 100_003])
def test_pairwise_sum_is_numpys(n: int) -> None:
    rng = np.random.default_rng(n)
    a = rng.random(n + 5) * 10.0 ** rng.uniform(-4, 4, n + 5)
    assert metrics._pairwise_sum(a, n) == a[:n].sum()


def test_settled_counts_match_numpy() -> None:
    model = PromotionModel(scenario="all_levers", rng=4, headcount=1500)
    for _ in range(30):
        model.step()
    for ledger in (model.promotions, model.decliners, model.development):
        for since, until in ((1, 30), (19, 30), (25, 26)):
            decided, outcome = ledger["decided"], ledger["outcome"]
            sel = (ledger["step"] >= 1) & (outcome != PENDING) & (decided >= since) & (decided <= until)
            expected = int(np.count_nonzero(sel)), int(np.count_nonzero(outcome[sel] == SUCCEEDED))
            assert metrics._settled(ledger, slice(None), since, until) == expected


def test_numpy_fallback_for_tall_organisations_matches() -> None:
    model = PromotionModel(scenario="baseline", rng=6, headcount=1500)
    for _ in range(6):
        model.step()
    _assert_same(metrics._numpy_tallies(model), _numpy_tallies(model))


def test_bits_pack_a_full_64_entry_table() -> None:
    flags = np.zeros(64, dtype=bool)
    flags[[0, 5, 63]] = True
    packed = as_bits(flags)
    assert -(2**63) <= packed < 2**63
    assert [(packed >> k) & 1 for k in range(64)] == flags.astype(int).tolist()


def test_the_track_breakdown_counts_the_people_in_each_tracks_positions() -> None:
    """Each track's rows of the time series are the classification's rates over the people in posts on
    that track, read directly from ``classify`` (the design asks for every metric by track too)."""
    model = PromotionModel(scenario="baseline", rng=4, headcount=600)
    for _ in range(14):
        model.step()
    cat, wf = metrics.classify(model), model.workforce
    last = model.recorder.timeseries().query("step == 14")
    by_track = last[last["track"].notna()].set_index(["metric", "track"])["value"]
    for code, track in enumerate(("specialist", "management")):
        on_track = cat["active"] & (wf.track == code)
        assert by_track["headcount", track] == on_track.sum() > 0
        for name, (num, den) in (("hidden_ambition_rate", ("hidden", "aspiring")),
                                 ("mismatch_rate", ("mismatch", "active"))):
            expected = (cat[num] & on_track).sum() / (cat[den] & on_track).sum()
            assert by_track[name, track] == pytest.approx(expected, rel=1e-12), (name, track)


def test_representation_at_the_top_is_undefined_when_the_top_is_everyone() -> None:
    """Two levels with the default two key levels: everyone is "at the top", so each group's ratio would
    be 1 (parity) whatever happened. An org-design trial's flat company read as at parity."""
    levels = [{"name": "Staff", "positions": {"specialist": 80}},
              {"name": "Lead", "positions": {"management": 20}}]
    flat = PromotionModel(scenario="baseline", rng=1, overrides={"organisation.levels": levels})
    flat.step()
    assert all(math.isnan(v) for k, v in flat.recorder.current.items() if k.startswith("representation_ratio."))
    # Each group's share of the top says something still: there, its share of everyone (ODD 7.12).
    wf = flat.workforce
    for code, group in enumerate(flat.scenario.group_names):
        share = (wf.active & (wf.group == code)).sum() / wf.active.sum()
        assert flat.recorder.current[f"top_share.{group}"] == pytest.approx(share, abs=1e-12), group
    one_key = PromotionModel(scenario="baseline", rng=1, overrides={"organisation.levels": levels,
                                                                     "metrics.key_levels": 1})
    one_key.step()
    assert all(math.isfinite(v) for k, v in one_key.recorder.current.items() if k.startswith("representation_ratio."))


def test_promotions_and_exits_are_broken_down_by_group_at_each_level() -> None:
    """ODD 7.12.5: promotions and exits per level x group, beside headcount there, so that a group's
    promotion rate at a level can be read (only the level and the group margins were written)."""
    model = PromotionModel(scenario="baseline", rng=3, headcount=600)
    names, groups = model.scenario.group_names, {}
    expected: dict[tuple[int, str, int], int] = {}
    for _ in range(14):
        wf = model.workforce
        groups.update(zip(wf.uid[wf.active].tolist(), wf.group[wf.active].tolist(), strict=True))
        before = model.promotions.n
        model.step()
        wf = model.workforce
        groups.update(zip(wf.uid[wf.active].tolist(), wf.group[wf.active].tolist(), strict=True))
        ledger = model.promotions
        for uid, to_level in zip(ledger["uid"][before:].tolist(), ledger["to_level"][before:].tolist(),
                                 strict=True):
            key = (model.month, names[groups[uid]], int(to_level))
            expected[key] = expected.get(key, 0) + 1
    series = model.recorder.timeseries()
    cells = series[(series["metric"] == "promotions") & series["level"].notna() & series["group"].notna()]
    assert len(cells) == 14 * len(names) * model.scenario.n_levels, "a row per month, group and level"
    got = {(int(s), str(g), int(lv)): v for s, g, lv, v in zip(cells["step"], cells["group"], cells["level"],
                                                                 cells["value"], strict=True) if v}
    assert got == expected and sum(expected.values()) > 0
    for name in ("promotions", "exits", "headcount"):  # each cell row adds up to its level's and its group's
        rows = series[series["metric"] == name]
        cell = rows[rows["level"].notna() & rows["group"].notna()]
        by_level = rows[rows["level"].notna() & rows["group"].isna()].set_index(["step", "level"])["value"]
        by_group = rows[rows["level"].isna() & rows["group"].notna()].set_index(["step", "group"])["value"]
        assert (cell.groupby(["step", "level"])["value"].sum() == by_level.sort_index()).all(), name
        assert (cell.groupby(["step", "group"])["value"].sum() == by_group.sort_index()).all(), name
    one_group = PromotionModel(scenario="baseline", rng=1, headcount=200, overrides={
        "groups": [{"name": "all", "workforce_share": 1.0, "hiring_share": 1.0}]})
    one_group.step()
    assert math.isnan(one_group.recorder.current["representation_ratio.all"]), "one group is always at parity"
    assert "top_share.all" not in one_group.recorder.current, "one group is everyone at the top"


@pytest.mark.parametrize(("seed", "every"), [(1, 12), (2, 12), (3, 1), (4, 6)])
def test_ledger_rates_are_given_only_once_their_window_holds_only_recorded_records(seed: int, every: int) -> None:
    """A trial's plots showed the stick rate at 0 for a year: only failures had settled yet.

    Each monthly ledger rate is NaN until every record it counts could have been made in the recorded
    run (``first_ledger_month``); from then on it is the rate over its settled records, as it is
    over all records, warm-up ones included, once those are counted too. With promotions or reviews
    every month, a guard that waited only for the first record's window read 0.62 for a true 0.76
    (stick rate) and 0.55 for 0.36 (development ROI).
    """
    model = PromotionModel(scenario="baseline", rng=seed, headcount=300,
                           overrides={"policy.cycle_months": every, "managers.review_every_months": every})
    ledgers = {"promotion_stick_rate": model.promotions, "decliner_retention": model.decliners,
               "development_roi": model.development}
    series: dict[str, list[float]] = {name: [] for name in ledgers}
    for _ in range(48):
        model.step()
        for name, values in series.items():
            values.append(model.metric(name))
    for name, ledger in ledgers.items():
        start = metrics.first_ledger_month(metrics.ledger_window(model.scenario, name))
        values = np.array(series[name])
        assert np.isnan(values[: start - 1]).all(), name
        assert np.isfinite(values[start - 1:]).all(), name
        # From its first month no warm-up record settles in its window: the rate is that of every record.
        decided, outcome = ledger["decided"], ledger["outcome"]
        for month in (start, 48):
            settled = (outcome != PENDING) & (decided >= month - 11) & (decided <= month)
            assert (ledger["step"][settled] >= 1).all(), (name, month)
            assert values[month - 1] == pytest.approx(np.mean(outcome[settled] == SUCCEEDED)), (name, month)


def test_leaving_with_hidden_ambition_counts_voluntary_leavers_hidden_as_they_leave() -> None:
    """``hidden_ambition_exit_rate`` counts, in the compiled exit pass, those whom ``classify`` calls
    hidden at the moment they leave by choice: checked against ``classify`` read just before each removal."""
    model = PromotionModel(scenario="baseline", rng=4, headcount=800, overrides={"warmup_months": 12})
    remove, seen = model.remove_people, []

    def observed(rows: np.ndarray, reasons: np.ndarray, voluntary: np.ndarray | bool) -> None:
        hidden = metrics.classify(model)["hidden"][np.asarray(rows, dtype=np.int64)]
        seen.append(int(np.count_nonzero(hidden & np.broadcast_to(np.asarray(voluntary, dtype=bool), hidden.shape))))
        remove(rows, reasons, voluntary)

    model.remove_people = observed  # type: ignore[method-assign]
    seen.clear()  # the warm-up's leavers are not in the recorded flows
    for _ in range(36):
        model.step()
    counted = sum(f.get("hidden_ambition_exits", 0.0) for f in model.recorder.flows)
    assert counted == sum(seen) > 20, "a few dozen leavers over three years, every one judged as classify judges"
    mean_headcount = np.mean([c["headcount"] for c in model.recorder.extra_counts])
    assert model.recorder.summary()["hidden_ambition_exit_rate"] == pytest.approx(counted / mean_headcount / 3)
