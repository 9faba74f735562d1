"""Scenario files: loading, ``extends``, overrides, headcount scaling, to_yaml, one-line errors."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from conftest import BASELINE, SCENARIOS, TINY

from sim import InputError, PromotionModel, Scenario, load_scenario
from sim.scenario import TRACKS, parse_yaml, validate_scenario

# ---------------------------------------------------------------------------------------------
# The shipped baseline


def test_baseline_loads_with_the_documented_shape() -> None:
    sc = load_scenario(BASELINE)
    assert isinstance(sc, Scenario)
    assert sc.name == "baseline"
    assert sc.n_levels == 6
    assert 950 <= sc.total_positions * sc.organisation.initial_fill <= 1100
    shares = {g.name: g for g in sc.groups}
    assert math.isclose(sum(g.workforce_share for g in sc.groups), 1.0)
    # CareerBuilder/Harris 2014: 40% of men, 29% of women aspire to lead; Allen & Katz 1986: 21.5%.
    assert shares["men"].leadership_aspiration == pytest.approx(0.40)
    assert shares["women"].leadership_aspiration == pytest.approx(0.29)
    assert all(g.specialist_aspiration == pytest.approx(0.215) for g in sc.groups)


def test_bare_name_and_path_load_the_same_scenario() -> None:
    assert load_scenario("baseline") == load_scenario(BASELINE) == load_scenario(str(BASELINE))


def test_a_scenario_can_be_a_mapping() -> None:
    sc = load_scenario(TINY)
    assert sc.name == "tiny"
    assert [lv.name for lv in sc.organisation.levels] == ["Junior", "Senior", "Head"]
    assert sc.positions(1, "management") == 4
    assert sc.positions(0, "management") == 0


def test_defaults_fill_what_a_file_does_not_say(tiny: dict[str, Any]) -> None:
    sc = load_scenario(tiny)
    assert sc.managers.heuristics.silence_as_disinterest is True
    assert sc.exits.passed_over_multiplier > 0
    assert 0.0 <= sc.promotion.carry_over_same_track <= 1.0


# ---------------------------------------------------------------------------------------------
# extends


def _dump_without(sc: Scenario, *paths: str) -> dict[str, Any]:
    data = sc.model_dump(mode="json")
    for path in paths:
        node = data
        *parents, last = path.split(".")
        for p in parents:
            node = node[p]
        node.pop(last, None)
    return data


def test_extends_makes_a_variant_of_a_few_lines(write_yaml) -> None:
    variant = write_yaml(
        "variant.yaml",
        f"extends: {BASELINE}\npolicy:\n  name: random\nmanagers:\n  heuristics:\n    silence_as_disinterest: false\n",
    )
    assert len(variant.read_text().splitlines()) <= 6
    base, var = load_scenario(BASELINE), load_scenario(variant)
    assert var.policy.name == "random"
    assert var.managers.heuristics.silence_as_disinterest is False
    # nested mappings merge key by key: the parent's siblings survive
    assert var.policy.cycle_months == base.policy.cycle_months
    assert var.managers.heuristics.visibility_as_readiness is base.managers.heuristics.visibility_as_readiness
    # a variant is named after its own file (it was reported as "baseline"); everything else is the parent's
    assert var.name == "variant"
    changed = ("name", "policy.name", "managers.heuristics.silence_as_disinterest")
    assert _dump_without(var, *changed) == _dump_without(base, *changed)


def test_extends_is_relative_to_the_file_and_chains(write_yaml, tiny: dict[str, Any]) -> None:
    write_yaml("grandparent.yaml", tiny)
    write_yaml("parent.yaml", "extends: grandparent.yaml\nyears: 3\npolicy: {cycle_months: 6}\n")
    child = write_yaml("child.yaml", "extends: parent.yaml\nname: child\npolicy: {name: seniority}\n")
    sc = load_scenario(child)
    assert sc.name == "child"
    assert sc.years == 3
    assert sc.policy.cycle_months == 6
    assert sc.policy.name == "seniority"
    assert sc.organisation == load_scenario(tiny).organisation


def test_extends_replaces_lists_rather_than_merging_them(write_yaml) -> None:
    child = write_yaml(
        "one_group.yaml",
        f"extends: {BASELINE}\ngroups:\n  - {{name: everyone, workforce_share: 1.0, hiring_share: 1.0}}\n",
    )
    assert load_scenario(child).group_names == ["everyone"]


def test_a_mapping_may_extend_a_file() -> None:
    sc = load_scenario({"extends": str(BASELINE), "policy": {"name": "best"}})
    assert sc.policy.name == "best"
    assert sc.organisation == load_scenario(BASELINE).organisation


def test_an_extends_cycle_is_one_clear_error(write_yaml) -> None:
    a = write_yaml("a.yaml", "extends: b.yaml\n")
    write_yaml("b.yaml", "extends: a.yaml\n")
    with pytest.raises(InputError) as err:
        load_scenario(a)
    assert "cycle" in str(err.value)
    assert "a.yaml" in str(err.value) and "b.yaml" in str(err.value)
    assert err.value.path == "extends"


def test_a_file_extending_itself_is_a_cycle(write_yaml) -> None:
    me = write_yaml("me.yaml", "extends: me.yaml\n")
    with pytest.raises(InputError, match="cycle"):
        load_scenario(me)


def test_a_missing_parent_names_the_parent_and_both_places_looked(write_yaml, tmp_path: Path) -> None:
    child = write_yaml("orphan.yaml", "extends: nowhere.yaml\n")
    with pytest.raises(InputError, match=r"nowhere\.yaml") as err:
        load_scenario(child)
    assert err.value.path == "extends"
    assert str(tmp_path / "nowhere.yaml") in str(err.value)
    assert f"shipped scenarios ({SCENARIOS})" in str(err.value)


@pytest.mark.parametrize("parent", ["baseline.yaml", "baseline"])
def test_a_file_anywhere_may_extend_a_shipped_scenario_by_name(write_yaml, parent: str) -> None:
    child = write_yaml("mine.yaml", f"extends: {parent}\nyears: 3\n")
    sc = load_scenario(child)
    assert sc.years == 3
    assert sc.organisation == load_scenario(BASELINE).organisation
    assert sc.group_names == ["men", "women"]


def test_a_parent_beside_the_file_wins_over_a_shipped_one(write_yaml, tiny: dict[str, Any]) -> None:
    write_yaml("baseline.yaml", tiny)
    child = write_yaml("mine.yaml", "extends: baseline.yaml\n")
    assert load_scenario(child).organisation == load_scenario(tiny).organisation


def test_a_local_file_named_like_a_shipped_one_extending_it_is_a_cycle(write_yaml) -> None:
    me = write_yaml("baseline.yaml", "extends: baseline.yaml\nyears: 3\n")
    with pytest.raises(InputError, match="cycle"):
        load_scenario(me)


# ---------------------------------------------------------------------------------------------
# overrides


def test_overrides_by_dotted_key_and_double_underscore() -> None:
    overrides = {"policy.name": "random", "managers.heuristics.silence_as_disinterest": False}
    dotted = load_scenario(BASELINE, overrides=overrides)
    under = load_scenario(BASELINE, policy__name="random", managers__heuristics__silence_as_disinterest=False)
    assert dotted == under
    assert dotted.policy.name == "random"
    assert dotted.managers.heuristics.silence_as_disinterest is False


def test_overrides_reach_into_lists_by_index() -> None:
    sc = load_scenario(BASELINE, overrides={"organisation.levels.2.hire_share": 0.5, "groups.1.rating_bias": 0.0})
    assert sc.organisation.levels[2].hire_share == 0.5
    assert sc.groups[1].rating_bias == 0.0
    assert sc.organisation.levels[1].hire_share == load_scenario(BASELINE).organisation.levels[1].hire_share


def test_an_override_may_write_list_items_as_error_messages_do() -> None:
    """An error names ``organisation.levels[2].hire_share``; that path can be pasted into --set."""
    sc = load_scenario(BASELINE, overrides={"organisation.levels[2].hire_share": 0.5, "groups[1].rating_bias": 0.0})
    assert sc.organisation.levels[2].hire_share == 0.5
    assert sc.groups[1].rating_bias == 0.0
    with pytest.raises(InputError, match=r"organisation\.levels\[2\]\.hire_share: must be from 0 to 1 \(got 7\)"):
        load_scenario(BASELINE, overrides={"organisation.levels[2].hire_share": 7})


@pytest.mark.parametrize("value", ["abc", None, [1], 2.5, -3])
def test_scaling_names_a_position_count_that_is_not_a_whole_number(value: object) -> None:
    """Scaling reads the counts before validation; it used to fail in int() with a traceback."""
    with pytest.raises(InputError, match=r"organisation\.levels\[0\]\.positions\.specialist: must be a whole "
                                         r"number of positions, 0 or more"):
        load_scenario(BASELINE, headcount=100, overrides={"organisation.levels.0.positions.specialist": value})


def test_scaling_refuses_fewer_people_than_position_types() -> None:
    with pytest.raises(InputError, match=r"headcount must be at least 6 for this organisation"):
        load_scenario(BASELINE, headcount=5)
    assert load_scenario(BASELINE, headcount=6).total_positions >= 6


def test_overrides_apply_on_top_of_extends(write_yaml) -> None:
    variant = write_yaml("v.yaml", f"extends: {BASELINE}\npolicy: {{name: worst}}\n")
    assert load_scenario(variant, policy__name="seniority").policy.name == "seniority"


def test_overrides_revalidate_a_scenario_object() -> None:
    base = load_scenario(BASELINE)
    again = load_scenario(base, overrides={"exits.base_monthly": 0.01})
    assert again.exits.base_monthly == 0.01
    assert base.exits.base_monthly != 0.01  # the original is not changed


def test_an_override_with_a_typo_gets_a_did_you_mean() -> None:
    with pytest.raises(InputError) as err:
        load_scenario(BASELINE, overrides={"policy.nmae": "random"})
    assert err.value.path == "policy.nmae"
    assert "did you mean 'name'" in str(err.value)


def test_an_override_out_of_range_names_its_path() -> None:
    with pytest.raises(InputError) as err:
        load_scenario(BASELINE, exits__base_monthly=2.0)
    assert err.value.path == "exits.base_monthly"
    assert "1" in err.value.detail


def test_an_override_into_a_missing_list_item_is_an_input_error() -> None:
    levels = len(load_scenario(BASELINE).organisation.levels)
    with pytest.raises(InputError, match=f"no list item 40 \\(items are numbered 0 to {levels - 1}\\)"):
        load_scenario(BASELINE, overrides={"organisation.levels.40.hire_share": 0.5})


def test_an_override_sets_one_item_of_a_list_the_file_leaves_to_its_default() -> None:
    """baseline.yaml does not set ``timing_delay_months``: its default [min, max] is what the item changes."""
    default = load_scenario(BASELINE).employees.timing_delay_months
    later = load_scenario(BASELINE, overrides={"employees.timing_delay_months.1": default[1] + 6})
    assert later.employees.timing_delay_months == [default[0], default[1] + 6]
    assert load_scenario(BASELINE).employees.timing_delay_months == default  # the default is not changed
    with pytest.raises(InputError, match="no list item 2 \\(items are numbered 0 to 1\\)"):
        load_scenario(BASELINE, overrides={"employees.timing_delay_months.2": 30})


def test_an_override_reaches_into_a_default_list_of_settings() -> None:
    """sam_and_priya.yaml has no ``groups``: the default group can still be changed by index."""
    sam = SCENARIOS / "sam_and_priya.yaml"
    default = load_scenario(sam).groups
    changed = load_scenario(sam, overrides={"groups.0.rating_bias": 0.1}).groups
    assert [(g.name, g.rating_bias) for g in changed] == [(default[0].name, 0.1)]


# ---------------------------------------------------------------------------------------------
# headcount scaling


def _positions(sc: Scenario) -> list[tuple[int, int]]:
    return [(lv.positions.get("specialist", 0), lv.positions.get("management", 0)) for lv in sc.organisation.levels]


@pytest.mark.parametrize("headcount", [60, 250, 1000, 4000, 25_000])
def test_headcount_scaling_keeps_the_shape(headcount: int) -> None:
    base = load_scenario(BASELINE)
    scaled = load_scenario(BASELINE, headcount=headcount)
    factor = headcount / (base.total_positions * base.organisation.initial_fill)
    assert abs(scaled.total_positions * scaled.organisation.initial_fill - headcount) <= base.n_levels * 2
    for (bs, bm), (ss, sm) in zip(_positions(base), _positions(scaled), strict=True):
        for b, s in ((bs, ss), (bm, sm)):
            if b == 0:
                assert s == 0  # a track that did not exist on a level is not invented
            else:
                assert s >= 1  # and one that existed does not vanish
                assert s == max(1, round(b * factor))
    # the shares of positions per level stay those of the original (to rounding)
    base_share = [sum(p) / base.total_positions for p in _positions(base)]
    scaled_share = [sum(p) / scaled.total_positions for p in _positions(scaled)]
    # each position type rounds by at most one, so a level's share moves by at most this much
    kinds = sum(1 for p in _positions(base) for n in p if n > 0)
    for b, s in zip(base_share, scaled_share, strict=True):
        assert abs(b - s) <= (1 + kinds * b) / scaled.total_positions
    # nothing but positions changes
    assert _dump_without(scaled, "organisation.levels") == _dump_without(base, "organisation.levels")
    assert [lv.name for lv in scaled.organisation.levels] == [lv.name for lv in base.organisation.levels]


def test_scaled_shares_are_close_for_a_mid_size_org() -> None:
    base, scaled = load_scenario(BASELINE), load_scenario(BASELINE, headcount=2000)
    for b, s in zip(_positions(base), _positions(scaled), strict=True):
        assert sum(s) / scaled.total_positions == pytest.approx(sum(b) / base.total_positions, abs=0.002)


def test_a_scaled_model_starts_with_about_that_many_people() -> None:
    model = PromotionModel(scenario=BASELINE, rng=3, headcount=300, warmup_months=0)
    assert abs(int(model.workforce.active.sum()) - 300) <= 6


def test_headcount_scaling_works_on_mappings_and_variants(write_yaml, tiny: dict[str, Any]) -> None:
    tiny["organisation"]["initial_fill"] = 1.0
    sc = load_scenario(tiny, headcount=340)
    assert _positions(sc) == [(200, 0), (80, 40), (0, 20)]
    variant = write_yaml("v.yaml", f"extends: {BASELINE}\npolicy: {{name: random}}\n")
    assert _positions(load_scenario(variant, headcount=500)) == _positions(load_scenario(BASELINE, headcount=500))


def test_headcount_scaling_keeps_room_for_named_people_on_the_default_track() -> None:
    """ODD 6.4: a position type keeps at least as many positions as its named people, also those
    who name no track (the default, specialist); Sam and Priya share a level with two positions."""
    scaled = load_scenario(SCENARIOS / "sam_and_priya.yaml", headcount=4)
    assert scaled.organisation.levels[1].positions["specialist"] == 2


def test_a_headcount_below_two_is_an_input_error() -> None:
    with pytest.raises(InputError, match="at least 2"):
        load_scenario(BASELINE, headcount=1)


# ---------------------------------------------------------------------------------------------
# to_yaml round trip


def test_to_yaml_round_trips_the_baseline(tmp_path: Path) -> None:
    sc = load_scenario(BASELINE)
    text = sc.to_yaml()
    data = yaml.safe_load(text)
    # fully resolved: every block is spelled out, nothing refers to a parent
    assert "extends" not in data
    for block in ("organisation", "groups", "employees", "behaviour", "managers", "policy", "promotion", "exits"):
        assert block in data
    path = tmp_path / "resolved.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_scenario(path) == sc
    assert validate_scenario(data, "round trip") == sc


def test_to_yaml_round_trips_a_variant_with_people(write_yaml, tiny: dict[str, Any]) -> None:
    tiny["people"] = [
        {"name": "Sam", "level": "Senior", "ambition": 0.2, "wants": "specialist", "visibility": 0.2},
        {"name": "Priya", "level": 1, "track": "management", "group": "b", "ambition": 0.9},
    ]
    tiny["employees"] = {"timing_delay_months": [6, 30]}
    sc = load_scenario(tiny, policy__name="application", managers__heuristics__decline_as_permanent=False)
    back = load_scenario(write_yaml("back.yaml", sc.to_yaml()))
    assert back == sc
    assert back.to_yaml() == sc.to_yaml()


# ---------------------------------------------------------------------------------------------
# Input errors in-process: one line, the key path, what is allowed. (The CLI matrix is in
# test_cli.py; these check the error object itself and cases cheaper to test here.)


def _error(data: dict[str, Any]) -> InputError:
    with pytest.raises(InputError) as err:
        load_scenario(data)
    message = str(err.value)
    assert "\n" not in message
    return err.value


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ({"policy": {"nme": "random"}}, "policy.nme", ["did you mean 'name'"]),
        ({"policy": {"cycle_months": "often"}}, "policy.cycle_months", ["must be a whole number", "often"]),
        ({"exits": {"base_monthly": 1.5}}, "exits.base_monthly", ["must be from 0 to 1", "1.5"]),
        ({"policy": {"name": "nepotism"}}, "policy.name", ["nepotism", "visibility", "seniority"]),
        ({"years": -1}, "years", ["must be above 0 and at most 100 (got -1)"]),
        ({"promotion": {"carry_over_same_track": 1.2}}, "promotion.carry_over_same_track", ["1"]),
        ({"groups": [{"name": "a", "workforce_share": 0.5, "hiring_share": 1.0},
                     {"name": "b", "workforce_share": 0.3, "hiring_share": 0.0}]}, "groups", ["sum to 1", "0.8"]),
        ({"groups": [{"name": "a", "workforce_share": 0.5, "hiring_share": 0.5},
                     {"name": "a", "workforce_share": 0.5, "hiring_share": 0.5}]}, "groups", ["unique"]),
        ({"groups": [{"name": "a", "workforce_share": 1.0, "hiring_share": 1.0,
                      "leadership_aspiration": 0.8, "specialist_aspiration": 0.5}]}, "groups[0]", ["exceed 1"]),
        ({"people": [{"name": "X", "level": "Junior", "group": "c"}]}, "people[0].group", ["'c'", "a, b"]),
        ({"people": [{"name": "X", "level": "Middle"}]}, "people[0].level", ["Middle", "Junior"]),
        ({"people": [{"name": "X", "level": "Junior", "track": "management"}]}, "people[0].track", ["management"]),
        ({"people": [{"name": "X", "level": "Junior", "track": "sales"}]}, "people[0].track", ["sales"]),
        ({"metrics": {"level_weights": [1, 2]}}, "metrics.level_weights", ["3 levels"]),
        # Level names for a count of levels (an org-design trial): named as the count it is.
        ({"metrics": {"key_levels": ["Senior", "Lead"]}}, "metrics.key_levels",
         ["how many levels from the top count as the top", "key_levels: 2"]),
        ({"employees": {"timing_delay_months": [40, 10]}}, "employees.timing_delay_months", ["min"]),
        ({"interventions": {"telepathy": {}}}, "interventions.telepathy", ["unknown intervention"]),
        # From fuzzing: NaN and infinity validated (every competence NaN), and int32 columns overflowed.
        ({"employees": {"competence": {"mean": float("nan"), "sd": 1.0}}}, "employees.competence.mean",
         ["finite number"]),
        ({"employees": {"visibility": {"a": float("inf"), "b": 1.0}}}, "employees.visibility.a", ["finite number"]),
        ({"behaviour": {"voice_rate": float("nan")}}, "behaviour.voice_rate", ["finite number"]),
        ({"interventions": {"mentoring": {"coverage": float("nan")}}}, "interventions.mentoring.coverage",
         ["finite number"]),
        ({"people": [{"name": "X", "level": "Junior", "tenure_months": 3_000_000_000}]}, "people[0].tenure_months",
         ["must be from 0 to 1,200"]),
        ({"people": [{"name": "X", "level": "Junior", "wait_months": 2_147_483_647}]}, "people[0].wait_months",
         ["must be from 0 to 1,200"]),
    ],
)
def test_bad_values_name_the_key_path(
    tiny: dict[str, Any], change: dict[str, Any], path: str, words: list[str]
) -> None:
    tiny.update(change)
    err = _error(tiny)
    assert err.path == path
    assert err.source == "<mapping>"
    for word in words:
        assert word in str(err)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"people": [{"name": "Sam", "level": True}]}, "sam_and_priya: people[0].level: must be a whole number "
                                                       "(got True)"),  # not people[0].level.int
        ({"policy.cycle_months": "1e400"}, "policy.cycle_months: must be a whole number, from 1 to 1,200 (got "
                                           "'1e400'); YAML reads 1e400 as text, and it is too large for a "
                                           "number"),  # not "write inf"
        ({"behaviour.voice_rate": 1.0000001}, "behaviour.voice_rate: must be from 0 to 1 (got "
                                              "1.0000001)"),  # not "a fraction: 1 % is 0.01"
    ],
)
def test_fuzzed_values_get_the_right_words(overrides: dict[str, Any], expected: str) -> None:
    with pytest.raises(InputError) as caught:
        load_scenario("sam_and_priya", overrides=overrides)
    assert expected in str(caught.value)
    assert str(caught.value).split(" [and")[0].endswith(expected.split(": ", 1)[-1])


def test_the_python_api_refuses_runs_of_no_months_and_seeds_that_are_not_whole() -> None:
    """``simulate(years=0)`` returned a summary of NaNs and ``seed=1.7`` ran as seed 1 (fuzzing)."""
    from sim import PromotionModel, simulate  # noqa: PLC0415

    for years in (0, -1, float("nan"), 101):
        with pytest.raises(InputError, match=r"^simulate: years: must "):
            simulate("baseline", years=years)
    for seed in (1.7, -1, True, "1"):
        with pytest.raises(InputError, match=r"^PromotionModel: rng: must be a whole number 0 or more"):
            PromotionModel(scenario="baseline", rng=seed)
    small = load_scenario("baseline", headcount=50, overrides={"warmup_months": 0})
    assert simulate(small, seed=np.int64(3), years=1 / 12).summary == pytest.approx(
        simulate(small, seed=3, years=1 / 12).summary, nan_ok=True)


def test_a_scenario_changed_in_python_is_validated_when_it_runs_and_the_model_keeps_its_own() -> None:
    """A Scenario's fields can be set without validation, and the model ran the object it was given.

    ``voice_rate = "abc"`` failed as a numba TypingError, ``policy.name = "fastest"`` as a
    KeyError deep in the promotion round, ``voice_rate = 5.0`` ran; and changing the scenario
    after building a model changed that model mid-run.
    """
    from sim import PromotionModel, simulate  # noqa: PLC0415

    for key, value, words in (("voice_rate", "abc", "must be a number"), ("voice_rate", 5.0, "must be from 0 to 1")):
        changed = load_scenario("baseline", headcount=50, overrides={"warmup_months": 0})
        setattr(changed.behaviour, key, value)
        with pytest.raises(InputError, match=rf"^baseline: behaviour\.{key}: .*{words}"):
            simulate(changed, seed=1, years=1 / 12)
    changed = load_scenario("baseline", headcount=50, overrides={"warmup_months": 0})
    changed.policy.name = "fastest"  # type: ignore[assignment]
    with pytest.raises(InputError, match=r"^baseline: policy\.name: 'fastest' is not allowed"):
        PromotionModel(scenario=changed, rng=1)
    mine = load_scenario("baseline", headcount=50, overrides={"warmup_months": 0})
    model = PromotionModel(scenario=mine, rng=1)
    mine.policy.cycle_months = 1
    assert model.scenario is not mine and model.scenario.policy.cycle_months == 12


def test_the_python_api_names_a_source_headcount_or_seed_of_the_wrong_kind() -> None:
    """``load_scenario(None)`` failed in pathlib, ``headcount=100.5`` ran as 100 and ``"100"`` as 100,
    ``years=np.int64(2)`` was refused, and Mesa's ``seed=`` read as an unknown scenario key."""
    from sim import PromotionModel, simulate  # noqa: PLC0415
    from sim.simulation import run_model  # noqa: PLC0415

    for source in (None, 3):
        with pytest.raises(InputError, match=r"^load_scenario: scenario: must be a Scenario, a scenario file"):
            load_scenario(source)  # type: ignore[arg-type]
    for headcount in (100.5, "100", True):
        with pytest.raises(InputError, match=r"^baseline: headcount must be a whole number of people"):
            load_scenario("baseline", headcount=headcount)  # type: ignore[arg-type]
    assert load_scenario("baseline", headcount=np.int64(100)) == load_scenario("baseline", headcount=100.0)
    small = load_scenario("baseline", headcount=50, overrides={"warmup_months": 0})
    assert simulate(small, seed=1, years=np.int64(1)).summary == pytest.approx(
        simulate(small, seed=1, years=1).summary, nan_ok=True)
    with pytest.raises(InputError, match=r"^PromotionModel: seed: the run seed is rng="):
        PromotionModel(scenario=small, seed=1)
    for rng in (np.random.default_rng(1), np.random.SeedSequence(1)):
        with pytest.raises(InputError, match=rf"^PromotionModel: rng: .* got a {type(rng).__name__}: the run seed is"):
            PromotionModel(scenario=small, rng=rng)
    with pytest.raises(InputError, match=r"^simulate: progress: must be a function called as progress\(month, "):
        simulate(small, seed=1, years=1, progress=5)  # type: ignore[arg-type]
    # run_model's errors name run_model, the function called (they said "simulate": a researcher's trial)
    for bad, words in (({"seed": -1}, "seed: must be a whole number"), ({"years": 0}, "years: must cover"),
                       ({"progress": 5}, "progress: must be a function")):
        with pytest.raises(InputError, match=rf"^run_model: {words}"):
            run_model(small, **bad)  # type: ignore[arg-type]
    months: list[tuple[int, int]] = []
    simulate(small, seed=1, years=0.25, progress=lambda month, total: months.append((month, total)))
    assert months == [(1, 3), (2, 3), (3, 3)]


# A misspelt required key is both missing and unknown; the unknown key's did-you-mean is the
# one line, and the pair counts as one problem.
# name -> (keys dropped, keys set, key path, words the line must contain, words it must not)
TYPO_LEVELS = TINY["organisation"]["levels"]
MISSPELT_REQUIRED_KEYS: dict[str, tuple[list[str], dict[str, Any], str, list[str], list[str]]] = {
    "top level": (["organisation"], {"organisaton": {"levels": TYPO_LEVELS}}, "organisaton",
                  ["did you mean 'organisation'?"], ["missing", "more problem"]),
    "organisation": ([], {"organisation": {"levls": TYPO_LEVELS}}, "organisation.levls",
                     ["did you mean 'levels'?", "allowed: initial_fill, levels, min_months_in_role, source"],
                     ["missing", "more problem"]),
    "organisation file": ([], {"organisation": {"levels": TYPO_LEVELS, "source": {"fil": "x.csv"}}},
                          "organisation.source.fil", ["did you mean 'file'?"], ["missing", "more problem"]),
    "group": ([], {"groups": [{"nme": "a", "workforce_share": 1.0, "hiring_share": 1.0}]}, "groups[0].nme",
              ["did you mean 'name'?"], ["missing", "more problem"]),
    "two in one group": ([], {"groups": [{"nme": "a", "workforce_shar": 1.0, "hiring_share": 1.0}]},
                         "groups[0].nme", ["did you mean 'name'?", "[and 1 more problem]"], ["missing", "problems"]),
    # an unknown key unlike the missing one is no typo of it: the missing key stays first
    "not a typo": ([], {"organisation": {"floors": TYPO_LEVELS}}, "organisation.levels",
                   ["required key is missing", "[and 1 more problem]"], ["did you mean"]),
}


@pytest.mark.parametrize("case", list(MISSPELT_REQUIRED_KEYS))
def test_a_misspelt_required_key_is_reported_as_the_typo(tiny: dict[str, Any], case: str) -> None:
    drop, change, path, words, absent = MISSPELT_REQUIRED_KEYS[case]
    for key in drop:
        del tiny[key]
    tiny.update(change)
    err = _error(tiny)
    assert err.path == path, str(err)
    for word in words:
        assert word in str(err), (word, str(err))
    for word in absent:
        assert word not in str(err), (word, str(err))


def test_a_level_without_positions_is_rejected(tiny: dict[str, Any]) -> None:
    tiny["organisation"]["levels"][2]["positions"] = {"management": 0}
    err = _error(tiny)
    assert err.path is not None and err.path.startswith("organisation.levels[2]")
    assert "position" in str(err)


def test_a_track_that_does_not_exist_is_rejected(tiny: dict[str, Any]) -> None:
    tiny["organisation"]["levels"][1]["positions"] = {"managment": 3}
    err = _error(tiny)
    assert err.path == "organisation.levels[1].positions.managment"
    for track in TRACKS:
        assert track in str(err)


def test_duplicate_level_names_are_rejected(tiny: dict[str, Any]) -> None:
    tiny["organisation"]["levels"][2]["name"] = "Junior"
    assert "unique" in str(_error(tiny))


def test_one_level_is_not_an_organisation(tiny: dict[str, Any]) -> None:
    tiny["organisation"]["levels"] = tiny["organisation"]["levels"][:1]
    assert _error(tiny).path == "organisation.levels"


def test_a_missing_organisation_is_named() -> None:
    err = _error({"name": "empty"})
    assert err.path == "organisation"
    assert "missing" in str(err)


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found") as err:
        load_scenario(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(err.value)


def test_a_yaml_syntax_error_names_the_line(write_yaml) -> None:
    bad = write_yaml("syntax.yaml", "name: x\nyears: 2\npolicy: name: random\n")
    with pytest.raises(InputError) as err:
        load_scenario(bad)
    assert "syntax.yaml" in str(err.value)
    assert "line 3" in str(err.value)


def test_yaml_is_loaded_safely(write_yaml, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    bad = write_yaml("unsafe.yaml", f'name: !!python/object/apply:os.system ["touch {marker}"]\n')
    with pytest.raises(InputError) as err:
        load_scenario(bad)
    assert not marker.exists()
    assert "python/object/apply:os.system" in str(err.value)


def test_a_scenario_must_be_a_mapping(write_yaml) -> None:
    with pytest.raises(InputError, match="mapping"):
        load_scenario(write_yaml("list.yaml", "- a\n- b\n"))


@pytest.mark.parametrize(
    ("block", "key", "value"), [("policy", "cycle_months", True), ("exits", "base_monthly", False)]
)
def test_a_boolean_is_not_a_number(tiny: dict[str, Any], block: str, key: str, value: bool) -> None:
    tiny.setdefault(block, {})[key] = value
    assert _error(tiny).path == f"{block}.{key}"


def test_a_key_written_twice_is_refused_but_merge_keys_may_be_overridden() -> None:
    """PyYAML keeps the last of two equal keys silently; YAML's '<<' merge is meant to be overridden."""
    with pytest.raises(InputError, match=r"s.yaml: YAML error at line 3, column 3: key 'name' appears twice"):
        parse_yaml("policy:\n  name: visibility\n  name: readiness\n", "s.yaml")
    with pytest.raises(InputError, match="key 'k' appears twice"):
        parse_yaml("a: [{k: 1, k: 2}]\n", "s.yaml")  # inside a list too
    merged = parse_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  x: 3\n", "s.yaml")
    assert merged["other"] == {"x": 3, "y": 2}
    with pytest.raises(InputError, match="line 2"):  # a list as a key: one line, not a TypeError
        parse_yaml("extends: baseline\n? [a, b]\n: 1\n", "s.yaml")


def test_a_date_that_is_no_day_is_one_line_not_a_traceback() -> None:
    """PyYAML raises a bare ValueError for ``as_of: 2025-06-31``; an org-design trial got a traceback."""
    with pytest.raises(InputError, match=r"s.yaml: YAML error at line 3, column 12: '2025-06-31' is not a date "
                                         r"\(day is out of range for month\); write a real day, year first"):
        parse_yaml("organisation:\n  source:\n    as_of: 2025-06-31\n", "s.yaml")
    with pytest.raises(InputError, match="'2025-13-01' is not a date"):
        parse_yaml("2025-13-01", "--set organisation.source.as_of")
    assert str(parse_yaml("as_of: 2024-02-29", "s.yaml")["as_of"]) == "2024-02-29"


def test_a_decimal_comma_is_named_only_inside_a_mapping_and_a_long_line_reads_quickly() -> None:
    """The check for ``{coverage: 0,2}`` read past a closed mapping into a comment or quoted text,
    refusing valid YAML, and tried every comma after every ``{`` of a line: a scenario written as
    one line of JSON, 150 kB, took a minute before it was read."""
    text = ("x: {a: 1}  # share: 0,25, say\n"
            "description: \"Team {A}, share: 1,5, about\"\n"
            "y: [{a: 1}, {b: 2}]\n")
    assert parse_yaml(text, "s.yaml")["description"] == "Team {A}, share: 1,5, about"
    with pytest.raises(InputError, match=r"'0,3' on line 2 is read as two entries"):
        parse_yaml("a: 1\nb: {'hire share': 0,3}\n", "s.yaml")
    levels = [{"name": f"L{i}", "positions": {"management": i, "specialist": i + 1}} for i in range(2000)]
    line = json.dumps({"organisation": {"levels": levels}})
    assert len(line) > 140_000
    start = time.perf_counter()
    assert len(parse_yaml(line, "s.yaml")["organisation"]["levels"]) == 2000
    assert time.perf_counter() - start < 10, "was 65 s (and grows with the square of the line's length)"


def test_scaling_a_scenario_with_a_headcount_file_ignores_initial_fill() -> None:
    """A file says who is in post, so initial_fill does not apply (orgdata.md): --headcount 2400 on a
    trial's file scenario made 2,473 positions, more than it had unscaled."""
    synthetic = load_scenario(SCENARIOS / "synthetic_org.yaml")
    assert synthetic.organisation.initial_fill < 1
    scaled = load_scenario(SCENARIOS / "synthetic_org.yaml", headcount=synthetic.total_positions)
    assert scaled.total_positions == pytest.approx(synthetic.total_positions, abs=len(_positions(synthetic)))


# ---------------------------------------------------------------------------------------------
# Habits of hand-edited and spreadsheet-made files (an HR user's trial): each gets a line that
# says what was written and what to write instead.

# name -> (YAML text of a file extending the tiny scenario, key path or None, words of the line).
# Line numbers count the file's first line, "extends: tiny.yaml", written before the text.
HAND_EDITED: dict[str, tuple[str, str | None, list[str]]] = {
    "tab in the indentation": ("policy:\n\tname: random\n", None,
                               ["line 3, column 1: a tab character; YAML indents with spaces only"]),
    "a key indented one space too few": (
        "interventions:\n  career_conversations:\n    coverage: 0.8\n   hours_per_conversation: 2\n", None,
        ["line 5, column 4: line 5 does not line up with the keys above it: indent it by as many spaces as the "
         "other keys of its block"]),
    # PyYAML named the line after it, and for a block's first key the hint said "indented further"
    "a key without its colon": ("policy:\n  name: random\n  cycle_months 6\n  seed: 1\n", None,
                                ["line 4, column 3: 'cycle_months 6' has no ':' after its key; write key: value"]),
    "a block's first key without its colon": ("policy:\n  name random\n  cycle_months: 6\n", None,
                                              ["line 3, column 3: 'name random' has no ':' after its key"]),
    "a key indented one space too many": (
        "policy:\n  name: random\n   cycle_months: 6\n", None,
        ["line 4, column 16: a key on line 4 where a value was expected: is line 4 indented further"]),
    "no-break spaces pasted from Word": ("interventions:\n\u00a0\u00a0career_conversations: {}\n", None,
                                         ["non-breaking spaces (pasted from a word processor?) on line 3: replace "
                                          "them with ordinary spaces"]),
    "levers as a list": ("interventions:\n  - career_conversations\n  - published_criteria\n", "interventions",
                         ["must be lever names, each with its settings below it (career_conversations: {} for the "
                          "defaults), got a list"]),
    "a lever switched on with yes": ("interventions:\n  career_conversations: yes\n",
                                     "interventions.career_conversations",
                                     ["must be the lever's settings", "got true (YAML reads yes, no, on and off"]),
    "a lever not indented under interventions": (
        "interventions:\ncareer_conversations:\n  coverage: 0.8\n", "career_conversations",
        ["unknown key 'career_conversations' at the top level: it is a lever, so indent it under 'interventions:'",
         "[and 1 more problem]"]),
    # "attrition: 0.12" was answered "did you mean 'description'?" (an org-design trial).
    "attrition written as a setting": ("attrition: 0.12\n", "attrition",
                                       ["unknown key 'attrition': an outcome (the metric attrition_rate), not a "
                                        "setting: set exits.base_monthly"]),
    "a yes/no setting given a word": ("managers:\n  heuristics:\n    silence_as_disinterest: nope\n",
                                      "managers.heuristics.silence_as_disinterest",
                                      ["must be true or false (got 'nope')"]),
    "a seed in the scenario": ("seed: 5\n", "seed", ["a run's seed is not part of its scenario: use --seed"]),
    "a lever's setting not indented under it": (
        "interventions:\n  career_conversations:\n  coverage: 0.8\n", "interventions.coverage",
        ["unknown intervention 'coverage'", "'coverage' is a setting of career_conversations and mentoring: indent "
         "it below the lever"]),
    "an empty block": ("policy:\n", "policy", ["must be a block of 'key: value' lines, indented below it, got "
                                               "nothing (is the block below it indented?)"]),
    "a thousands separator in a flow mapping": (
        "organisation:\n  levels:\n    - {name: Junior, positions: {specialist: 1,200}}\n"
        "    - {name: Senior, positions: {specialist: 8, management: 4}}\n"
        "    - {name: Head, positions: {management: 2}}\n",
        "organisation.levels[0].positions[200]",
        ["unknown name '200'", "N,200 reads as N and a key 200: write numbers without thousands separators"]),
    "a thousands separator in a block": (
        "organisation:\n  levels:\n    - name: Junior\n      positions:\n        specialist: 1,200\n"
        "    - {name: Senior, positions: {specialist: 8, management: 4}}\n"
        "    - {name: Head, positions: {management: 2}}\n",
        "organisation.levels[0].positions.specialist", ["(got '1,200'); write 1200, without the thousands separator"]),
    "a decimal comma": ("exits:\n  base_monthly: '0,005'\n", "exits.base_monthly",
                        ["(got '0,005'); a decimal comma: write 0.005, with a point"]),
    "a decimal comma inside {...}": ("interventions:\n  mentoring: {group: women, coverage: 0,2}\n", None,
                                     ["'0,2' on line 3 is read as two entries of the {...} (a comma separates them "
                                      "there): a decimal comma? write 0.2"]),  # was "mentoring[2]: ... (got 2)"
    "a decimal comma as the first entry of {...}": ("interventions:\n  mentoring: {coverage: 0,2, group: women}\n",
                                                    None, ["'0,2' on line 3 is read as two entries of the {...}"]),
    # was "organisation.levels[0].positions: required key is missing [and 2 more problems]"
    "track keys beside positions, not under it": (
        "organisation:\n  levels:\n    - {name: Junior, specialist: 12, management: 2}\n"
        "    - {name: Senior, positions: {specialist: 8, management: 4}}\n"
        "    - {name: Head, positions: {management: 2}}\n", "organisation.levels[0]",
        ["'specialist' and 'management' must be under positions: write positions: {specialist: 12, management: 2}"]),
    # as the README writes a level: was "organisation.levels[0][2]: Keys should be strings"
    "a decimal comma after a nested {...}": (
        "organisation:\n  levels:\n    - {name: Junior, positions: {specialist: 12}, hire_share: 0,2}\n"
        "    - {name: Senior, positions: {specialist: 8, management: 4}}\n"
        "    - {name: Head, positions: {management: 2}}\n", None,
        ["'0,2' on line 4 is read as two entries of the {...} (a comma separates them there): a decimal comma? "
         "write 0.2"]),
    "a comma that may be either": ("years: 1,500\n", "years",
                                   ["write 1500 if the comma separates thousands, or 1.500 if it is a decimal comma"]),
    "a percentage as a number": ("interventions:\n  career_conversations: {coverage: 80}\n",
                                 "interventions.career_conversations.coverage",
                                 ["must be from 0 to 1 (got 80); a fraction: 80 % is 0.8"]),
    # an org-design trial meant 12 % attrition a year; "12 % is 0.12" alone would have made it 12 % a month
    "a yearly percentage for a chance per month": ("exits: {base_monthly: 12}\n", "exits.base_monthly",
                                                   ["a fraction: 12 % is 0.12 a month; 12 % a year is about 0.011 "
                                                    "a month (this is a chance per month)"]),
    "a yearly percentage with % for a chance per month": ("behaviour: {risk_rate: 6%}\n", "behaviour.risk_rate",
                                                          ["write 0.06 for 6% a month; 6 % a year is about 0.0051 a "
                                                           "month"]),
    "a Numbers file as the headcount file": (
        "organisation:\n  source: {file: staff.numbers}\n", "organisation.source.file",
        ["got 'staff.numbers': export it as an Excel workbook (.xlsx) or as CSV (Numbers: File › Export To)"]),  # noqa: RUF001
    "a sheet of a CSV file": (
        "organisation:\n  source: {file: staff.csv, sheet: People}\n", "organisation.source.sheet",
        ["names a sheet of a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods); 'staff.csv' has none: remove sheet"]),
    "Excel's Unicode text as the headcount file": ("organisation:\n  source: {file: staff.txt}\n",
                                                   "organisation.source.file",
                                                   ["got 'staff.txt': text separated by tabs, commas or semicolons "
                                                    "is read from a file named .csv (rename it)"]),
}


@pytest.mark.parametrize("case", list(HAND_EDITED))
def test_hand_edited_and_spreadsheet_habits_get_a_plain_hint(write_yaml, tiny: dict[str, Any], case: str) -> None:
    text, path, words = HAND_EDITED[case]
    write_yaml("tiny.yaml", tiny)
    with pytest.raises(InputError) as err:
        load_scenario(write_yaml("variant.yaml", "extends: tiny.yaml\n" + text))
    line = str(err.value)
    assert "\n" not in line and line.startswith(str(err.value.source))
    assert err.value.source is not None and err.value.source.endswith("variant.yaml")
    assert err.value.path == path, line
    for word in words:
        assert word in line, (word, line)


def test_a_percentage_as_a_number_is_hinted_only_for_fractions(tiny: dict[str, Any]) -> None:
    """A bound other than 0-1 (``years`` up to 100) is not a percentage; only a share of 0-1 is."""
    tiny["exits"] = {"passed_over_multiplier": 80}
    assert "%" not in str(_error(tiny))
    tiny["exits"] = {"base_monthly": 100}  # 100 % a year is no chance per month to convert
    assert str(_error(tiny)).endswith("a fraction: 100 % is 1")
    tiny.pop("exits")
    tiny["behaviour"] = {"learning_rate": 5}  # readiness points a month, bounded by 1: not a share (an ODD audit)
    assert str(_error(tiny)).endswith("must be from 0 to 1 (got 5)")


def test_a_yaml_file_not_in_utf8_is_one_line(tmp_path: Path) -> None:
    """Notepad's "ANSI" (Windows-1252) file gave "cannot read file (UnicodeDecodeError)"."""
    bad = tmp_path / "ansi.yaml"
    bad.write_bytes("name: caf\u00e9\nextends: baseline\n".encode("cp1252"))
    with pytest.raises(InputError, match=r"ansi.yaml: cannot read file: not UTF-8 text; save it as UTF-8"):
        load_scenario(bad)


def test_a_small_headcount_does_not_make_the_organisation_look_listed_top_first() -> None:
    """Levels of 1, 4 and 1 + 3 positions scaled to 5 people rounded to 1, 2 and 1 + 2, which
    validation refuses as an org chart copied top first (hypothesis found a case in test_properties)."""
    data = {"extends": "baseline", "organisation": {"initial_fill": 1.0, "levels": [
        {"name": "A", "positions": {"specialist": 1}}, {"name": "B", "positions": {"management": 4}},
        {"name": "C", "positions": {"specialist": 1, "management": 3}}]}}
    scaled = load_scenario(data, headcount=5)
    assert [sum(lv.positions.values()) for lv in scaled.organisation.levels] == [1, 3, 3]


def test_a_group_named_as_a_missing_value_is_refused() -> None:
    """A group called NA came back from `promosim run --csv` as missing in pandas, and its rows were
    taken for the whole organisation's (a researcher trial)."""
    groups = [{"name": "NA", "workforce_share": 0.5, "hiring_share": 0.5},
              {"name": "EU", "workforce_share": 0.5, "hiring_share": 0.5}]
    with pytest.raises(InputError, match=r"groups\[0\]\.name: 'NA' reads as a missing value in CSV files"):
        load_scenario("baseline", overrides={"groups": groups})
    load_scenario("baseline", overrides={"groups": [{**groups[0], "name": "north_america"}, groups[1]]})
