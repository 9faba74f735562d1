"""The citation file: well-formed and naming the version the package reports."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

import sim

ROOT = Path(__file__).resolve().parents[1]


def test_citation_file_names_this_version():
    """A paper citing CITATION.cff must name the version that ran: it moves with pyproject.toml."""
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["version"]) == project["version"] == sim.__version__
    assert cff["license"] == project["license"]["text"]
    for field in ("title", "message", "authors", "type"):
        assert cff[field], field
    for ref in cff["references"]:
        assert ref["title"] and ref["authors"] and ref["year"], ref
