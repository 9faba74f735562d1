"""The workshop app: an interactive Solara visualisation of the promotion model.

Modules, from the bottom up:

- ``assets``: the offline cache of Solara's front-end packages (the app works with no internet).
- ``workshop``: the app's model (the organisation with and without the chosen levers, stepping in
  lockstep), the settings a Reset reads, scenario uploads, and the plain-language event feed.
- ``drawing``: SVG pictures (the pyramid, line charts), plain strings so they are fast to redraw.
- ``widgets``: two small Vue widgets (a clickable picture, a file picker).
- ``components``: the Solara components of the page.
- ``app``: the page itself (``solara run sim.app.app``), built on Mesa's SolaraViz controls.
- ``cli``: ``promosim app``.
"""

TITLE = "promosim: who wants to move up?"  # the tab and the app bar; the server's page says it before any script runs
