"""Bring your own organisation: start a simulation from a headcount file.

A scenario's ``organisation.source`` names a CSV or Parquet file of anonymised employees
(docs/orgdata.md). ``loader`` reads, maps and validates it; ``infer`` samples what the file
does not say, conditional on what it does; ``populate`` places the people into the model;
``describe`` and ``cli`` print the starting organisation (``promosim org describe``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.orgdata.loader import FieldReport, OrgTable, load_org
    from sim.orgdata.populate import OrgReport, populate_from_file

__all__ = ["FieldReport", "OrgReport", "OrgTable", "load_org", "populate_from_file"]

# Imported on first use, like the engine in ``sim``: the command line builds its parser from
# ``sim.orgdata.cli``, and loading pandas, scipy and the engine here made ``promosim --help`` wait.
_LAZY = {"FieldReport": "loader", "OrgTable": "loader", "load_org": "loader", "OrgReport": "populate",
         "populate_from_file": "populate"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'sim.orgdata' has no attribute '{name}'")
    value = getattr(importlib.import_module(f"sim.orgdata.{_LAZY[name]}"), name)
    globals()[name] = value
    return value
