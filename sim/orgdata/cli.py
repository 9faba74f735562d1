"""``promosim org describe SCENARIO``: print the starting organisation.

Registered through ``sim.cli.COMMAND_MODULES``. Bad scenario or headcount files raise
:class:`~sim.errors.InputError`, which the main entry point prints as one line with exit code 2.
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_commands(subparsers: Any) -> None:
    """Add ``org`` and its ``describe`` action to the ``promosim`` parser."""
    from sim.cli import headcount, seed_number  # noqa: PLC0415 (sim.cli imports us)

    org = subparsers.add_parser("org", help="inspect a scenario's starting organisation")
    actions = org.add_subparsers(dest="action", required=True, parser_class=type(org))
    desc = actions.add_parser(
        "describe", help="print the pyramid, spans of control, groups by level and what was inferred",
        description="Print the starting organisation of a scenario, read from its headcount file "
                    "(organisation.source) or drawn, as placed before any warm-up.",
    )
    desc.add_argument("scenario", help="scenario file, or the name of a shipped scenario")
    desc.add_argument("--seed", type=seed_number, default=1, help="run seed for what is sampled (default 1)")
    desc.add_argument("--headcount", type=headcount, help="resize the positions to about N people")
    desc.add_argument("--set", action="append", metavar="KEY.PATH=VALUE", help="override a scenario key (repeatable)")
    desc.add_argument("--json", action="store_true", help="print the description as JSON")
    desc.set_defaults(func=cmd_describe)


def cmd_describe(args: argparse.Namespace) -> int:
    """Build the model without warm-up and describe what was placed."""
    from sim.cli import load_with_set, parse_set  # noqa: PLC0415
    from sim.model import PromotionModel  # noqa: PLC0415
    from sim.orgdata.describe import describe, render  # noqa: PLC0415
    from sim.orgdata.loader import CapacityError  # noqa: PLC0415
    from sim.scenario import load_scenario  # noqa: PLC0415

    overrides = parse_set(args.set or [])
    scenario = load_with_set(args.scenario, args.headcount, overrides, list(overrides))
    warmup = scenario.warmup_months
    placed = load_scenario(scenario, overrides={"warmup_months": 0})
    try:
        model = PromotionModel(scenario=placed, rng=args.seed)
    except CapacityError as exc:
        raise exc.after_resizing(args.headcount, "--headcount") if args.headcount else exc from None
    description = describe(model)
    description["warmup_months"] = warmup
    print(json.dumps(description, indent=2) if args.json else render(description))
    return 0
