"""Which engine code a process runs: a digest of the ``sim`` package it imports.

Kept apart, with standard-library imports only, so that it can be sent by value to a Dask worker
that runs other code (and so may not have this module at all) and computed there.
"""

from __future__ import annotations


def code_digest() -> tuple[str, str]:
    """A digest of the engine's source as this process imports it, and the folder it comes from.

    Every ``.py`` file of the ``sim`` package except the app (which runs no simulation), by
    relative path and content: the same code installed anywhere gives the same digest. Found
    through the import system, not this file's location, since the function may have been sent
    from another machine.
    """
    import hashlib  # noqa: PLC0415 (imported where the function runs)
    import importlib.util  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    spec = importlib.util.find_spec("sim")
    if spec is None or not spec.origin:
        return "none", "no sim package"
    root = Path(spec.origin).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if not relative.startswith("app/"):
            digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12], str(root)
