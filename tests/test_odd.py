"""docs/ODD.md's parameter tables against the code: every key, its default, and the range its unit promises.

Researchers cite section 8's defaults and the levers' defaults of 3.2.1. A default changed in
``sim/scenario.py`` (or a lever's module) and not in the ODD, a parameter added without a row, or
a row left for a parameter that is gone, made a cited value wrong without any test failing.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import pytest
from conftest import ROOT
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from sim import interventions
from sim.scenario import (
    Behaviour,
    Employees,
    Exits,
    Group,
    Heuristics,
    Hiring,
    Level,
    Managers,
    Metrics,
    Organisation,
    OrgSource,
    Person,
    Policy,
    Promotion,
    Scenario,
)

ODD = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
REQUIRED = object()  # the default of a field that has none

# Section 8's tables and the pydantic model each documents; a key path's first part may name a
# model nested in it (``levels[].name``, ``source.file``, ``heuristics.silence_as_disinterest``).
SECTIONS: dict[str, type[BaseModel]] = {
    "8.1": Scenario, "8.2": Organisation, "8.3": Group, "8.5": Employees, "8.6": Behaviour, "8.7": Managers,
    "8.8": Policy, "8.9": Promotion, "8.10": Exits, "8.11": Hiring, "8.12": Metrics,
}
NESTED: dict[tuple[type[BaseModel], str], type[BaseModel]] = {
    (Organisation, "levels[]"): Level, (Organisation, "source"): OrgSource, (Managers, "heuristics"): Heuristics,
}
# Scenario's blocks, documented by sections of their own (8.2-8.13) rather than as rows of 8.1.
BLOCKS = {"organisation", "groups", "employees", "behaviour", "managers", "policy", "promotion", "exits", "hiring",
          "metrics", "interventions", "people"}


def section(number: str) -> str:
    """The text of ODD section ``number`` (e.g. ``8.5``), up to the next heading of any level."""
    return re.split(r"\n#+ ", re.split(rf"\n#+ {re.escape(number)} ", ODD, maxsplit=1)[1], maxsplit=1)[0]


def rows(number: str) -> list[list[str]]:
    """The rows of the table in section ``number`` whose first cell is a key (`` `name` ``)."""
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in section(number).splitlines() if line.startswith("| `")]


def field_of(model: type[BaseModel], key: str) -> tuple[type[BaseModel], str]:
    """The model and field a row's key path names (``levels[].hire_share`` -> Level, ``hire_share``)."""
    head, _, rest = key.rpartition(".")
    return (NESTED[(model, head)], rest) if head else (model, key)


def documented_default(cell: str) -> Any:
    """A Default cell as a value: ``0.25``, ``true``, ``Beta(2, 3)``, ``[12, 48]``, ``required``, ``unset``, ..."""
    if cell.startswith("required"):
        return REQUIRED
    if cell.startswith("unset"):
        return None
    if cell.startswith("{}"):
        return {}
    if cell == '""':
        return ""
    if cell in ("true", "false"):
        return cell == "true"
    dist = re.match(r"(Beta|Normal)\(([-\d.]+), ([-\d.]+)\)", cell)
    if dist:
        keys = ("a", "b") if dist.group(1) == "Beta" else ("mean", "sd")
        return dict(zip(keys, map(float, dist.group(2, 3)), strict=True))
    pair = re.fullmatch(r"\[(\d+), (\d+)\]", cell)
    if pair:
        return [int(v) for v in pair.groups()]
    if re.fullmatch(r"-?\d+(\.\d+)?", cell):
        return float(cell)
    literal = re.findall(r"`([^`]+)`", cell)  # "`iso`"; in words, the code's own value in backticks
    return literal[-1] if literal else cell


def code_default(field: FieldInfo) -> Any:
    if field.is_required():
        return REQUIRED
    value = field.get_default(call_default_factory=True)
    return value.model_dump() if isinstance(value, BaseModel) else value


def refuses(field: FieldInfo, value: float) -> bool:
    """Whether validation refuses ``value`` for this field (its range, not its type)."""
    annotation = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
    try:
        TypeAdapter(annotation).validate_python(value)
    except ValidationError:
        return True
    return False


def documented_rows() -> list[tuple[str, type[BaseModel], str, list[str]]]:
    return [(number, *field_of(model, row[0].strip("`")), row) for number, model in SECTIONS.items()
            for row in rows(number)]


def test_section_8_has_one_row_for_every_parameter_and_none_for_a_parameter_that_is_gone() -> None:
    documented = {(model, name) for _, model, name, _ in documented_rows()}
    # A block whose keys have rows (``heuristics.*``) is documented by them.
    documented |= {(outer, head.removesuffix("[]")) for (outer, head), inner in NESTED.items()
                   if any(model is inner for model, _ in documented)}
    expected = {(model, name) for model in (*SECTIONS.values(), *NESTED.values()) for name in model.model_fields
                if not (model is Scenario and name in BLOCKS)}
    assert {(m.__name__, n) for m, n in expected - documented} == set(), "parameters without a row in ODD section 8"
    assert {(m.__name__, n) for m, n in documented - expected} == set(), "rows of ODD section 8 for no parameter"


def test_section_8_gives_each_parameter_its_default_in_the_code() -> None:
    wrong = []
    for number, model, name, row in documented_rows():
        said, actual = documented_default(row[1]), code_default(model.model_fields[name])
        if said != actual:
            wrong.append(f"{number} {row[0]}: ODD says {row[1]!r}, {model.__name__}.{name} defaults to {actual!r}")
    assert wrong == []


# A unit promises a range: validation must refuse a value just outside it.
UNIT_RANGES = {r"(fraction|probability|share|belief)\b": (0.0, 1.0), r"/month\b": (0.0, 1.0),
               r"score(\s*\(|$)": (0.0, 10.0)}


def test_section_8_units_promise_ranges_the_code_enforces() -> None:
    loose, checked = [], 0
    for number, model, name, row in documented_rows():
        field = model.model_fields[name]
        if isinstance(code_default(field), dict):  # a distribution's parameters, not a value on the unit's scale
            continue
        for unit, (low, high) in UNIT_RANGES.items():
            if re.match(unit, row[2]):
                checked += 1
                if not (refuses(field, low - 1e-3) and refuses(field, high + 1e-3)):
                    loose.append(f"{number} {row[0]} ({row[2]}): {model.__name__}.{name} allows values outside "
                                 f"[{low:g}, {high:g}]")
    assert checked >= 50 and loose == []


def test_section_8_4_names_every_field_of_a_named_person() -> None:
    named = set(re.findall(r"`([a-z_]+)`", section("8.4")))
    assert set(Person.model_fields) - named == set()


@pytest.mark.parametrize("lever", sorted(interventions.load_all()))
def test_the_levers_table_gives_each_parameter_its_default(lever: str) -> None:
    """3.2.1 writes a default in parentheses after the parameter, or after an expression that uses it."""
    cls = interventions.REGISTRY[lever]
    row = next(line for line in section("3.2.1").splitlines() if line.startswith(f"| `{lever}` |"))
    fields = cls.Params.model_fields
    assert {name for name in fields if not re.search(rf"\b{name}\b", row)} == set(), "parameters 3.2.1 leaves out"
    said: dict[str, str] = dict(re.findall(r"\(`(\w+)` = ([^)]+)\)", row))
    for span, value in re.findall(r"`([^`]+)` \(([^)]+)\)", row):
        names = [name for name in re.findall(r"[a-z_]+(?:\.[a-z_]+)?", span)
                 if name in fields or ("." in name and name.split(".")[0] in Scenario.model_fields)]
        assert len(names) <= 1, f"{span!r}: which of {names} is the default ({value}) for?"
        said.update(dict.fromkeys(names, value.split(";")[0]))
    assert said
    for name, value in said.items():
        if "." in name:
            block, key = name.split(".")
            actual = Scenario.model_fields[block].get_default(call_default_factory=True).model_dump()[key]
        else:
            actual = fields[name].default
        expected = value.strip().strip('"')
        assert (float(expected) if isinstance(actual, int | float) else expected) == actual, f"{lever}: {name}"
