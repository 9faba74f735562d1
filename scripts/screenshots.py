"""Refresh the screenshots of the workshop app in docs/img/ (headless Chromium, offline assets).

    python scripts/screenshots.py [--out docs/img]

Starts ``promosim app`` on a free port, drives the page as a facilitator would, and saves:
organisation.png (pyramid, inspector, feed, charts), side_by_side.png (with and without levers),
sam_and_priya.png (the guided start) and upload_error.png (a bad scenario's one-line error).
Needs /usr/bin/chromium (scripts/ci_prepare.sh installs it).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WIDTH, HEIGHT = 1500, 1900


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    """``promosim app`` with the offline cache; returns the process and its URL once it answers."""
    from sim.app import assets  # noqa: PLC0415

    cache = assets.prepare_cache(quiet=True)
    port = free_port()
    env = {**os.environ, assets.ENV_VAR: str(cache)}
    proc = subprocess.Popen([sys.executable, "-m", "sim", "app", "--port", str(port), "--no-prepare"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return proc, url
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.terminate()
                raise SystemExit("promosim app did not start") from None
            time.sleep(0.5)


def step(page: object, months: int) -> None:
    """Press Step ``months`` times, waiting for each month."""
    for _ in range(months):
        now = int(page.locator(".promosim-step").inner_text().split(":")[1])
        page.get_by_role("button", name="Step").click()
        page.get_by_text(f"Step: {now + 1}", exact=True).wait_for(timeout=30_000)


def click_person(page: object, selector: str, which: int) -> None:
    """Click one of the sample people listed by a pyramid canvas."""
    canvas = page.locator(selector)
    x, y, _uid = json.loads(canvas.get_attribute("data-sample"))[which]
    scale = canvas.bounding_box()["width"] / float(canvas.get_attribute("data-width"))
    canvas.click(position={"x": x * scale, "y": y * scale})


def fresh_page(pw: object, url: str, profile: Path) -> tuple[object, object]:
    """A new browser profile (a new app session) on the page, Reset pressed."""
    context = pw.chromium.launch_persistent_context(
        str(profile), executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True,
        viewport={"width": WIDTH, "height": HEIGHT},
    )
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(url)
    page.get_by_role("button", name="Reset").wait_for(timeout=90_000)
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Step: 0", exact=True).wait_for()
    return context, page


def take(out: Path, url: str) -> list[Path]:
    """Drive the app and save the screenshots."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    saved = []
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
        context, page = fresh_page(pw, url, Path(tmp) / "a")
        step(page, 14)
        click_person(page, ".promosim-pyramid-card canvas", 1)
        page.locator(".promosim-inspector").get_by_text("What is true").wait_for()
        page.get_by_role("button", name="Someone with hidden ambition").click()
        page.wait_for_timeout(800)
        saved.append(out / "organisation.png")
        page.screenshot(path=str(saved[-1]))

        for label in ("career conversations", "psychological safety"):
            if page.get_by_text(label, exact=True).count():
                page.get_by_text(label, exact=True).click()
        page.get_by_role("button", name="Reset").click()
        page.get_by_text("Step: 0", exact=True).wait_for()
        page.get_by_role("tab", name="Side by side").click()
        page.locator(".promosim-without canvas").wait_for()
        step(page, 24)
        page.wait_for_timeout(800)
        saved.append(out / "side_by_side.png")
        page.screenshot(path=str(saved[-1]))
        context.close()

        context, page = fresh_page(pw, url, Path(tmp) / "b")
        page.get_by_role("tab", name="Sam and Priya").click()
        page.get_by_role("button", name="Load the story").click()
        page.locator(".promosim-inspector").get_by_text("Sam (#").wait_for()
        page.get_by_role("button", name="Run six months").click()
        page.get_by_text("Step: 6", exact=True).wait_for()
        page.get_by_role("button", name="Look at Priya").click()
        page.locator(".promosim-inspector").get_by_text("Priya (#").wait_for()
        page.wait_for_timeout(800)
        saved.append(out / "sam_and_priya.png")
        page.screenshot(path=str(saved[-1]))

        bad = Path(tmp) / "my_org.yaml"
        bad.write_text("extends: baseline.yaml\nmanagers:\n  micro_penalty_rate: 1.5\n", encoding="utf-8")
        page.locator('input[type="file"]').set_input_files(str(bad))
        page.locator(".promosim-error").wait_for()
        page.wait_for_timeout(500)
        saved.append(out / "upload_error.png")
        box = page.locator(".promosim-error").bounding_box()
        page.screenshot(path=str(saved[-1]), clip={"x": 0, "y": max(0, box["y"] - 420), "width": 400, "height": 640})
        context.close()
    return saved


def main() -> int:
    """Take the screenshots and print where they went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "img"), help="folder for the PNG files")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    proc, url = start_server()
    try:
        for path in take(out, url):
            print(path)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
