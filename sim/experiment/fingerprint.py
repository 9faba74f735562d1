"""Which engine code a process runs: a digest of the ``sim`` package it imports.

Kept apart, with standard-library imports only, so that it can be sent by value to a Dask worker
that runs other code (and so may not have this module at all) and computed there.
"""

from __future__ import annotations


def engine_files(root: object = None) -> tuple[tuple[str, int, int], ...]:
    """The engine's source files as (relative path, modification time in ns, size), in path order.

    Every ``.py`` file of the ``sim`` package except the app (which runs no simulation). Only
    their metadata is read, so ``sim.model`` can note it at import for a few hundred microseconds.

    Args:
        root: The package folder (default: where ``sim`` is imported from).
    """
    import importlib.util  # noqa: PLC0415 (imported where the function runs)
    from pathlib import Path  # noqa: PLC0415

    if root is None:
        spec = importlib.util.find_spec("sim")
        if spec is None or not spec.origin:
            return ()
        root = Path(spec.origin).resolve().parent
    root = Path(str(root))
    out = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if not relative.startswith("app/"):
            stat = path.stat()
            out.append((relative, stat.st_mtime_ns, stat.st_size))
    return tuple(out)


def code_digest() -> tuple[str, str]:
    """A digest of the engine's source as this process imports it, and the folder it comes from.

    The files by relative path and content: the same code installed anywhere gives the same digest.
    Found through the import system, not this file's location, since the function may have been
    sent from another machine. A process that imported the engine (``sim.model`` notes
    ``engine_files`` then) and whose files have changed since runs the code it loaded, not the
    files: it answers "changed since loaded", which matches no digest (a long-lived worker after a
    ``git pull`` in its checkout).
    """
    import hashlib  # noqa: PLC0415 (imported where the function runs)
    import importlib.util  # noqa: PLC0415
    import sys  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    spec = importlib.util.find_spec("sim")
    if spec is None or not spec.origin:
        return "none", "no sim package"
    root = Path(spec.origin).resolve().parent
    files = engine_files(root)
    loaded = getattr(sys.modules.get("sim"), "_engine_files", None)
    if loaded is not None and loaded != files:
        return "changed since loaded", f"{root}, whose files changed after the worker imported them: restart it"
    digest = hashlib.sha256()
    for relative, _, _ in files:
        digest.update(relative.encode() + b"\0" + (root / relative).read_bytes() + b"\0")
    return digest.hexdigest()[:12], str(root)


FAILED = "failed"  # checked_digest's answer, with why, where code_digest raised


def checked_digest() -> tuple[str, str]:
    """``code_digest``, or (:data:`FAILED`, why) where it raised: what a Dask worker is asked.

    A worker's own error (a file it cannot read) is an answer, so that one the check gets in
    place of an answer is the connection's: the worker was lost (``executor.check_worker_code``).
    """
    try:
        return code_digest()
    except Exception as exc:  # (said by the command, naming the worker)
        return FAILED, f"{exc.__class__.__name__}: {exc}"
