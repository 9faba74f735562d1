# ruff: noqa: N802 (Solara components are named like classes)
"""The workshop page: ``solara run sim.app.app`` (or ``promosim app``).

The page is built from Mesa's SolaraViz parts (its ``UserInputs`` for the behavioural sliders; its
``update_counter`` redraw signal; Reset, Play/Pause and Step as its ``ModelController`` has them, in
a version that a new scenario can pause) and the project's own components
(:mod:`sim.app.components`). Each browser session gets its own :class:`~sim.app.components.AppState`,
so two people in a workshop room do not share a model.
"""

from __future__ import annotations

import gc

import solara
from solara.alias import rv

from sim.app import TITLE
from sim.app.components import AppState, MainView, Sidebar


@solara.component
def Page() -> None:
    """The whole app: the sidebar's controls and the main area's tabs."""
    router = solara.use_router()
    state = solara.use_memo(lambda: AppState.from_address(router.search), [])  # a reload keeps the run
    solara.Title(TITLE)
    with solara.AppBarTitle():
        rv.Html(tag="h1", children=[TITLE], class_="promosim-heading")  # the page's one h1 (HEADING_CSS)
    with solara.Sidebar():
        Sidebar(state)
    MainView(state)


page = Page()

# Everything imported so far (Solara, Mesa, altair, pandas, ...) lives as long as the server: move
# it out of the garbage collector's sight, so that a full collection while the model plays takes a
# few milliseconds instead of a few hundred (a visible stutter at the 1,000-person size).
gc.collect()
gc.freeze()
