"""An offline cache of the front-end packages Solara loads, so the app works with no internet.

Solara fetches its JavaScript through ``/_solara/cdn/<package>@<version>/...``, which it proxies
to a public CDN and stores in ``SOLARA_ASSETS_PROXY_CACHE_DIR``. Without a network each file fails
after a timeout and the page stays blank. The files are npm packages, so ``npm pack`` (which only
talks to the npm registry) fetches them; each is unpacked as ``<cache>/<name>@<version>/``, the
layout the proxy reads. The cache is about 70 MB and is git-ignored (``.solara-cdn/``).

Run ``python -m sim.app.assets [DIR]`` to prepare it; ``promosim app`` does so when it is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

# What solara 1.64 with ipyvuetify 1.x loads for this app's page (see the browser test, which
# fails on any "Could not load URL" in the server log). The vue-grid-layout package is what
# Mesa's own SolaraViz layout needs; the vega packages are what altair charts need.
PACKAGES: tuple[str, ...] = (
    "@widgetti/solara-vuetify-app@10.1.1",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
)
ALTAIR_PACKAGES: tuple[str, ...] = ("vega@5", "vega-lite@5", "vega-embed@6")
ENV_VAR = "SOLARA_ASSETS_PROXY_CACHE_DIR"
MARKER = ".promosim-assets.json"


class AssetError(RuntimeError):
    """The cache could not be prepared (no npm, no registry); one line for the user."""


def default_cache_dir() -> Path:
    """Where the cache lives: ``$SOLARA_ASSETS_PROXY_CACHE_DIR``, else ``.solara-cdn/`` in the project.

    Outside a source checkout (no ``pyproject.toml`` beside the package) the cache goes under
    ``~/.cache/promosim/solara-cdn``.
    """
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").exists():
        return root / ".solara-cdn"
    return Path.home() / ".cache" / "promosim" / "solara-cdn"


def package_dir(cache: Path, spec: str) -> Path:
    """The folder of one package in the cache (``@scope/name@1.2.3`` keeps its scope folder)."""
    return cache / spec


def missing_packages(cache: Path, packages: Sequence[str] = PACKAGES) -> list[str]:
    """The packages not yet unpacked in ``cache``."""
    return [spec for spec in packages if not (package_dir(cache, spec) / "package.json").exists()]


def cache_ready(cache: Path, packages: Sequence[str] = PACKAGES) -> bool:
    """True when every package is unpacked in ``cache``."""
    return not missing_packages(cache, packages)


def _unpack(tgz: Path, dest: Path) -> None:
    """Unpack an npm tarball (whose files sit under ``package/``) into ``dest``."""
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with tarfile.open(tgz) as tar:
        tar.extractall(tmp, filter="data")
    inner = tmp / "package"
    source = inner if inner.is_dir() else tmp
    shutil.rmtree(dest, ignore_errors=True)
    source.rename(dest)
    shutil.rmtree(tmp, ignore_errors=True)


def prepare_cache(
    cache: Path | None = None,
    packages: Sequence[str] = PACKAGES,
    npm: str = "npm",
    quiet: bool = False,
) -> Path:
    """Fetch the missing packages with ``npm pack`` and unpack them into the cache.

    Args:
        cache: The cache folder (default: :func:`default_cache_dir`).
        packages: npm package specs (``name@version``).
        npm: The npm executable.
        quiet: Print nothing.

    Returns:
        The cache folder.

    Raises:
        AssetError: npm is missing or a package could not be fetched.
    """
    cache = Path(cache) if cache is not None else default_cache_dir()
    todo = missing_packages(cache, packages)
    if not todo:
        return cache
    exe = shutil.which(npm)
    if exe is None:
        raise AssetError(f"cannot prepare the offline asset cache: '{npm}' not found (install Node.js and npm)")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="promosim-npm-") as tmp:
        if not quiet:
            print(f"fetching {len(todo)} front-end package(s) into {cache} ...", file=sys.stderr)
        proc = subprocess.run(
            [exe, "pack", "--json", "--pack-destination", tmp, *todo],
            capture_output=True, text=True, cwd=tmp, check=False,
        )
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise AssetError(f"npm pack failed: {last}")
        try:
            packed = json.loads(proc.stdout)
        except json.JSONDecodeError:
            raise AssetError("npm pack printed no package list") from None
        for spec, info in zip(todo, packed, strict=True):
            _unpack(Path(tmp) / info["filename"], package_dir(cache, spec))
    (cache / MARKER).write_text(json.dumps({"packages": list(packages)}, indent=1), encoding="utf-8")
    still = missing_packages(cache, packages)
    if still:
        raise AssetError(f"packages still missing after npm pack: {', '.join(still)}")
    return cache


def ensure_cache(cache: Path | None = None, packages: Sequence[str] = PACKAGES, quiet: bool = False) -> Path | None:
    """Prepare the cache if it is incomplete; on failure warn and return None (the app then needs internet)."""
    try:
        return prepare_cache(cache, packages, quiet=quiet)
    except AssetError as exc:
        if not quiet:
            print(f"warning: {exc}; the app will need internet to load its front end", file=sys.stderr)
        return None


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.app.assets [DIR] [--altair]``: prepare the cache and print its folder."""
    import argparse  # noqa: PLC0415

    parser = argparse.ArgumentParser(prog="python -m sim.app.assets", description=__doc__.splitlines()[0])
    parser.add_argument("cache", nargs="?", help="cache folder (default: .solara-cdn/ in the project)")
    parser.add_argument("--altair", action="store_true", help="also cache vega, vega-lite and vega-embed")
    args = parser.parse_args(argv)
    packages = PACKAGES + (ALTAIR_PACKAGES if args.altair else ())
    try:
        cache = prepare_cache(Path(args.cache) if args.cache else None, packages)
    except AssetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
