"""How long one step plus redraw takes in the workshop app (target: under 250 ms at 1,000 people).

Server side (default): the page's components are rendered with ``solara.render`` exactly as the
server renders them, and each measured step is what Mesa's Step button does: ``model.step()``
(both runs, with and without the levers) followed by Mesa's ``force_update()``, which re-renders
every component showing the model. Measured for the Organisation tab and the Side by side tab.

With ``--browser`` it also starts ``promosim app`` and clicks Step in headless Chromium, timing
(in the page) from the click until the new ``Step: N`` and the redrawn pyramid are painted: the
latency a person in the room sees (needs /usr/bin/chromium and the offline asset cache).

    python benchmarks/bench_app.py [--steps 60] [--headcount 1000] [--browser]
"""

from __future__ import annotations

import argparse
import gc
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_MS = 250.0

# In the page: click Step, wait until the step counter and the pyramid canvas have changed, then
# for the next frame to be painted; returns the milliseconds taken.
CLICK_AND_WAIT = """
async (selector) => {
  const button = [...document.querySelectorAll('button')].find(b => b.innerText.trim().toUpperCase() === 'STEP');
  const step = document.querySelector('.promosim-step');
  const canvas = document.querySelector(selector);
  const seen = {step: false, canvas: false};
  const t0 = performance.now();
  await new Promise(resolve => {
    const done = () => { if (seen.step && seen.canvas) resolve(); };
    new MutationObserver((m, o) => { seen.step = true; o.disconnect(); done(); })
      .observe(step, {childList: true, subtree: true, characterData: true});
    new MutationObserver((m, o) => { seen.canvas = true; o.disconnect(); done(); })
      .observe(canvas, {attributes: true});
    button.click();
  });
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  return performance.now() - t0;
}
"""


def summary(label: str, times_ms: list[float]) -> str:
    """``label: median X ms, p90 Y ms, max Z ms (n steps)``."""
    ordered = sorted(times_ms)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    verdict = "under" if p90 < TARGET_MS else "OVER"
    return (f"{label}: median {statistics.median(ordered):.0f} ms, p90 {p90:.0f} ms, max {ordered[-1]:.0f} ms "
            f"({len(ordered)} steps; p90 {verdict} the {TARGET_MS:.0f} ms target)")


def bench_server(steps: int, headcount: int | None, levers: tuple[str, ...]) -> None:
    """Step and redraw through solara.render, per tab."""
    import solara  # noqa: PLC0415
    from mesa.visualization.utils import force_update  # noqa: PLC0415

    import sim.app.app  # noqa: F401, PLC0415  (as the server does: imports, then gc.freeze)
    from sim.app.components import TAB_ORGANISATION, TAB_SIDE_BY_SIDE, AppState, MainView, Sidebar  # noqa: PLC0415
    from sim.app.workshop import Settings  # noqa: PLC0415

    for tab, name in ((TAB_ORGANISATION, "Organisation tab"), (TAB_SIDE_BY_SIDE, "Side by side tab")):
        state = AppState.create(Settings(levers=levers, headcount=headcount, compare=True))
        state.tab.value = tab

        @solara.component
        def Whole(state: AppState = state) -> None:  # noqa: N802
            with solara.Column():
                Sidebar(state)
                MainView(state)

        solara.render(Whole(), handle_error=False)
        model = state.model.value
        people = int(model.treated.workforce.active.sum())
        for _ in range(3):
            model.step()
            force_update()
        gc.collect()
        total, stepping = [], []
        for _ in range(steps):
            if not model.running:
                break
            t0 = time.perf_counter()
            model.step()
            t1 = time.perf_counter()
            force_update()
            t2 = time.perf_counter()
            total.append(1000 * (t2 - t0))
            stepping.append(1000 * (t1 - t0))
        runs = "with and without " + ", ".join(levers) if model.control is not None else "one run"
        print(summary(f"server, {name}, {people:,} people, {runs}: one step + redraw", total))
        print(f"    of which the step of the model(s): median {statistics.median(stepping):.0f} ms")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_browser(steps: int) -> None:
    """Click Step in headless Chromium and time until the page shows the new month."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    from sim.app import assets  # noqa: PLC0415

    cache = assets.prepare_cache(quiet=True)
    port = _free_port()
    env = {**os.environ, assets.ENV_VAR: str(cache)}
    proc = subprocess.Popen([sys.executable, "-m", "sim", "app", "--port", str(port), "--no-prepare"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("promosim app did not start") from None
                time.sleep(0.5)
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=args)
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(url)
            page.get_by_role("button", name="Reset").wait_for(timeout=90_000)
            people = page.locator('[data-counter="people"] .promosim-tile-value').inner_text()
            page.wait_for_timeout(1000)
            times = [page.evaluate(CLICK_AND_WAIT, ".promosim-pyramid-card canvas") for _ in range(steps)]
            print(summary(f"browser, Organisation tab, {people} people, one run: click Step until painted", times))
            lever = "career conversations"
            page.get_by_text(lever, exact=True).click()
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("Step: 0", exact=True).wait_for()
            page.get_by_role("tab", name="Side by side").click()
            page.locator(".promosim-without canvas").wait_for()
            page.wait_for_timeout(1000)
            times = [page.evaluate(CLICK_AND_WAIT, ".promosim-without canvas") for _ in range(steps)]
            print(summary(f"browser, Side by side tab, {people} people, with and without {lever}: click Step "
                          "until painted", times))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="measured steps (default 60)")
    parser.add_argument("--headcount", type=int, default=None, help="resize the baseline (default: its ~1,000)")
    parser.add_argument("--levers", default="career_conversations",
                        help="comma-separated levers for the side-by-side run ('' for none)")
    parser.add_argument("--browser", action="store_true", help="also time clicks in headless Chromium")
    args = parser.parse_args()
    levers = tuple(name for name in args.levers.split(",") if name)
    bench_server(args.steps, args.headcount, levers)
    if args.browser:
        bench_browser(min(args.steps, 30))
    return 0


if __name__ == "__main__":
    sys.exit(main())
