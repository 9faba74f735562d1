"""Bring your own organisation: start a simulation from a headcount file.

A scenario's ``organisation.source`` names a CSV or Parquet file of anonymised employees
(docs/orgdata.md). ``loader`` reads, maps and validates it; ``infer`` samples what the file
does not say, conditional on what it does; ``populate`` places the people into the model;
``describe`` and ``cli`` print the starting organisation (``promosim org describe``).
"""

from sim.orgdata.loader import FieldReport, OrgTable, load_org
from sim.orgdata.populate import OrgReport, populate_from_file

__all__ = ["FieldReport", "OrgReport", "OrgTable", "load_org", "populate_from_file"]
