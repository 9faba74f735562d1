"""Where compiled loops are cached (sim/compiled.py): a fresh cache for every edit to a compiling module.

Also a compiled stand-in for a numpy function that must agree with it bit for bit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.compiled import _writable, cache_dir
from sim.managers import quantile


def package(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    root.mkdir(parents=True)
    (root / "loops.py").write_text("@jit\ndef f(x):\n    return x\n")
    (root / "draws.py").write_text("@jit\ndef g(x):\n    return x + 1\n")
    (root / "cli.py").write_text("def main():\n    pass\n")
    return root


def test_an_edit_to_any_compiling_module_moves_the_cache(tmp_path: Path) -> None:
    """Numba would only notice an edit to the loop's own file; here an edit to the module whose
    function the loop calls (``draws.py``) must give a new directory too."""
    root = package(tmp_path)
    first = cache_dir(root)
    assert cache_dir(root) == first
    (root / "draws.py").write_text("@jit\ndef g(x):\n    return x + 2\n")
    second = cache_dir(root)
    assert second != first
    (root / "cli.py").write_text("def main():\n    return 1\n")
    assert cache_dir(root) == second, "a module that compiles nothing does not matter"


def test_the_cache_lives_where_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMOSIM_CACHE_DIR", str(tmp_path / "cache"))
    assert cache_dir(package(tmp_path)).parent == tmp_path / "cache" / "numba"
    monkeypatch.delenv("PROMOSIM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir(package(tmp_path / "b")).parent == tmp_path / "xdg" / "promosim" / "numba"


def test_an_unwritable_cache_is_detected(tmp_path: Path) -> None:
    assert _writable(tmp_path / "a" / "b")
    assert not _writable(Path("/proc/promosim-cache"))


def test_the_compiled_quantile_is_numpys_to_the_last_bit() -> None:
    """The review cuts (``managers.quantile``) must pick the same people as ``np.quantile`` did."""
    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 10, 999, 4096):
        for values in (rng.random(n), rng.integers(0, 4, n).astype(float), np.round(rng.normal(size=n), 1)):
            for q in (0.0, 0.1, 0.5, 0.7, 0.75, 0.9, 1.0 - 0.1, 1.0 - 0.3, 1.0, float(rng.random())):
                assert quantile(values, q) == np.quantile(values, q), (n, q)
    assert np.isnan(quantile(np.array([1.0, np.nan, 2.0]), 0.9))
