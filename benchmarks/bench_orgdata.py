"""How long a 100,000-person headcount file takes to load.

Generates the synthetic organisation at 300 times the shipped size (about 94,000 people; use
--scale to change it) as CSV, Excel (.xlsx) and Parquet in a temporary folder, then times, for each format:
reading, mapping and validating the file (``load_org``, cache off), and building the whole
model from it (``PromotionModel`` with no warm-up: validation, inference, placing people and
creating their Mesa agents).

    .venv/bin/python benchmarks/bench_orgdata.py [--scale 320] [--repeat 3]

The figure is recorded in docs/orgdata.md; it is a benchmark, not a timed test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from make_synthetic_org import LEVELS, make_org  # noqa: E402

from sim.model import PromotionModel  # noqa: E402
from sim.orgdata import loader  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402


def scenario_for(path: Path, scale: int) -> dict:
    """The shipped synthetic scenario with every level's positions times ``scale``."""
    base = yaml.safe_load((ROOT / "scenarios" / "synthetic_org.yaml").read_text(encoding="utf-8"))
    for level, (_grade, name, spec, mgmt) in zip(base["organisation"]["levels"], LEVELS, strict=True):
        assert level["name"] == name
        level["positions"] = {k: v for k, v in (("specialist", spec * scale), ("management", mgmt * scale)) if v}
    base["organisation"]["source"]["file"] = str(path)
    base["extends"] = str(ROOT / "scenarios" / "baseline.yaml")
    return base


def best_of(repeat: int, work: callable) -> float:
    times = []
    for _ in range(repeat):
        loader._CACHE.clear()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=320, help="multiple of the shipped organisation (default 320)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is shown (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        frame = make_org(scale=args.scale)
        print(f"generated {len(frame):,} people in {time.perf_counter() - start:.1f} s")
        for suffix in (".csv", ".xlsx", ".parquet"):
            path = Path(tmp) / f"org{suffix}"
            if suffix == ".csv":
                frame.to_csv(path, index=False)
            elif suffix == ".xlsx":
                frame.to_excel(path, index=False, sheet_name="People")
            else:
                frame.to_parquet(path, index=False)
            spec = load_scenario(scenario_for(path, args.scale))
            read = best_of(args.repeat, lambda spec=spec: loader.load_org(spec))
            built = best_of(args.repeat, lambda spec=spec: PromotionModel(scenario=spec, rng=1))
            print(f"{suffix[1:]:>8}: {len(frame):,} rows, {path.stat().st_size / 1e6:.1f} MB: "
                  f"read + map + validate {read:.2f} s; whole model built {built:.2f} s (best of {args.repeat})")


if __name__ == "__main__":
    main()
