"""End-to-end tests of the workshop app in headless Chromium (Playwright for Python).

Each test module run starts ``promosim app`` on a free port with the offline asset cache, and each
test opens a fresh browser profile (a fresh Solara session). The server log must never say
``Could not load URL``: that would mean a front-end file is missing from the offline cache.

Needs /usr/bin/chromium (``scripts/ci_prepare.sh`` installs it); never ``playwright install``.
Outside CI the tests skip when Chromium is missing; in CI they fail.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("PROMOSIM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
MISSING_ASSET = "Could not load URL"
LOAD_TIMEOUT_MS = 90_000
STEP_TIMEOUT_MS = 30_000


def _needs_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} not found: run scripts/ci_prepare.sh (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A running ``promosim app`` and its log."""

    def __init__(self, url: str, log: Path, proc: subprocess.Popen[bytes]):
        self.url = url
        self.log = log
        self.proc = proc

    def text(self) -> str:
        """The server's output so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def check_log(self) -> None:
        """Fail when a front-end file could not be loaded (not in the offline cache), or on Solara's cookie noise."""
        bad = [line for line in self.text().splitlines() if MISSING_ASSET in line]
        assert not bad, "front-end files missing from the offline cache:\n" + "\n".join(bad[:10])
        # Solara's 13-line cookie warning for every browser session filled a facilitator's terminal.
        assert "samesite=none require https" not in self.text(), self.text()[-2000:]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``promosim app`` on a free port, with the offline asset cache prepared."""
    _needs_chromium()
    from sim.app import assets  # noqa: PLC0415

    cache = assets.prepare_cache(quiet=True)
    port = _free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    env = {**os.environ, assets.ENV_VAR: str(cache), "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sim", "app", "--host", "127.0.0.1", "--port", str(port), "--no-prepare"],
            stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
        )
    url = f"http://127.0.0.1:{port}/"
    srv = Server(url, log, proc)
    deadline = time.monotonic() + 300  # with an empty compile cache the engine compiles first (about a minute)
    while True:
        if proc.poll() is not None:
            pytest.fail(f"promosim app exited with {proc.returncode}:\n{srv.text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.terminate()
            pytest.fail(f"promosim app did not answer within 300 s:\n{srv.text()[-3000:]}")
        time.sleep(0.5)
    yield srv
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=20)
    srv.check_log()


@pytest.fixture
def page(server: Server, tmp_path: Path) -> Iterator[object]:
    """A fresh browser profile on the app's page, Reset pressed, at step 0."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1500, "height": 1100},
        )
        try:
            pg = context.pages[0] if context.pages else context.new_page()
            pg.set_default_timeout(STEP_TIMEOUT_MS)
            pg.goto(server.url)
            pg.get_by_role("button", name="Reset").wait_for(timeout=LOAD_TIMEOUT_MS)
            pg.get_by_role("button", name="Reset").click()
            step_is(pg, 0)
            yield pg
        finally:
            context.close()
    server.check_log()


def step_is(pg: object, n: int) -> None:
    """Wait until Mesa's counter reads ``Step: n``."""
    pg.get_by_text(f"Step: {n}", exact=True).wait_for(timeout=STEP_TIMEOUT_MS)


def step_through(pg: object, months: range, levers: bool | None = None) -> None:
    """Press Step once for each of ``months``, then wait for the address to hold the last one.

    The address follows the run a moment after the page shows its month; with ``levers`` the
    address must also say (or not say) which levers run.
    """
    for n in months:
        pg.get_by_role("button", name="Step").click()
        step_is(pg, n)
    lever_test = "" if levers is None else f" && location.search.includes('levers') === {json.dumps(levers)}"
    pg.wait_for_function(f"() => location.search.includes('month={months[-1]}'){lever_test}")


def switch_lever_and_reset(pg: object, lever: str) -> None:
    """Switch a lever (by its label) and press Reset: a new run of other settings, at month 0."""
    pg.get_by_text(lever, exact=True).click()
    pg.get_by_role("button", name="Reset").click()
    step_is(pg, 0)


def current_step(pg: object) -> int:
    """The number in ``Step: N``."""
    text = pg.locator(".promosim-step").first.inner_text()
    return int(re.search(r"Step: (\d+)", text).group(1))


def counter(pg: object, name: str) -> str:
    """The value of one counter tile."""
    return pg.locator(f'[data-counter="{name}"] .promosim-tile-value').first.inner_text()


def pixels(pg: object, selector: str) -> str:
    """What a canvas shows, as a data URL."""
    return pg.eval_on_selector(selector, "c => c.toDataURL()")


def click_person(pg: object, selector: str, which: int = 0) -> int:
    """Click one of the sample people the pyramid canvas lists; returns their uid."""
    canvas = pg.locator(selector)
    sample = json.loads(canvas.get_attribute("data-sample"))
    width = float(canvas.get_attribute("data-width"))
    box = canvas.bounding_box()
    scale = box["width"] / width
    x, y, uid = sample[which]
    canvas.click(position={"x": x * scale, "y": y * scale})
    return int(uid)


def chart_points(pg: object, selector: str = ".promosim-charts") -> int:
    """How many months the first chart in ``selector`` shows."""
    return int(pg.locator(f"{selector} svg[data-points]").first.get_attribute("data-points"))


def test_page_loads_offline_with_the_organisation(page: object, server: Server) -> None:
    assert int(page.locator(".promosim-pyramid-card canvas").get_attribute("data-people")) > 500
    assert int(counter(page, "people").replace(",", "")) > 500
    assert page.get_by_text("Headline metrics").is_visible()
    server.check_log()


def test_the_tab_is_named_before_any_script_runs(page: object, server: Server) -> None:
    """The page as served named itself "Solara ☀️" until the app's script renamed it."""
    from sim.app import TITLE  # noqa: PLC0415

    with urllib.request.urlopen(server.url, timeout=30) as response:
        html = response.read().decode()
    assert f"<title>{TITLE}</title>" in html
    assert page.title() == TITLE


def test_step_play_pause_and_reset(page: object) -> None:
    month_before = counter(page, "month")
    picture_before = pixels(page, ".promosim-pyramid-card canvas")
    assert chart_points(page) == 0

    page.get_by_role("button", name="Step").click()
    step_is(page, 1)
    page.wait_for_function(
        "() => document.querySelector('.promosim-charts svg[data-points]').getAttribute('data-points') === '1'"
    )
    assert counter(page, "month") != month_before
    assert pixels(page, ".promosim-pyramid-card canvas") != picture_before
    assert page.locator(".promosim-event").count() > 0

    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(
        "() => { const m = document.querySelector('.promosim-step').innerText.match(/Step: (\\d+)/);"
        " return m && Number(m[1]) >= 4; }",
        timeout=STEP_TIMEOUT_MS,
    )
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    page.wait_for_timeout(1500)  # a month stepped past the one shown when Pause was pressed is taken back
    paused_at = current_step(page)
    page.wait_for_timeout(2000)
    assert current_step(page) == paused_at, "paused: no more steps"
    page.wait_for_function(
        f"() => document.querySelector('.promosim-charts svg[data-points]').getAttribute('data-points') === "
        f"'{paused_at}'"
    )

    page.get_by_role("button", name="Step").click()
    step_is(page, paused_at + 1)

    page.get_by_role("button", name="Reset").click()
    step_is(page, 0)
    page.wait_for_function(
        "() => document.querySelector('.promosim-charts svg[data-points]').getAttribute('data-points') === '0'"
    )


# Reads the step on screen and presses Pause (the button, or the P key) in one JavaScript task: nothing
# from the server lands between.
PAUSE_AT_THE_STEP_SHOWN = """byKey => {
  const shown = Number(document.querySelector('.promosim-step').innerText.match(/Step: (\\d+)/)[1]);
  if (byKey) document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'p', bubbles: true}));
  else document.querySelector('button[aria-label="Pause"]').click();
  return shown;
}"""
SHOWN_AND_ADDRESS_AGREE = """() => {
  const m = document.querySelector('.promosim-step').innerText.match(/Step: (\\d+)/);
  return m && new URLSearchParams(location.search).get('month') === m[1];
}"""


def test_pause_stops_at_the_month_the_page_shows(page: object) -> None:
    """The page shows a month 0.1-0.3 s after the server has stepped it, so a Pause clicked as the page read
    month N often stopped the run at N + 1 (a facilitator's trial: 3 of 8 pauses at the default speed).

    Each Pause comes a different time after a new month appears (the window where it landed late), every
    other one by the P key. After it settles, the step, the month counter, the charts and the address all
    hold the month read at the click. Sixteen pauses: with the trial's 3 late in 8, all sixteen would be
    on time by chance once in 1,800 runs (the 24 before took a minute of the suite).
    """
    missed = []
    for i, delay in enumerate((60, 90, 120, 150, 180, 210, 240, 270) * 2):
        page.get_by_role("button", name="Play", exact=True).click()
        start = current_step(page)
        page.wait_for_function(
            f"() => Number(document.querySelector('.promosim-step').innerText.match(/Step: (\\d+)/)[1]) >= {start + 2}")
        page.wait_for_timeout(delay)
        seen = page.evaluate(PAUSE_AT_THE_STEP_SHOWN, i % 2 == 1)
        page.get_by_role("button", name="Play", exact=True).wait_for()
        page.wait_for_function(SHOWN_AND_ADDRESS_AGREE)  # the address is written once the run stands still
        page.wait_for_timeout(1000)  # a late month or a replay has landed by now
        page.wait_for_function(SHOWN_AND_ADDRESS_AGREE)
        settled = current_step(page)
        charted = chart_points(page)
        if (settled, counter(page, "month"), charted) != (seen, str(seen), seen):
            missed.append(("P" if i % 2 else "click", delay, seen, settled, counter(page, "month"), charted))
    assert not missed, f"(how, delay ms, month at the click, step, month counter, charted months): {missed}"
    page.get_by_role("button", name="Step").click()  # Step goes on from the month paused at
    step_is(page, settled + 1)


# Waits for the page to show ``month``, then keeps the page busy for ``busy`` ms, as a loaded laptop is, and
# presses Pause (the button, or the P key): the months the server steps meanwhile wait, unshown, and the
# press leaves with ``month`` on the page. Returns the month on the page at the press; every month the page
# shows after it is noted in ``window.shownAfterThePress``.
PAUSE_WHILE_THE_PAGE_LAGS = """([byKey, month, busy]) => new Promise(resolve => {
  const step = () => Number(document.querySelector('.promosim-step').innerText.match(/Step: (\\d+)/)[1]);
  const press = () => {
    const shown = step(), start = performance.now();
    while (performance.now() - start < busy) {}
    if (byKey) document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'p', bubbles: true}));
    else document.querySelector('button[aria-label="Pause"]').click();
    window.shownAfterThePress = [shown];
    new MutationObserver(() => {
      const now = document.querySelector('.promosim-step') && step(), seen = window.shownAfterThePress;
      if (now !== undefined && now !== seen[seen.length - 1]) seen.push(now);
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
    resolve(shown);
  };
  const wait = () => step() < month ? requestAnimationFrame(wait) : setTimeout(press);
  wait();
})"""


def test_a_pause_that_reaches_the_server_after_the_end_stops_at_the_month_shown(page: object, server: Server) -> None:
    """A Pause pressed as the page showed the month before the end, which reached the server after the run had
    ended on its own, left the run at its end (the button's click found nothing playing; the P key is off at
    the end). Both now stop at the month the page showed; a P pressed once the page shows the end leaves it."""
    from sim.app.address import to_query  # noqa: PLC0415
    from sim.app.workshop import GUIDED_SCENARIO, Settings, load_shipped, shipped_scenarios  # noqa: PLC0415

    if GUIDED_SCENARIO not in shipped_scenarios():
        pytest.skip("the Sam and Priya scenario is not shipped yet")
    end = round(12 * load_shipped(GUIDED_SCENARIO).years)
    near_the_end = f"{server.url}?{to_query(Settings().with_scenario(GUIDED_SCENARIO), end - 3)}"
    for by_key in (False, True):
        how = "the P key" if by_key else "the button"
        # A try counts when the press reached the server after the end: the page then shows the end it had
        # queued while busy, and goes back to the month it showed at the press. The server steps a month
        # every 150 ms, so 600 ms of a busy page is enough, unless the machine is slow (then it tries longer).
        shown_after: list[int] = []
        for busy in (600, 1500, 3000):
            page.goto(near_the_end)
            step_is(page, end - 3)
            page.get_by_role("button", name="Play", exact=True).click()
            seen = page.evaluate(PAUSE_WHILE_THE_PAGE_LAGS, [by_key, end - 1, busy])
            assert seen == end - 1
            page.wait_for_function(SHOWN_AND_ADDRESS_AGREE)
            page.wait_for_timeout(1000)  # the end, then the replay, have landed by now
            page.wait_for_function(SHOWN_AND_ADDRESS_AGREE)
            assert (current_step(page), counter(page, "month"), chart_points(page)) == (seen, str(seen), seen), how
            assert page.get_by_role("button", name="Play", exact=True).is_enabled(), how
            shown_after = page.evaluate("window.shownAfterThePress")
            if end in shown_after:
                break
        assert shown_after[-2:] == [end, end - 1], f"{how}: the Pause never reached the server after the end; " \
                                                    f"months shown after the press: {shown_after}"
    page.get_by_role("button", name="Play", exact=True).click()
    step_is(page, end)
    page.keyboard.press("p")  # the page shows the end: nothing to stop, nothing to go back to
    page.wait_for_timeout(1000)
    assert current_step(page) == end
    assert page.get_by_role("button", name="Play", exact=True).is_disabled()


BOXES_IN_CARDS = """sel => [...document.querySelectorAll(sel)].map(el => {
  const b = el.getBoundingClientRect(), c = el.closest('.v-card').getBoundingClientRect();
  const units = el.viewBox && el.viewBox.baseVal ? el.viewBox.baseVal.width : 0;
  return {left: b.left, right: b.right, top: b.top, width: b.width, units: units,
          cardLeft: c.left, cardRight: c.right};
})"""


def boxes_at(pg: object, width: int, height: int, selector: str, ready: str) -> list[dict[str, float]]:
    """The boxes of ``selector`` (and of the card each is in) at a viewport size.

    Waits a few seconds for ``ready`` (a JS expression on ``b``, the boxes) to hold while the page
    settles, then measures anyway, so that the caller's asserts say what is wrong.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: PLC0415

    pg.set_viewport_size({"width": width, "height": height})
    with contextlib.suppress(PlaywrightTimeout):
        pg.wait_for_function(f"() => {{ const b = ({BOXES_IN_CARDS})({json.dumps(selector)}); return {ready}; }}",
                             timeout=5000)
    return pg.evaluate(BOXES_IN_CARDS, selector)


def test_no_badge_covers_the_page(page: object) -> None:
    """Solara's "This website runs on Solara" badge sat in the corner over the charts and the feed."""
    page.get_by_role("button", name="Step").click()
    step_is(page, 1)
    assert page.get_by_text("This website runs on").count() == 0


def test_charts_follow_the_width_of_their_card(page: object) -> None:
    page.get_by_role("button", name="Step").click()
    step_is(page, 1)
    charts = ".promosim-charts svg[data-points]"
    # A projector: the charts grow with the card (they were fixed at 300 px), a few to a row, and
    # their text (in viewBox units) is not blown up: at most 1.6 times its size at 300 px.
    wide = boxes_at(page, 1920, 1080, charts, "b.length === 6 && b.every(x => x.width > 380)")
    assert all(380 < b["width"] <= 480 for b in wide), [b["width"] for b in wide]
    assert all(b["width"] / b["units"] <= 1.6 for b in wide)
    assert len({round(b["top"]) for b in wide}) == 2, "three to five charts to a row"
    assert all(b["cardLeft"] <= b["left"] and b["right"] <= b["cardRight"] for b in wide)

    # A projector at 1280 px and a 1024 px laptop, with the sidebar open: every chart stays inside
    # its card, and its text is no smaller than at 300 px (three to a row at 1280 px showed the
    # axes at 9 px): two to a row at 1280 px, one at 1024 px.
    for width, height, rows in ((1280, 720, 3), (1024, 768, 6)):
        narrow = boxes_at(page, width, height, charts, "b.length === 6 && b.every(x => x.width < 480.5)")
        outside = [b for b in narrow if b["left"] < b["cardLeft"] - 0.5 or b["right"] > b["cardRight"] + 0.5]
        assert not outside, f"charts spill out of their card at {width} px: {outside}"
        assert all(b["width"] / b["units"] >= 1.0 for b in narrow), (width, [b["width"] for b in narrow])
        assert len({round(b["top"]) for b in narrow}) == rows, (width, "rows of charts")

    # The inspector's buttons stay inside its card (its "Someone with hidden ambition" spilled out).
    page.get_by_role("button", name="Someone with hidden ambition").click()
    page.locator(".promosim-person").wait_for()
    buttons = page.evaluate(BOXES_IN_CARDS, ".promosim-inspector button")
    assert buttons
    outside = [b for b in buttons if b["left"] < b["cardLeft"] - 0.5 or b["right"] > b["cardRight"] + 0.5]
    assert not outside, f"inspector buttons spill out of their card: {outside}"


def test_toggle_a_lever_and_compare_side_by_side(page: object) -> None:
    from sim.app.workshop import lever_problem, load_shipped  # noqa: PLC0415
    from sim.interventions import load_all  # noqa: PLC0415

    base = load_shipped("baseline")
    levers = [name for name in load_all() if lever_problem(base, name) is None]
    if not levers:
        pytest.skip("no intervention is registered yet: nothing to toggle")
    lever = levers[0]
    page.get_by_role("tab", name="Side by side").click()
    page.get_by_text("Switch on at least one lever").wait_for()

    page.get_by_text(lever.replace("_", " "), exact=True).click()
    page.get_by_text("Your changes take effect when you press Reset.").wait_for()
    page.get_by_role("button", name="Reset").click()
    step_is(page, 0)
    page.locator(".promosim-with canvas[data-people]").wait_for()
    page.locator(".promosim-without canvas[data-people]").wait_for()
    assert page.get_by_text("Your changes take effect when you press Reset.").count() == 0

    for n in (1, 2, 3):
        page.get_by_role("button", name="Step").click()
        step_is(page, n)
    page.wait_for_function(
        "() => document.querySelector('.promosim-compare-charts svg[data-points]').getAttribute('data-points') === '3'"
    )
    chart = page.locator(".promosim-compare-charts .promosim-chart").first.inner_html()
    assert chart.count("<polyline") >= 2, "both runs are drawn"
    table = page.locator(".promosim-compare").inner_text()
    assert "with levers" in table and "without" in table
    # The rows promosim run's summary counts otherwise are named under the table (a facilitator's
    # room saw 10.7 % attrition here and 9.5 % in the summary of the same run).
    assert "so it shows other figures for them" in page.locator(".promosim-compare-note").inner_text()

    page.get_by_role("tab", name="Organisation").click()
    assert int(counter(page, "month")) == 3


def test_inspector_opens_on_a_click_in_the_pyramid(page: object) -> None:
    page.get_by_role("button", name="Step").click()
    step_is(page, 1)
    uid = click_person(page, ".promosim-pyramid-card canvas", 2)
    inspector = page.locator(".promosim-inspector")
    inspector.get_by_text("What is true").wait_for()
    assert f"#{uid}" in inspector.inner_text()
    # Whose view: the manager's, or the organisation's for someone at the top or under a vacant post.
    assert re.search(r"What (their manager|the organisation) believes", inspector.inner_text())

    page.get_by_role("button", name="Someone with hidden ambition").click()
    inspector.get_by_text("believes they do not").wait_for()
    assert "yes (ambition" in inspector.inner_text(), "they do want to move up"


def test_bad_upload_shows_the_same_one_line_error_as_the_cli(page: object, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("organisaton:\n  levels: []\n", encoding="utf-8")
    cli = subprocess.run([sys.executable, "-m", "sim", "validate", "bad.yaml"], cwd=tmp_path,
                         capture_output=True, text=True, check=False)
    assert cli.returncode == 2
    expected = cli.stderr.strip()
    assert expected.startswith("bad.yaml: ") and "\n" not in expected

    page.locator('input[type="file"]').set_input_files(str(bad))
    error = page.locator(".promosim-error")
    error.wait_for()
    assert error.inner_text().strip() == expected
    assert current_step(page) == 0, "nothing crashed, the model is untouched"

    good = tmp_path / "tiny.yaml"
    good.write_text(
        "extends: baseline.yaml\nname: tiny\norganisation:\n  levels:\n"
        "    - {name: Junior, positions: {specialist: 30}, hire_share: 1.0}\n"
        "    - {name: Lead, positions: {management: 5}}\n",
        encoding="utf-8",
    )
    page.locator('input[type="file"]').set_input_files(str(good))
    page.get_by_text("Loaded tiny.yaml").wait_for()
    assert page.locator(".promosim-error").count() == 0
    page.get_by_role("button", name="Step").click()
    step_is(page, 1)
    assert int(counter(page, "people").replace(",", "")) <= 35


def test_a_csv_of_people_is_the_organisation_in_the_page(page: object, tmp_path: Path) -> None:
    ours = tmp_path / "ours.csv"
    ours.write_text("id,level,manager\n" + "".join(f"m{i},Manager,\n" for i in range(3))
                    + "".join(f"p{i},Associate,m{i % 3}\n" for i in range(30)), encoding="utf-8")
    page.locator('input[type="file"]').set_input_files(str(ours))
    page.get_by_text("Loaded ours.csv: 33 people").wait_for()
    # The 4 posts added where the file has no one are named (it said "33 people in 37 positions, as in the file").
    assert "an empty post waits at each of Professional, Senior, Director and Executive" in page.get_by_text(
        "Loaded ours.csv: 33 people").inner_text()
    assert counter(page, "people") == "33"
    page.get_by_role("button", name="Step").click()
    step_is(page, 1)

    wrong = tmp_path / "wrong.csv"
    wrong.write_text("id,grade\n1,G1\n", encoding="utf-8")
    page.locator('input[type="file"]').set_input_files(str(wrong))
    error = page.locator(".promosim-error")
    error.wait_for()
    assert error.inner_text().startswith("wrong.csv: header: missing required column 'level'")
    assert current_step(page) == 1, "the running model is untouched"

    # The same people in an Excel workbook: the page sends its bytes, typed cells and all.
    import openpyxl  # noqa: PLC0415

    book = openpyxl.Workbook()
    book.active.title = "People"
    for line in ours.read_text(encoding="utf-8").splitlines():
        book.active.append([cell or None for cell in line.split(",")])
    book.save(tmp_path / "ours.xlsx")
    page.locator('input[type="file"]').set_input_files(str(tmp_path / "ours.xlsx"))
    page.get_by_text("Loaded ours.xlsx: 33 people").wait_for()
    assert page.locator(".promosim-error").count() == 0
    assert counter(page, "people") == "33"

    # Two sheets that could be the people: the page offers them, and reads the one clicked.
    leavers = book.create_sheet("Leavers")
    for row in list(book["People"].iter_rows(values_only=True))[:6]:
        leavers.append(list(row))
    book.save(tmp_path / "two.xlsx")
    page.locator('input[type="file"]').set_input_files(str(tmp_path / "two.xlsx"))
    page.locator(".promosim-error").wait_for()
    assert "the workbook has 2 sheets with data ('People', 'Leavers')" in page.locator(".promosim-error").inner_text()
    page.get_by_role("button", name="Read sheet 'People'").click()
    page.get_by_text("Loaded two.xlsx, sheet 'People': 33 people").wait_for()
    assert page.locator(".promosim-error").count() == 0
    assert page.get_by_role("button", name="Read sheet 'Leavers'").count() == 0
    assert counter(page, "people") == "33"


def test_sam_and_priya_guided_start(page: object) -> None:
    from sim.app.workshop import GUIDED_SCENARIO, shipped_scenarios  # noqa: PLC0415

    if GUIDED_SCENARIO not in shipped_scenarios():
        pytest.skip("the Sam and Priya scenario is not shipped yet")
    page.get_by_role("tab", name="Sam and Priya").click()
    page.get_by_role("button", name="Load the story").click()
    inspector = page.locator(".promosim-inspector")
    inspector.get_by_text("Sam (#").wait_for()
    page.get_by_role("button", name="Run six months").click()
    step_is(page, 6)
    page.get_by_role("button", name="Look at Priya").click()
    inspector.get_by_text("Priya (#").wait_for()
    assert "What their manager believes" in inspector.inner_text()


# Every ``fillText`` on a canvas is recorded on the canvas (text, font size, box in drawing
# pixels; ``clearRect`` starts a new drawing), so a test measures the text as it was drawn,
# whatever laid it out.
RECORD_CANVAS_TEXT = """() => {
  const proto = CanvasRenderingContext2D.prototype, fill = proto.fillText, clear = proto.clearRect;
  if (proto.promosimRecording) return;
  proto.promosimRecording = true;
  proto.clearRect = function (...args) { this.canvas.promosimTexts = []; return clear.apply(this, args); };
  proto.fillText = function (text, x, y) {
    const m = this.measureText(text);
    const left = this.textAlign === 'center' ? x - m.width / 2 : x;
    (this.canvas.promosimTexts = this.canvas.promosimTexts || []).push({
      text, px: parseFloat(this.font.match(/([\\d.]+)px/)[1]), left, right: left + m.width,
      top: y - m.actualBoundingBoxAscent, bottom: y + m.actualBoundingBoxDescent});
    return fill.call(this, text, x, y);
  };
}"""

# Every ring stroked on a canvas (an arc, then stroke: the people's shapes are filled) is recorded on the
# canvas: centre, radius and line width in drawing pixels; ``clearRect`` starts a new drawing.
RECORD_CANVAS_RINGS = """() => {
  const proto = CanvasRenderingContext2D.prototype;
  if (proto.promosimRingRecording) return;
  proto.promosimRingRecording = true;
  const clear = proto.clearRect, begin = proto.beginPath, arc = proto.arc, stroke = proto.stroke;
  proto.clearRect = function (...args) { this.canvas.promosimRings = []; return clear.apply(this, args); };
  proto.beginPath = function (...args) { this.promosimArc = null; return begin.apply(this, args); };
  proto.arc = function (x, y, r, ...rest) { this.promosimArc = {x, y, r}; return arc.call(this, x, y, r, ...rest); };
  proto.stroke = function (...args) {
    if (this.promosimArc) {
      (this.canvas.promosimRings = this.canvas.promosimRings || []).push({...this.promosimArc, w: this.lineWidth});
    }
    return stroke.apply(this, args);
  };
}"""

# The visible pyramids as the reader sees them, in screen pixels: the cell pitch, the size of
# each text, pairs of texts that overlap, texts drawn over a cell, texts cut off at the sides.
# The cells come from the widget's own data (Vue keeps the component on its root element).
PYRAMID_GEOMETRY = """() => [...document.querySelectorAll('canvas[data-people]')].filter(c => c.offsetParent)
  .map(canvas => {
    const p = canvas.parentElement.__vue__.data, box = canvas.getBoundingClientRect(), width = box.width;
    const k = width / p.width, pitch = p.cell / 10;
    const texts = (canvas.promosimTexts || []).map(t => ({text: t.text, px: t.px * k, l: t.left * k,
                                                         r: t.right * k, t: t.top * k, b: t.bottom * k}));
    const hit = (a, b) => a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b;
    const overlaps = [], onCells = new Set();
    texts.forEach((a, i) => texts.slice(i + 1).forEach(b => {
      if (hit(a, b)) overlaps.push(a.text + ' / ' + b.text);
    }));
    for (let i = 0; i < p.cells.length; i += 5) {
      const x = p.cells[i] / 10, y = p.cells[i + 1] / 10;
      const cell = {l: x * k, r: (x + pitch - 1) * k, t: y * k, b: (y + pitch - 1) * k};
      texts.forEach(a => { if (hit(a, cell)) onCells.add(a.text); });
    }
    return {label: canvas.getAttribute('aria-label').split(':')[0], scaled: Math.abs(width - p.width) > 1,
            cell: pitch * k, texts: texts.map(a => a.text), smallest: Math.min(...texts.map(a => a.px)),
            overlaps, onCells: [...onCells], cut: texts.filter(a => a.l < -0.5 || a.r > width + 0.5).map(a => a.text),
            levels: Object.fromEntries((canvas.promosimTexts || []).filter(t => t.px >= 14)
              .map(t => [t.text, box.top + t.top * k])),
            rings: (canvas.promosimRings || []).map(r => ({x: r.x * k, y: r.y * k, outer: (r.r + r.w / 2) * k}))};
  })"""


def pyramids_at(pg: object, width: int, height: int, count: int = 0) -> list[dict[str, Any]]:
    """The geometry of the visible pyramids at a viewport size, once they are drawn at their card's width.

    A pyramid redrawn for its card is not scaled by the browser; if none settles in a few seconds
    they are measured anyway, so that the caller's asserts say what is wrong. ``count``: wait for
    that many (a tab just left can still show its pyramids for a moment on a loaded machine).
    The geometry is read until two readings 300 ms apart agree: on a loaded machine one of two
    side-by-side pyramids was measured mid-redraw, its levels 3 to 117 px off the other's.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: PLC0415

    pg.set_viewport_size({"width": width, "height": height})
    enough = f"g.length === {count}" if count else "g.length > 0"
    with contextlib.suppress(PlaywrightTimeout):
        pg.wait_for_function(f"() => {{ const g = ({PYRAMID_GEOMETRY})(); "
                             f"return {enough} && g.every(x => !x.scaled && x.texts.length > 0); }}", timeout=8000)
    reading = None
    for _ in range(20):  # up to about 6 s
        pg.wait_for_timeout(300)
        reading, previous = pg.evaluate(PYRAMID_GEOMETRY), reading
        if reading == previous:
            break
    return reading


def test_two_ladders_stay_readable_on_a_laptop_and_a_projector(page: object) -> None:
    """Parallel ladders at about 1,000 people: two blocks a level, where cells shrank to 3 px and labels met.

    At 1280 px (a laptop, sidebar open) and at 1920 px (a projector) no text overlaps another or a
    cell and cells are at least 5 px; the level names, counts and track labels are at least 12 px
    at 1920 px, and at 1280 px are not shrunk below 10 px.
    A click on a person still opens the inspector on them.
    """
    page.evaluate(RECORD_CANVAS_TEXT)
    page.get_by_text("parallel ladders", exact=True).click()
    page.get_by_role("button", name="Reset").click()
    step_is(page, 0)
    page.get_by_role("button", name="Step").click()
    step_is(page, 1)
    for tab in ("Side by side", "Organisation"):
        page.get_by_role("tab", name=tab).click()
        page.locator("canvas[data-people]:visible").first.wait_for()
        for width, height, smallest_font in ((1920, 1080, 12), (1280, 800, 10)):
            expected = 2 if tab == "Side by side" else 1
            pyramids = pyramids_at(page, width, height, expected)
            assert len(pyramids) == expected
            assert {"specialist", "management"} <= set(pyramids[0]["texts"]), "two ladders drawn"
            for p in pyramids:
                where = f"{tab} at {width} px, {p['label']}"
                assert not p["overlaps"], f"{where}: texts overlap: {p['overlaps']}"
                assert not p["onCells"], f"{where}: texts drawn over cells: {p['onCells']}"
                assert not p["cut"], f"{where}: texts cut off: {p['cut']}"
                assert p["cell"] >= 5, f"{where}: cells of {p['cell']:.1f} px"
                assert p["smallest"] >= smallest_font, f"{where}: text of {p['smallest']:.1f} px"
            if tab == "Side by side":  # two ladders on the left only: the levels still line up
                left, right = pyramids[0]["levels"], pyramids[1]["levels"]
                assert len(left) >= 6 and set(left) == set(right)
                off = {name: round(left[name] - right[name], 1) for name in left if abs(left[name] - right[name]) > 1.5}
                assert not off, f"at {width} px, levels out of line (px lower on the left): {off}"
    uid = click_person(page, ".promosim-pyramid-card canvas", 2)
    page.locator(".promosim-inspector").get_by_text("What is true").wait_for()
    assert f"#{uid}" in page.locator(".promosim-inspector").inner_text()


# -- a 1280x720 projector: what the room needs is on screen without scrolling ------------------------
PROJECTOR = {"width": 1280, "height": 720}


def on_screen(pg: object, selector: str, viewport: dict[str, int] = PROJECTOR,
              cover: str | None = None) -> list[dict[str, float]]:
    """The boxes of the elements ``selector`` (a Playwright selector) finds that are not wholly on screen.

    On screen: inside the viewport (a 1280x720 projector unless told) and below the app bar, which
    covers the top of the page, and below ``cover`` too (the run bar, which sticks under the app bar
    once the page scrolls).
    """
    covers = [pg.locator("header").first, *([pg.locator(cover).first] if cover else [])]
    top = max((box["y"] + box["height"] for bar in covers if (box := bar.bounding_box())), default=0)
    boxes = [box for element in pg.locator(selector).all() if (box := element.bounding_box())]
    assert boxes, f"no {selector} on the page"
    return [b for b in boxes if b["y"] < top - 0.5 or b["y"] + b["height"] > viewport["height"] + 0.5
            or b["x"] < -0.5 or b["x"] + b["width"] > viewport["width"] + 0.5]


def until_still(pg: object, holds: Callable[[], bool], what: str, timeout_ms: int = 15_000) -> None:
    """Wait until ``holds()`` and nothing on the page has scrolled since the look a quarter second before.

    "Look at <name>" scrolls (RevealWidget) once the page has drawn the person, 150 ms after, and
    smoothly: read at once, the page is where it was (on a busy machine: halfway). Bounded, so a page
    that settles where it should not still fails.
    """
    scrolled = "() => [...document.querySelectorAll('*')].map(e => e.scrollTop).join()"
    before = None
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        now = pg.evaluate(scrolled)
        if now == before and holds():
            return
        assert time.monotonic() < deadline, f"{what}: not within {timeout_ms} ms"
        before = now
        pg.wait_for_timeout(250)


def test_the_colour_key_is_on_screen_beside_the_pyramid_on_a_projector(page: object) -> None:
    """Below a 1,000-person pyramid the key was off a 1280x720 projector: colours without their meaning."""
    page.set_viewport_size(PROJECTOR)
    page.get_by_role("button", name="Step").click()
    step_is(page, 1)
    page.locator(".promosim-pyramid-card canvas[data-people]").wait_for()
    page.wait_for_timeout(500)  # the pyramid redrawn for its card
    assert int(page.locator(".promosim-pyramid-card canvas").get_attribute("data-people")) > 900
    assert not on_screen(page, ".promosim-pyramid-card .promosim-legend"), "the key is below the fold"
    assert "hidden ambition" in page.locator(".promosim-pyramid-card .promosim-legend").inner_text()


def test_the_story_buttons_and_the_team_stay_on_screen_on_a_projector(page: object) -> None:
    """The story's buttons sat under all five chapters; after "Load the story" the team scrolled away.

    "Look at Alex" then scrolls his rows on screen, and his chapter stays on screen. The chapter before,
    still open, scrolls off: at 1280x720 with the sidebar open its title and his rows do not fit together
    (the test read the page before the scroll, and failed on a busy machine, where it read it after).
    """
    from sim.app.workshop import GUIDED_SCENARIO, shipped_scenarios  # noqa: PLC0415

    if GUIDED_SCENARIO not in shipped_scenarios():
        pytest.skip("the Sam and Priya scenario is not shipped yet")
    page.set_viewport_size(PROJECTOR)
    page.get_by_role("tab", name="Sam and Priya").click()
    page.get_by_role("button", name="Load the story").click()
    page.locator(".promosim-inspector").get_by_text("Sam (#").wait_for()
    page.locator('canvas[aria-label^="The team"]').wait_for()
    page.wait_for_timeout(500)
    assert not on_screen(page, ".promosim-guide button"), "a story button is off screen"
    assert not on_screen(page, '.promosim-guide button:has-text("Run six months")')
    team = page.locator('canvas[aria-label^="The team"]').bounding_box()
    assert 64 <= team["y"] < PROJECTOR["height"] - 100, f"the team picture scrolled away: {team}"
    page.get_by_role("button", name="Run six months").click()
    step_is(page, 6)
    page.get_by_role("button", name="Look at Alex").click()
    page.locator(".promosim-inspector").get_by_text("Alex (#").wait_for()
    chapter = 'details[open] summary:has-text("4. The edge case")'  # his chapter is the open one
    rows = ".promosim-story .promosim-inspector .promosim-person tr"
    until_still(page, lambda: not on_screen(page, rows, cover=".promosim-runbar"), "Alex's rows on screen")
    assert not on_screen(page, chapter, cover=".promosim-runbar"), "Alex's chapter scrolled away"


def test_the_story_shows_what_is_true_and_what_is_believed_on_a_projector(page: object) -> None:
    """With the sidebar closed at 1280x720 the inspector sat under the team, below the fold: "Look at
    Sam" or "Look at Alex" changed nothing the room could see. The story, the team and the inspector
    are now three columns there; two (the inspector under the team) where the page is narrower."""
    from sim.app.workshop import GUIDED_SCENARIO, shipped_scenarios  # noqa: PLC0415

    if GUIDED_SCENARIO not in shipped_scenarios():
        pytest.skip("the Sam and Priya scenario is not shipped yet")
    page.set_viewport_size(PROJECTOR)
    page.get_by_role("tab", name="Sam and Priya").click()
    page.locator("header button").first.click()  # the app bar's menu button closes the sidebar
    page.wait_for_function("() => document.querySelector('nav').getBoundingClientRect().right <= 0")
    page.get_by_role("button", name="Load the story").click()
    table = ".promosim-inspector .promosim-person tr"
    for who, months in (("Sam", 0), ("Alex", 6)):
        if months:
            page.get_by_role("button", name="Run six months").click()
            step_is(page, months)
        page.get_by_role("button", name=f"Look at {who}").click()
        page.locator(".promosim-inspector").get_by_text(f"{who} (#").wait_for()
        page.wait_for_timeout(500)
        assert not on_screen(page, table), f"what is true and believed of {who} is below the fold"
        assert not on_screen(page, ".promosim-guide button"), "a story button is off screen"
        assert not on_screen(page, 'canvas[aria-label^="The team"]'), "the team picture is off screen"
    assert not on_screen(page, "details[open] summary"), "the chapter the story reached is off screen"


# -- a 1024x640 laptop with the sidebar open ----------------------------------------------------------------
LAPTOP = {"width": 1024, "height": 640}


def test_look_at_sam_brings_the_inspector_into_view_on_a_laptop(page: object) -> None:
    """At 1024x640 with the sidebar open the story's inspector was below the fold: "Look at Sam" filled it,
    and the room saw nothing change. The button now scrolls the person's name and their true and believed
    rows on screen, below the run bar."""
    from sim.app.workshop import GUIDED_SCENARIO, shipped_scenarios  # noqa: PLC0415

    if GUIDED_SCENARIO not in shipped_scenarios():
        pytest.skip("the Sam and Priya scenario is not shipped yet")
    page.set_viewport_size(LAPTOP)
    page.get_by_role("tab", name="Sam and Priya").click()
    page.get_by_role("button", name="Load the story").click()
    inspector = page.locator(".promosim-inspector")
    inspector.get_by_text("Sam (#").wait_for()
    page.wait_for_timeout(500)
    person = ".promosim-inspector .promosim-person"
    rows = f"{person} tr"
    assert on_screen(page, rows, LAPTOP, cover=".promosim-runbar"), "the inspector starts below the fold"
    for who, months in (("Sam", 0), ("Priya", 6)):
        if months:
            page.get_by_role("button", name="Run six months").click()
            step_is(page, months)
        page.get_by_role("button", name=f"Look at {who}").click()
        inspector.get_by_text(f"{who} (#").wait_for()
        until_still(page, lambda: not on_screen(page, rows, LAPTOP, cover=".promosim-runbar"),
                    f"{who}'s true and believed rows on screen")
        assert not on_screen(page, f"{person} >> text={who} (#", LAPTOP, cover=".promosim-runbar"), f"{who}'s name"


# The inspector's table of what is true and what is believed: whether its box (the person's, in the card)
# scrolls sideways, the texts of its cells that reach out of that box or out of the card, and how many rows
# do not have their two answers side by side (what is true left of what is believed, at the same height).
BELIEFS_IN_THE_INSPECTOR = """() => [...document.querySelectorAll('.promosim-inspector .promosim-person table')]
  .filter(t => t.offsetParent).map(t => {
    const box = t.closest('.promosim-person'), outer = box.getBoundingClientRect();
    const card = t.closest('.v-card').getBoundingClientRect();
    const left = Math.max(outer.left, card.left), right = Math.min(outer.right, card.right);
    const cells = [...t.querySelectorAll('td, th')].filter(c => c.textContent.trim());
    const rows = [...t.rows].slice(1).map(r => [...r.cells].slice(1).map(c => c.getBoundingClientRect()));
    return {scrolls: box.scrollWidth > box.clientWidth + 0.5, width: outer.width,
            outside: cells.filter(c => { const b = c.getBoundingClientRect();
                                         return b.left < left - 0.5 || b.right > right + 0.5; })
                          .map(c => c.textContent),
            apart: rows.filter(([t, b]) => !(t.right <= b.left && Math.abs(t.top - b.top) < 1)).length};
  })"""


def test_what_the_manager_believes_fits_in_the_inspector_on_a_laptop(page: object) -> None:
    """At 1024x640 with the sidebar open the inspector's column "What their manager believes" ran out of the
    card (175 px wide on the organisation tab, 224 px in the story), and the table scrolled sideways. It
    now fits there, the questions above their two answers, true beside believed; at 1280x720 it still does."""
    from sim.app.workshop import GUIDED_SCENARIO, shipped_scenarios  # noqa: PLC0415

    def check(where: str) -> None:
        for size in (LAPTOP, PROJECTOR):
            page.set_viewport_size(size)
            sidebar = page.evaluate("() => document.querySelector('nav').getBoundingClientRect().right")
            assert sidebar > 200, "the sidebar is open"
            page.wait_for_timeout(500)
            [table] = page.evaluate(BELIEFS_IN_THE_INSPECTOR)
            at = f"{where} at {size['width']}x{size['height']} ({table['width']:.0f} px)"
            assert not table["scrolls"], f"{at}: the table scrolls sideways"
            assert not table["outside"], f"{at}: out of the inspector: {table['outside']}"
            assert not table["apart"], f"{at}: what is true and what is believed are not side by side"

    page.set_viewport_size(LAPTOP)
    page.get_by_role("button", name="Step").click()
    step_is(page, 1)
    page.get_by_role("button", name="Someone with hidden ambition").click()
    page.locator(".promosim-inspector").get_by_text("believes they do not").wait_for()
    check("the organisation tab")
    if GUIDED_SCENARIO not in shipped_scenarios():
        return
    page.set_viewport_size(LAPTOP)
    page.get_by_role("tab", name="Sam and Priya").click()
    page.get_by_role("button", name="Load the story").click()
    for who in ("Sam", "Priya"):  # headed "What the organisation believes (their manager's post is vacant)"
        page.get_by_role("button", name=f"Look at {who}").click()
        page.locator(".promosim-story .promosim-inspector").get_by_text(f"{who} (#").wait_for()
        check(f"the story, {who}")
        page.set_viewport_size(LAPTOP)


def _check_pyramids(pyramids: list[dict[str, Any]], where: str, names: list[str]) -> None:
    """Every level's name whole; no text over another, over a cell or off the canvas; no ring over another."""
    for p in pyramids:
        at = f"{where}, {p['label']}"
        assert sorted(p["levels"]) == sorted(names), f"{at}: level names cut: {sorted(p['levels'])}"
        assert not p["overlaps"], f"{at}: texts overlap: {p['overlaps']}"
        assert not p["onCells"], f"{at}: texts drawn over cells: {p['onCells']}"
        assert not p["cut"], f"{at}: texts cut off: {p['cut']}"
        rings = p["rings"]
        crossed = [(a, b) for i, a in enumerate(rings) for b in rings[i + 1:]
                   if math.dist((a["x"], a["y"]), (b["x"], b["y"])) < a["outer"] + b["outer"] - 0.25]
        assert not crossed, f"{at}: rings overlap: {crossed}"


def test_the_story_rings_and_level_names_fit_on_a_laptop_and_a_projector(page: object) -> None:
    """At 1024x640 with the sidebar open Sam's and Priya's rings overlapped (they went round the whole
    shape, wider than its cell: at 1280x720 too) and the team's level names read "Engineering…" and
    "Senior Engi…". Measured as drawn on the canvas, at both sizes."""
    from sim.app.workshop import GUIDED_SCENARIO, load_shipped, shipped_scenarios  # noqa: PLC0415

    if GUIDED_SCENARIO not in shipped_scenarios():
        pytest.skip("the Sam and Priya scenario is not shipped yet")
    names = [level.name for level in load_shipped(GUIDED_SCENARIO).organisation.levels]
    page.evaluate(RECORD_CANVAS_TEXT)
    page.evaluate(RECORD_CANVAS_RINGS)
    page.set_viewport_size(LAPTOP)
    page.get_by_role("tab", name="Sam and Priya").click()
    page.get_by_role("button", name="Load the story").click()  # month 0: Sam and Priya are neighbours
    page.locator(".promosim-inspector").get_by_text("Sam (#").wait_for()
    for size in (LAPTOP, PROJECTOR):
        pyramids = pyramids_at(page, size["width"], size["height"], 1)
        assert len(pyramids) == 1
        [team] = pyramids
        where = f"the team at {size['width']}x{size['height']}"
        assert len(team["rings"]) >= 4, f"{where}: Morgan, Sam, Priya and Alex are ringed: {team['rings']}"
        pitch = team["cell"]
        assert any(math.dist((a["x"], a["y"]), (b["x"], b["y"])) <= 1.01 * pitch
                   for i, a in enumerate(team["rings"]) for b in team["rings"][i + 1:]), f"{where}: neighbours"
        _check_pyramids(pyramids, where, names)


def test_level_names_are_whole_with_the_sidebar_open_on_a_laptop(page: object) -> None:
    """At 1024x640 with the sidebar open the organisation's pyramid read "Professi…" and the side-by-side
    ones "Executi…", "Profess…" and "Associa…"; at 1280x720 they still fit beside the cells."""
    from sim.app.workshop import lever_problem, load_shipped  # noqa: PLC0415
    from sim.interventions import load_all  # noqa: PLC0415

    base = load_shipped("baseline")
    levers = [name for name in load_all() if lever_problem(base, name) is None]
    if not levers:
        pytest.skip("no intervention is registered yet: nothing to compare")
    names = [level.name for level in base.organisation.levels]
    page.evaluate(RECORD_CANVAS_TEXT)
    page.evaluate(RECORD_CANVAS_RINGS)
    switch_lever_and_reset(page, levers[0].replace("_", " "))
    page.get_by_role("button", name="Step").click()
    step_is(page, 1)
    for tab, count in (("Organisation", 1), ("Side by side", 2)):
        page.get_by_role("tab", name=tab).click()
        page.locator("canvas[data-people]:visible").first.wait_for()
        for size in (LAPTOP, PROJECTOR):
            pyramids = pyramids_at(page, size["width"], size["height"], count)
            assert len(pyramids) == count
            where = f"{tab} at {size['width']}x{size['height']}"
            _check_pyramids(pyramids, where, names)
            assert all(p["cell"] >= 4 for p in pyramids), f"{where}: cells of {[p['cell'] for p in pyramids]} px"


def test_run_controls_stay_on_screen_with_the_sidebar_closed(page: object) -> None:
    """Closing the sidebar (for bigger pyramids) took Reset, Play and Step off the screen."""
    page.set_viewport_size(PROJECTOR)
    page.get_by_text("Scenario", exact=True).first.wait_for()
    page.locator("header button").first.click()  # the app bar's menu button closes the sidebar
    page.wait_for_function("() => document.querySelector('nav').getBoundingClientRect().right <= 0")
    buttons = "button:has-text('Reset'), button:has-text('▶'), button:has-text('Step')"
    assert page.locator(buttons).count() == 3, "one controller: a second one would be a second play loop"
    assert not on_screen(page, buttons), "Reset, Play or Step is off screen"
    page.mouse.move(900, 500)
    page.mouse.wheel(0, 1500)  # down to the charts: the controls stay
    page.wait_for_timeout(500)
    assert not on_screen(page, buttons), "Reset, Play or Step scrolled away"
    page.get_by_role("button", name="Step").click()
    step_is(page, 1)
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => /Step: ([3-9]|\\d\\d)/.test(document.querySelector('.promosim-step').innerText)")
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    page.get_by_role("button", name="Reset").click()
    step_is(page, 0)


def test_nothing_scrolls_by_between_the_app_bar_and_the_run_controls(page: object) -> None:
    """Scrolled down to the charts, the pyramid and the charts showed through a 12 px strip between
    the app bar and the run bar: its white cover (a box shadow) was switched off by Vuetify."""
    from io import BytesIO  # noqa: PLC0415

    from PIL import Image  # noqa: PLC0415

    page.set_viewport_size(PROJECTOR)
    page.get_by_role("button", name="Step").click()
    step_is(page, 1)
    page.mouse.move(900, 500)
    page.mouse.wheel(0, 700)
    page.wait_for_timeout(500)
    bar = page.locator(".promosim-runbar").bounding_box()
    top = page.locator("header").first.bounding_box()
    below_bar = top["y"] + top["height"] + 4  # under the app bar's own shadow
    strip = {"x": bar["x"], "y": below_bar, "width": bar["width"], "height": bar["y"] - below_bar}
    assert strip["height"] >= 4, (bar, top)
    darkest, _ = Image.open(BytesIO(page.screenshot(clip=strip))).convert("L").getextrema()
    assert darkest >= 250, "the page shows through above the run controls"


def test_the_reset_note_is_on_screen_when_a_lever_low_in_the_sidebar_is_switched(page: object) -> None:
    """The note sat in the sidebar's first card, scrolled away while the lever's switch was in view."""
    from sim.app.workshop import lever_problem, load_shipped  # noqa: PLC0415
    from sim.interventions import load_all  # noqa: PLC0415

    base = load_shipped("baseline")
    levers = [name for name in load_all() if lever_problem(base, name) is None]
    if not levers:
        pytest.skip("no intervention is registered yet: nothing to toggle")
    page.set_viewport_size(PROJECTOR)
    switch = page.get_by_text(levers[-1].replace("_", " "), exact=True)
    switch.click()  # scrolls the sidebar down to the last lever
    page.locator(".promosim-pending").wait_for()
    assert not on_screen(page, ".promosim-pending"), "the note is off screen"
    box = switch.bounding_box()
    assert box["y"] + box["height"] <= PROJECTOR["height"], "the switch is still in view"
    switch.click()
    page.locator(".promosim-pending").wait_for(state="detached")


def test_the_reset_note_sits_beside_the_buttons_on_one_line_on_a_projector(page: object) -> None:
    """At 1280 px with the sidebar open the note went under the buttons, and the page below jumped down a line."""
    page.set_viewport_size(PROJECTOR)
    page.wait_for_timeout(500)
    tabs = page.get_by_role("tab", name="Organisation").bounding_box()
    page.get_by_text("parallel ladders", exact=True).click()
    note = page.locator(".promosim-pending")
    note.wait_for()
    page.wait_for_timeout(300)
    box, step = note.bounding_box(), page.get_by_role("button", name="Step").bounding_box()
    assert box["x"] >= step["x"] + step["width"], f"the note is beside the buttons, not under them: {box}"
    assert box["y"] + box["height"] <= step["y"] + step["height"] + 1, f"the note is beside the buttons: {box}"
    assert box["height"] <= 20, f"the note is one line: {box}"
    assert box["x"] + box["width"] <= PROJECTOR["width"], "the note is on screen"
    assert page.get_by_role("tab", name="Organisation").bounding_box()["y"] == tabs["y"], "the page did not jump"


def test_an_upload_while_playing_pauses_and_starts_at_month_0(page: object, tmp_path: Path) -> None:
    """An upload while the model played started the new organisation at once, months in before the room saw it."""
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text(
        "extends: baseline.yaml\nname: tiny\norganisation:\n  levels:\n"
        "    - {name: Junior, positions: {specialist: 30}, hire_share: 1.0}\n"
        "    - {name: Lead, positions: {management: 5}}\n",
        encoding="utf-8",
    )
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => /Step: ([3-9]|\\d\\d)/.test(document.querySelector('.promosim-step').innerText)")
    page.locator('input[type="file"]').set_input_files(str(tiny))
    page.get_by_text("Loaded tiny.yaml").wait_for()
    assert "paused at month 0" not in page.get_by_text("Loaded tiny.yaml").inner_text()
    # Beside the buttons, where it shows with the sidebar closed (it was in the sidebar's card).
    page.locator(".promosim-where").get_by_text("The run was playing: it is paused at month 0").wait_for()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    step_is(page, 0)
    page.wait_for_timeout(2000)
    assert current_step(page) == 0, "the new organisation waits for Play"
    assert int(counter(page, "people").replace(",", "")) <= 35
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => /Step: [2-9]/.test(document.querySelector('.promosim-step').innerText)")
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()


def test_the_story_loaded_while_playing_pauses_and_says_so(page: object) -> None:
    """"Load the story" while playing paused without a word; "Run six months" added six months to a playing run."""
    page.get_by_role("tab", name="Sam and Priya").click()
    page.get_by_role("button", name="Load the story").click()
    page.get_by_text("The team now").wait_for()
    six = page.get_by_role("button", name="Run six months")
    assert six.is_enabled()
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => /Step: ([2-9]|\\d\\d)/.test(document.querySelector('.promosim-step').innerText)")
    assert six.is_disabled(), "off while playing, as Step"
    page.get_by_role("button", name="Load the story").click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    step_is(page, 0)
    page.get_by_text("The run was playing: it is paused at month 0").wait_for()
    page.wait_for_timeout(1500)
    assert current_step(page) == 0, "the story waits for Play"
    six.click()
    step_is(page, 6)
    assert page.get_by_text("The run was playing").count() == 0, "the run has moved on from month 0"


def test_a_reload_keeps_the_run(page: object) -> None:
    """The address holds the running model's settings and month; a reload replays the run to there.
    A reload in front of the room used to start over at the baseline, month 0."""
    switch_lever_and_reset(page, "career conversations")
    step_through(page, range(1, 4))
    assert "levers=career_conversations" in page.url
    people, hidden = counter(page, "people"), counter(page, "hidden")
    canvas = page.locator(".promosim-pyramid-card canvas")
    drawn = [uid for *_, uid in json.loads(canvas.get_attribute("data-sample"))]  # who is drawn, in order

    page.reload()
    step_is(page, 3)
    page.get_by_text("Restored from the address: baseline with career conversations, month 3.").wait_for()
    assert (counter(page, "people"), counter(page, "hidden")) == (people, hidden), "the same run, not a new one"
    # The same people in the same places (the canvas may be a few pixels wider: the sidebar shows a note).
    assert [uid for *_, uid in json.loads(canvas.get_attribute("data-sample"))] == drawn
    assert page.get_by_role("switch", name="career conversations").is_checked()
    assert page.get_by_text("Your changes take effect when you press Reset.").count() == 0

    page.get_by_role("button", name="Reset").click()  # back to month 0, and so is the address
    step_is(page, 0)
    page.wait_for_function("() => !location.search.includes('month=')")


def test_back_and_forward_move_the_run_with_the_address(page: object) -> None:
    """Back changed the address to month 2 and left the page at month 3, so the next reload went to month 2."""
    step_through(page, range(1, 3))
    switch_lever_and_reset(page, "career conversations")  # Back goes to the previous settings
    step_through(page, range(1, 4))
    people = counter(page, "people")
    page.go_back()
    step_is(page, 2)
    assert "month=2" in page.url and "levers" not in page.url
    page.get_by_text("Restored from the address: baseline, month 2.").wait_for()
    page.go_forward()
    step_is(page, 3)
    # The counters follow the step's label: read them once the restored run is said (one read
    # between the two found the month-2 count, in a fresh clone's run).
    page.get_by_text("Restored from the address: baseline with career conversations, month 3.").wait_for()
    assert counter(page, "people") == people, "the same run"
    page.get_by_role("button", name="Reset").click()  # the note named the restored run above the new one
    step_is(page, 0)
    page.wait_for_function("() => !location.search.includes('month=')")
    # The sidebar is redrawn a moment after the run bar: wait for the note to go, not for a snapshot.
    page.get_by_text("Restored from the address").first.wait_for(state="detached")


def test_back_goes_to_the_previous_settings_not_the_previous_step(page: object) -> None:
    """Every Step added an entry to the browser's history: after 30 Steps, Back walked back month by month
    instead of to the previous settings (a facilitator trial). A month replaces the address in place."""

    entries = page.evaluate("history.length")
    step_through(page, range(1, 5), levers=False)
    assert page.evaluate("history.length") == entries, "Steps of the same settings: no new entry"
    switch_lever_and_reset(page, "career conversations")
    page.wait_for_function("() => location.search.includes('levers=career_conversations')")
    step_through(page, range(1, 4), levers=True)
    assert page.evaluate("history.length") == entries + 1, "one entry for the new settings, none for the Steps"

    page.go_back()  # to the previous settings, at the month they were left at
    step_is(page, 4)
    assert "month=4" in page.url and "levers" not in page.url
    # The sidebar is redrawn a moment after the run bar: wait for the switch rather than read it at once.
    page.get_by_role("switch", name="career conversations", checked=False).wait_for()
    step_through(page, range(5, 6), levers=False)  # stepped after Back: still in place, Forward kept
    page.go_forward()
    step_is(page, 3)
    assert "month=3" in page.url and "levers=career_conversations" in page.url
    page.get_by_role("switch", name="career conversations", checked=True).wait_for()
    page.go_back()  # to the entry whose month was replaced after Back
    step_is(page, 5)
    assert "month=5" in page.url and "levers" not in page.url
    page.go_forward()
    step_is(page, 3)
    step_through(page, range(4, 6), levers=True)
    assert page.evaluate("history.length") == entries + 1

    page.reload()  # the latest month, written in place
    step_is(page, 5)
    page.get_by_text("Restored from the address: baseline with career conversations, month 5.").wait_for()
    page.go_back()
    step_is(page, 5)
    assert "levers" not in page.url


def test_back_after_a_scenario_chosen_while_playing_returns_to_the_month_the_run_was_left_at(page: object) -> None:
    """The address is not written while the run plays, so the entry of a run left while playing kept the
    month it was last stepped to: Back from a scenario chosen in the sidebar mid-play replayed the
    baseline to month 2, not to where it was left (a facilitator's trial)."""
    step_through(page, range(1, 3), levers=False)
    entries = page.evaluate("history.length")
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => /Step: ([5-9]|\\d\\d)/.test(document.querySelector('.promosim-step').innerText)")
    seen = current_step(page)  # the run is at this month or later when the new scenario replaces it
    page.get_by_role("button", name="Scenario baseline").click()
    page.get_by_role("option", name="synthetic_org").click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    step_is(page, 0)
    page.wait_for_function("() => location.search.includes('scenario=synthetic_org')")
    assert page.evaluate("history.length") == entries + 1, "one entry for the new scenario"
    page.go_back()
    page.wait_for_function("() => !location.search.includes('scenario=')")
    note = page.get_by_text(re.compile(r"Restored from the address: baseline, month \d+\.")).inner_text()
    left_at = int(re.search(r"month (\d+)", note).group(1))
    assert left_at >= seen > 2, f"Back went to month {left_at}; the baseline was left at month {seen} or later"
    assert f"month={left_at}" in page.url
    step_is(page, left_at)  # the counter is another widget: on a busy page it read the last run's 0 beside the note
    page.go_forward()  # the new scenario's entry is where it was, after the baseline's
    page.wait_for_function("() => location.search.includes('scenario=synthetic_org')")
    page.get_by_text("Restored from the address: synthetic_org").wait_for()
    step_is(page, 0)


def focused(pg: object) -> str:
    """The accessible name of the element with the keyboard focus, as a screen reader would start it."""
    return pg.evaluate("""() => { const e = document.activeElement;
      return (e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].innerText)
              || e.innerText || '').trim(); }""")


def test_every_button_and_field_has_a_name_and_the_charts_say_what_they_show(page: object) -> None:
    """A screen reader heard "button" for the sidebar's menu, "black right-pointing triangle" for Play,
    "Event feed, image" for the feed (none of its sentences), and axis ticks for each chart."""
    page.get_by_role("button", name="Step").click()
    step_is(page, 1)
    page.get_by_role("button", name="Show or hide the sidebar").wait_for()
    unnamed = page.evaluate("""() => [...document.querySelectorAll(
        'button, input:not([type=hidden]), [role=tab], [role=switch], [role=slider], [role=img], svg[role]')]
      .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; })
      .filter(e => !((e.getAttribute('aria-label') || '').trim() || (e.innerText || '').trim()
                     || (e.labels && e.labels.length && e.labels[0].innerText.trim())))
      .map(e => e.outerHTML.slice(0, 120))""")
    assert not unnamed, unnamed
    assert page.get_by_role("button", name="Play", exact=True).get_attribute("aria-keyshortcuts") == "P"
    # headings to move by, under one h1, and the page's language
    assert page.get_by_role("heading", level=1).inner_text() == "promosim: who wants to move up?"
    assert page.get_by_role("heading", name="Headline metrics", level=2).is_visible()
    assert page.evaluate("() => document.documentElement.lang") == "en"
    feed = page.get_by_role("region", name="Event feed")
    assert feed.get_by_role("listitem").count() > 0, "the feed's sentences are text a screen reader reads"
    chart = page.locator(".promosim-charts svg[role=img]").first.get_attribute("aria-label")
    assert re.fullmatch(r"Mismatch types, month 1: hidden ambition [\d.]+%; .*\.", chart), chart


def test_a_workshop_by_keyboard_alone(page: object) -> None:
    """Tab reached Reset only after 23 presses (the sidebar comes first), the tabs took no arrow keys,
    the feed and its people could not be reached, and a seed typed as "abc" was quietly not used."""
    page.locator(".promosim-step").click()  # focus on the page, in no field
    page.keyboard.press("s")
    step_is(page, 1)
    page.keyboard.press("p")
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    page.keyboard.press("p")
    page.get_by_role("button", name="Play", exact=True).wait_for()
    page.wait_for_timeout(1500)  # a month stepped past the one shown when paused is taken back
    page.keyboard.press("r")
    step_is(page, 0)
    page.keyboard.press("s")
    step_is(page, 1)
    # the tabs: arrow keys move and open them, as in the ARIA tabs pattern
    page.get_by_role("tab", name="Organisation").focus()
    page.keyboard.press("ArrowRight")
    page.get_by_role("tab", name="Side by side", selected=True).wait_for()
    assert focused(page).lower() == "side by side"
    page.keyboard.press("ArrowLeft")
    page.get_by_role("tab", name="Organisation", selected=True).wait_for()
    # the feed: one Tab stop, arrow keys between its lines, Enter inspects the person. Once the feed
    # has settled: a redraw landing between the keys (a late month on a loaded machine) can take the
    # focused line with it (the picture widget puts the focus back, but not reliably under load).
    feed = page.get_by_role("region", name="Event feed")
    settled, last = 0, None
    while settled < 3:
        page.wait_for_timeout(500)
        now = feed.inner_html()
        settled, last = (settled + 1 if now == last else 0), now
    feed.focus()
    page.keyboard.press("ArrowDown")
    uid = page.evaluate("() => document.activeElement.getAttribute('data-uid')")
    assert uid, "the arrow key reaches a line about a person"
    page.keyboard.press("Enter")
    page.locator(".promosim-inspector").get_by_text(f"#{uid}").first.wait_for()
    # a bad seed is refused with a line (an alert), and the field shows the seed in force
    seed = page.get_by_role("textbox", name="Seed")
    seed.fill("abc")
    seed.press("Tab")
    page.get_by_role("alert").filter(has_text="the seed stays 1").wait_for()
    assert page.get_by_role("textbox", name="Seed").input_value() == "1"
    # a shortcut typed into a field is the field's: no step
    person = page.get_by_role("textbox", name="Person #")
    person.fill("")
    person.type("s")
    page.wait_for_timeout(1000)
    assert current_step(page) == 1


def test_single_key_shortcuts_switched_off_press_nothing(page: object) -> None:
    """Speech input types letters as words are said: with the shortcuts off, an "s" steps nothing."""
    page.get_by_text("Single-key shortcuts (R, P, S)", exact=True).click()  # the label: Vuetify covers the box
    page.get_by_text("Single-key shortcuts are off.").wait_for()
    page.locator(".promosim-step").click()  # focus on the page, in no field
    page.keyboard.press("s")
    page.wait_for_timeout(1000)
    assert current_step(page) == 0
    assert page.get_by_role("button", name="Step").get_attribute("aria-keyshortcuts") is None
    page.get_by_text("Single-key shortcuts (R, P, S)", exact=True).click()
    # Once the page is drawn again with them on (the box is ticked in the browser before that).
    page.locator("button[aria-keyshortcuts=S]").wait_for()
    page.locator(".promosim-step").click()
    page.keyboard.press("s")
    step_is(page, 1)


def test_try_the_levers_by_keyboard_leaves_the_focus_on_the_tab_it_opens(page: object) -> None:
    """The button went with the guide's tab, and the focus fell to the page: the next Tab went into the sidebar."""
    from sim.app.workshop import GUIDED_SCENARIO, shipped_scenarios  # noqa: PLC0415

    if GUIDED_SCENARIO not in shipped_scenarios():
        pytest.skip("the Sam and Priya scenario is not shipped yet")
    page.get_by_role("tab", name="Sam and Priya").click()
    page.get_by_role("button", name="Load the story").click()
    page.locator(".promosim-inspector").get_by_text("Sam (#").wait_for()
    page.get_by_role("button", name="Try the levers").focus()
    page.keyboard.press("Enter")
    page.get_by_role("tab", name="Side by side", selected=True).wait_for()
    page.wait_for_function("() => document.activeElement && document.activeElement.getAttribute('role') === 'tab'")
    assert focused(page).lower() == "side by side"


def test_keyboard_focus_is_drawn_on_the_run_buttons(page: object) -> None:
    """Vuetify's focus, a light overlay, was all but invisible on the blue buttons."""
    page.get_by_role("button", name="Reset").focus()
    page.keyboard.press("Tab")  # to Play, by keyboard: :focus-visible
    assert focused(page) == "Play"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid", outline
