"""Six small Vue widgets the page needs and Solara does not ship.

- :class:`PyramidWidget` draws the organisation on a canvas from compact data (a 1,000-person
  pyramid as SVG or HTML costs the browser hundreds of milliseconds per redraw; the canvas a few)
  and reports which person was clicked, so the pyramid opens the inspector with one click. It
  shows a tooltip (who, and how their aspiration is read) on hover, and reports the width of its
  card, so that Python lays the picture out for that width (scaled down by the browser instead,
  its text shrank to 7 px on a laptop).
- :class:`PictureWidget` shows trusted HTML or SVG and reports a click on any element carrying a
  ``data-uid`` attribute (the event feed uses it), or Enter on one reached with the arrow keys.
- :class:`UploadWidget` is a file picker (and drop zone) that reads a small text file in the
  browser and hands its name and text to Python; it has a real ``<input type="file">``, so a
  browser test can set a file on it.
- :class:`AddressWidget` (invisible) replaces the query of the page's address in place. Solara's
  router only pushes a new entry onto the browser's history, so each Step the address recorded
  was one more press of Back.
- :class:`StepWidget` is Mesa's step counter (``Step: N``) that tells the server each month as
  the page shows it, so that a Pause stops the run at the month the room saw.
- :class:`KeysWidget` (invisible) gives the run's buttons keyboard shortcuts, lets the arrow keys
  move between the tabs, and names Solara's sidebar button (an icon with no name for a screen reader).

The templates are inline strings (no ``.vue`` files to package). Use them in Solara components
through ``Widget.element(...)``.
"""

from __future__ import annotations

import base64
from typing import Any

import ipyvuetify as v
import traitlets

MAX_UPLOAD_BYTES = 1_000_000

PYRAMID_TEMPLATE = """
<template>
  <div class="promosim-pyramid" style="position:relative;width:100%">
    <canvas ref="canvas" role="img" :aria-label="label + ': ' + summary"
            :data-people="data.people" :data-width="data.width" :data-sample="JSON.stringify(data.sample || [])"
            :style="{maxWidth: '100%', cursor: clickable ? 'pointer' : 'default', display: 'block'}"
            @click="onClick" @mousemove="onMove" @mouseleave="tip = ''"></canvas>
    <div v-if="tip" class="promosim-tip" :style="{left: tipX + 'px', top: tipY + 'px'}">{{ tip }}</div>
  </div>
</template>
<script>
module.exports = {
  data() { return { tip: '', tipX: 0, tipY: 0 }; },
  computed: {
    data() {
      return this.picture ? JSON.parse(this.picture) : {};
    },
    summary() {
      const p = this.data;
      const counts = (p.labels || []).map(() => 0);
      const c = p.cells || [];
      for (let i = 2; i < c.length; i += 5) { if (c[i] < counts.length) counts[c[i]] += 1; }
      return (p.labels || []).map((l, i) => counts[i] + ' ' + l).join('; ');
    }
  },
  watch: { data() { this.draw(); } },
  mounted() {
    this.draw();
    this.observer = new ResizeObserver(entries => {
      const width = Math.floor(entries[0].contentRect.width);
      if (width > 0 && width !== this.reported) { this.reported = width; this.resize(width); }
    });
    this.observer.observe(this.$el);
  },
  beforeDestroy() { if (this.observer) this.observer.disconnect(); },
  methods: {
    shape(ctx, g, x, y, s) {
      const h = s / 2;
      ctx.beginPath();
      if (g === 0) {
        ctx.arc(x + h, y + h, h * 0.92, 0, 2 * Math.PI);
      } else if (g === 1) {
        ctx.rect(x + s * 0.06, y + s * 0.06, s * 0.88, s * 0.88);
      } else if (g === 2) {
        ctx.moveTo(x + h, y); ctx.lineTo(x + s, y + h); ctx.lineTo(x + h, y + s); ctx.lineTo(x, y + h);
      } else if (g === 3) {
        ctx.moveTo(x + h, y + s * 0.04); ctx.lineTo(x + s * 0.98, y + s * 0.94);
        ctx.lineTo(x + s * 0.02, y + s * 0.94);
      } else if (g === 4) {
        const k = s * 0.3; ctx.rect(x + k, y, s - 2 * k, s); ctx.rect(x, y + k, s, s - 2 * k);
      } else {
        for (let i = 0; i < 6; i++) {
          const a = Math.PI / 3 * i;
          const px = x + h + h * 0.92 * Math.cos(a), py = y + h + h * 0.92 * Math.sin(a);
          if (i) ctx.lineTo(px, py); else ctx.moveTo(px, py);
        }
      }
      ctx.closePath();
      ctx.fill();
    },
    draw() {
      const p = this.data, canvas = this.$refs.canvas;
      if (!p || !p.width || !canvas) return;
      const dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(p.width * dpr); canvas.height = Math.round(p.height * dpr);
      canvas.style.width = p.width + 'px';
      const ctx = canvas.getContext('2d');
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, p.width, p.height);
      const fonts = p.fonts;
      const colours = {title: '#263238', level: '#37474f', count: '#546e7a', track: '#546e7a', name: '#212121'};
      const s = p.cell / 10 - 1, c = p.cells;
      // A ringed person's shape is drawn smaller where their ring stays inside their cell.
      const ringed = new Set(p.rings.map(r => r[4])), k = p.ringed_shape || 1;
      ctx.strokeStyle = '#bdbdbd'; ctx.lineWidth = 1;
      for (let i = 0; i < c.length; i += 5) {
        const x = c[i] / 10, y = c[i + 1] / 10, cat = c[i + 2];
        if (cat >= p.colours.length) { ctx.strokeRect(x + s * 0.2, y + s * 0.2, s * 0.6, s * 0.6); continue; }
        ctx.fillStyle = p.colours[cat];
        if (k < 1 && ringed.has(c[i + 4])) this.shape(ctx, c[i + 3], x + s * (1 - k) / 2, y + s * (1 - k) / 2, s * k);
        else this.shape(ctx, c[i + 3], x, y, s);
      }
      for (const r of p.rings) {
        ctx.beginPath(); ctx.arc(r[0] / 10, r[1] / 10, r[2] / 10, 0, 2 * Math.PI);
        // The inspected person: a thick black ring (it was blue, the colour of "the manager knows").
        ctx.strokeStyle = r[3] ? '#000' : '#212121'; ctx.lineWidth = p.ring_widths[r[3]]; ctx.stroke();
      }
      for (const t of p.texts) {
        const [kind, text, x, y] = t;
        ctx.font = fonts[kind] || fonts.count; ctx.textAlign = kind === 'name' ? 'center' : 'left';
        if (kind === 'name') { ctx.lineWidth = 3; ctx.strokeStyle = '#fff'; ctx.strokeText(text, x, y); }
        ctx.fillStyle = colours[kind] || '#37474f'; ctx.fillText(text, x, y);
      }
    },
    at(event) {
      const p = this.data, canvas = this.$refs.canvas;
      if (!p || !p.cells) return -1;
      const box = canvas.getBoundingClientRect();
      const scale = p.width / box.width;
      const x = (event.clientX - box.left) * scale * 10, y = (event.clientY - box.top) * scale * 10;
      const c = p.cells;
      for (let i = 0; i < c.length; i += 5) {
        if (c[i + 4] >= 0 && x >= c[i] && x < c[i] + p.cell && y >= c[i + 1] && y < c[i + 1] + p.cell) return i;
      }
      return -1;
    },
    onClick(event) {
      if (!this.clickable) return;
      const i = this.at(event);
      if (i >= 0) this.pick(this.data.cells[i + 4]);
    },
    onMove(event) {
      const i = this.at(event);
      if (i < 0) { this.tip = ''; return; }
      const c = this.data.cells, uid = c[i + 4];
      const name = this.data.names[String(uid)];
      this.tip = (name ? name + ' (#' + uid + ')' : '#' + uid) + ': ' + this.data.labels[c[i + 2]];
      const box = this.$refs.canvas.getBoundingClientRect();
      this.tipX = event.clientX - box.left + 12; this.tipY = event.clientY - box.top + 12;
    }
  }
}
</script>
<style id="promosim-pyramid">
.promosim-tip { position: absolute; background: rgba(38, 50, 56, 0.92); color: #fff; font-size: 12px;
  padding: 2px 6px; border-radius: 3px; pointer-events: none; white-space: nowrap; z-index: 5; }
</style>
"""

PICTURE_TEMPLATE = """
<template>
  <div :class="['promosim-picture', clickable ? 'promosim-clickable' : '']" :aria-label="label"
       :role="role" :tabindex="clickable && role !== 'img' ? 0 : null" v-html="svg" @click="onClick"
       @keydown="onKey" @focusout="onLeave"></div>
</template>
<script>
module.exports = {
  // A new month rewrites the feed's lines (v-html), or the page makes the feed anew, and the line a
  // keyboard user was on went with them: the focus fell to the page, and Enter inspected no one.
  // The line's place is kept on the window (by the picture's label, so a new feed finds it too).
  mounted() { this.refocus(); },
  updated() { this.refocus(); },
  methods: {
    refocus() {
      const kept = (window.promosimFocus || {})[this.label];
      const active = document.activeElement;
      // The removed line can still be the active element until the browser's next rendering step.
      if (kept == null || (active && active !== document.body && active.isConnected)) return;
      const items = this.$el.querySelectorAll('[data-uid]');
      if (items.length) items[Math.min(kept, items.length - 1)].focus({preventScroll: true});
    },
    keep(index) {
      window.promosimFocus = Object.assign(window.promosimFocus || {}, {[this.label]: index});
    },
    onClick(event) {
      if (!this.clickable) return;
      const el = event.target.closest('[data-uid]');
      if (el) this.pick(parseInt(el.getAttribute('data-uid'), 10));
    },
    onLeave(event) {
      // Tabbed or clicked elsewhere: a later redraw leaves the focus where it went.
      if (event.relatedTarget && !this.$el.contains(event.relatedTarget)) this.keep(null);
    },
    onKey(event) {
      // The arrow keys go from line to line (one Tab stop for the whole feed, not one per line);
      // Enter or Space inspects the person of the line.
      if (!this.clickable || event.altKey || event.ctrlKey || event.metaKey) return;
      const items = Array.from(this.$el.querySelectorAll('[data-uid]'));
      const i = items.indexOf(document.activeElement);
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        if (!items.length) return;
        const next = i < 0 ? 0 : Math.min(Math.max(i + (event.key === 'ArrowDown' ? 1 : -1), 0), items.length - 1);
        items[next].focus();
        this.keep(next);
        event.preventDefault();
      } else if ((event.key === 'Enter' || event.key === ' ') && i >= 0) {
        this.pick(parseInt(items[i].getAttribute('data-uid'), 10));
        event.preventDefault();
      }
    }
  }
}
</script>
<style id="promosim-picture">
.promosim-picture svg { max-width: 100%; height: auto; display: block; }
.promosim-clickable [data-uid] { cursor: pointer; }
</style>
"""

UPLOAD_TEMPLATE = r"""
<template>
  <div class="promosim-upload" @dragover.prevent @drop.prevent="onDrop">
    <label class="promosim-upload-label">
      <span class="v-btn v-btn--outlined theme--light v-size--small primary--text promosim-upload-button">
        {{ label }}
      </span>
      <input type="file"
             accept=".yaml,.yml,.csv,.xlsx,.xlsm,.xlsb,.xls,.ods,.parquet,.pq,text/yaml,application/x-yaml,text/csv"
             aria-label="Upload a scenario or headcount file"
             class="promosim-upload-input" @change="onChange" />
    </label>
    <div class="promosim-upload-hint">{{ hint }}</div>
  </div>
</template>
<script>
module.exports = {
  methods: {
    async send(file) {
      if (!file) return;
      if (file.size > this.max_bytes) {
        this.upload({name: file.name, text: null, size: file.size});
        return;
      }
      if (/\.(xlsx|xlsm|xlsb|xls|ods|parquet|pq)$/i.test(file.name)) {  // binary: sent as base64
        const bytes = new Uint8Array(await file.arrayBuffer());
        let binary = '';
        for (let i = 0; i < bytes.length; i += 0x8000) {
          binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
        }
        this.upload({name: file.name, base64: btoa(binary), size: file.size});
        return;
      }
      const text = await file.text();
      this.upload({name: file.name, text: text, size: file.size});
    },
    async onChange(event) {
      const file = event.target.files[0];
      await this.send(file);
      event.target.value = '';
    },
    async onDrop(event) {
      const files = event.dataTransfer ? event.dataTransfer.files : [];
      if (files.length) await this.send(files[0]);
    }
  }
}
</script>
<style id="promosim-upload">
.promosim-upload { border: 1px dashed #9e9e9e; border-radius: 4px; padding: 8px; margin: 4px 0; }
.promosim-upload-label { cursor: pointer; display: inline-block; }
.promosim-upload-input { position: absolute; width: 1px; height: 1px; opacity: 0; }
.promosim-upload-hint { font-size: 12px; color: #757575; margin-top: 4px; }
</style>
"""

STEP_TEMPLATE = """
<template>
  <span class="promosim-step" style="font-weight:600">Step: {{ shown.month }}</span>
</template>
<script>
module.exports = {
  // Said back in the same task as the text changes: a click or key after the room saw this month
  // reaches the server after this message, never before it.
  mounted() { this.seen(this.shown); },
  watch: { shown(value) { this.seen(value); } }
}
</script>
"""

# The head of a widget that shows nothing and only runs its script in the page.
_INVISIBLE = """
<template>
  <span style="display:none"></span>
</template>
<script>
module.exports = {"""

ADDRESS_TEMPLATE = _INVISIBLE + """
  watch: {
    address(value) {
      // Only the query changes: the path (Solara's root path in it) and the hash stay as they are,
      // and so does the entry's state (Solara's navigator keeps the scroll position there).
      const url = new URL(window.location.href);
      url.search = value.search;
      window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    }
  }
}
</script>
"""


KEYS_TEMPLATE = _INVISIBLE + """
  watch: {
    tab_focus() {
      // A button that switched the tab went with its tab's content, and the focus fell to the page:
      // put it on the tab now selected, once Vuetify has drawn it so.
      clearTimeout(this.tabTimer);
      this.tabTimer = setTimeout(() => {
        const tab = document.querySelector('[role=tab][aria-selected=true]');
        if (tab) tab.focus();
      }, 150);
    }
  },
  mounted() {
    this.onKey = this.onKey.bind(this);
    document.addEventListener('keydown', this.onKey);
    this.tries = 0;
    this.nameMenu();
    // Solara's page template has no lang: a screen reader guessed the language from the user's own.
    if (!document.documentElement.lang) document.documentElement.lang = this.lang;
  },
  beforeDestroy() {
    document.removeEventListener('keydown', this.onKey);
    clearTimeout(this.timer);
    clearTimeout(this.tabTimer);
  },
  methods: {
    nameMenu() {
      // Solara's app bar comes after this widget: look again until its button is there.
      const buttons = document.querySelectorAll('.v-app-bar__nav-icon');
      buttons.forEach(b => { if (!b.getAttribute('aria-label')) b.setAttribute('aria-label', this.menu_label); });
      if (!buttons.length && this.tries++ < 40) this.timer = setTimeout(() => this.nameMenu(), 250);
    },
    onKey(event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
      const t = event.target;
      if (t && t.getAttribute && t.getAttribute('role') === 'tab'
          && ['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) {
        const list = t.closest('[role=tablist]');
        const tabs = list ? Array.from(list.querySelectorAll('[role=tab]')) : [];
        const i = tabs.indexOf(t), n = tabs.length;
        if (i < 0) return;
        const next = event.key === 'Home' ? 0 : event.key === 'End' ? n - 1
          : (i + (event.key === 'ArrowRight' ? 1 : n - 1)) % n;
        tabs[next].focus();
        tabs[next].click();
        event.preventDefault();
        return;
      }
      // Not while typing: in a text field, a menu or on a slider the letters are the field's own.
      if (t && t.closest && t.closest('input:not([type=checkbox]):not([type=radio]), textarea, select, '
          + '[contenteditable=""], [contenteditable=true], [role=slider], [role=listbox], [role=combobox]')) return;
      const key = (event.key || '').toLowerCase();
      if (event.shiftKey || !this.shortcuts.includes(key)) return;
      event.preventDefault();
      this.press(key);
    }
  }
}
</script>
"""


REVEAL_TEMPLATE = _INVISIBLE + """
  watch: {
    count() {
      // Once the page has drawn what the click changed (the person in the box, a chapter opened).
      clearTimeout(this.timer);
      this.tries = 0;
      this.timer = setTimeout(() => this.reveal(), 150);
    }
  },
  beforeDestroy() { clearTimeout(this.timer); },
  methods: {
    reveal() {
      const box = document.querySelector(this.box);
      const part = box && box.querySelector(this.part);
      if (!part && this.tries++ < 20) {  // not drawn yet
        this.timer = setTimeout(() => this.reveal(), 150);
        return;
      }
      const shown = part || box;
      if (!shown) return;
      let scroller = shown.parentElement;
      while (scroller && !(/(auto|scroll)/.test(getComputedStyle(scroller).overflowY)
                           && scroller.scrollHeight > scroller.clientHeight)) scroller = scroller.parentElement;
      scroller = scroller || document.scrollingElement;
      const view = scroller === document.scrollingElement ? {top: 0, bottom: window.innerHeight}
        : scroller.getBoundingClientRect();
      // The bar that sticks at the top of the scrolled area (inside its padding) covers its top.
      const bar = this.cover ? document.querySelector(this.cover) : null;
      const stuck = bar ? (parseFloat(getComputedStyle(scroller).paddingTop) || 0)
        + (parseFloat(getComputedStyle(bar).top) || 0) + bar.offsetHeight : 0;
      const seen = view.top + stuck + 8;
      const {top, bottom} = shown.getBoundingClientRect();
      const bottomSeen = Math.min(view.bottom, window.innerHeight) - 8;
      // As little as shows it whole, or its top when it is taller: what is above stays on screen if it can.
      const by = top < seen ? top - seen : bottom > bottomSeen ? Math.min(bottom - bottomSeen, top - seen) : 0;
      if (by === 0) return;
      const calm = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      scroller.scrollBy({top: by, behavior: calm ? 'auto' : 'smooth'});
    }
  }
}
</script>
"""


class _PickablePicture(v.VuetifyTemplate):
    """A picture of people whose clicks, when ``clickable``, report a uid to ``on_pick``.

    Attributes:
        label: Accessible name of the picture.
        clickable: Whether clicks are reported.
        on_pick: Called with the clicked person's uid.
    """

    label = traitlets.Unicode("").tag(sync=True)
    clickable = traitlets.Bool(False).tag(sync=True)
    on_pick = traitlets.Callable(None, allow_none=True)

    def vue_pick(self, uid: Any) -> None:
        """Called from the browser with the uid of the clicked person."""
        if self.on_pick is not None and isinstance(uid, int):
            self.on_pick(uid)


class PyramidWidget(_PickablePicture):
    """The pyramid on a canvas; clicking a person calls ``on_pick(uid)``.

    Attributes:
        picture: The data from :func:`sim.app.drawing.pyramid_picture` as a JSON string (a string,
            not a dict, so that neither Solara nor ipywidgets walks its thousands of numbers).
        label: Accessible name of the picture (followed by the counts per category).
        on_resize: Called with the width its card gives the picture (on the first draw, and when it
            changes).
    """

    template = traitlets.Unicode(PYRAMID_TEMPLATE).tag(sync=True)
    picture = traitlets.Unicode("").tag(sync=True)
    on_resize = traitlets.Callable(None, allow_none=True)

    def vue_resize(self, width: Any) -> None:
        """Called from the browser with the width in pixels its card gives the picture, when it changes."""
        if self.on_resize is not None and isinstance(width, int) and width > 0:
            self.on_resize(width)


class PictureWidget(_PickablePicture):
    """Trusted HTML or SVG; clicking an element with ``data-uid`` calls ``on_pick(uid)``.

    With a ``role`` other than ``img`` and ``clickable``, it is one stop of the Tab key: the arrow keys
    move between the ``data-uid`` elements (which need ``tabindex="-1"``) and Enter or Space picks one.

    Attributes:
        svg: The markup (trusted: built by this package, which escapes all text).
        role: The ARIA role of the whole. ``img`` (a picture: a screen reader says only ``label``)
            hid the event feed's sentences, which are text to read; the feed is a ``region``.
    """

    template = traitlets.Unicode(PICTURE_TEMPLATE).tag(sync=True)
    svg = traitlets.Unicode("").tag(sync=True)
    role = traitlets.Unicode("img").tag(sync=True)


class UploadWidget(v.VuetifyTemplate):
    """A file picker and drop zone for small files: text, or a workbook or Parquet file as bytes.

    Attributes:
        label: The button's text.
        hint: A line under the button.
        max_bytes: Larger files are not read; ``on_upload`` gets ``None`` as their content.
        on_upload: Called with ``(file name, content, size in bytes)``; the content is text, bytes
            for a workbook (``.xlsx``, ``.xlsm``, ``.xlsb``, ``.xls``, ``.ods``) or a Parquet
            file (the browser sends them in base64), or ``None``.
    """

    template = traitlets.Unicode(UPLOAD_TEMPLATE).tag(sync=True)
    label = traitlets.Unicode("Upload a scenario").tag(sync=True)
    hint = traitlets.Unicode("").tag(sync=True)
    max_bytes = traitlets.Int(MAX_UPLOAD_BYTES).tag(sync=True)
    on_upload = traitlets.Callable(None, allow_none=True)

    def vue_upload(self, data: Any) -> None:
        """Called from the browser with ``{name, text, size}``, or ``{name, base64, size}`` for a binary file."""
        if self.on_upload is None or not isinstance(data, dict):
            return
        content: str | bytes | None = data.get("text") if isinstance(data.get("text"), str) else None
        if isinstance(data.get("base64"), str):
            try:
                content = base64.b64decode(data["base64"], validate=True)
            except ValueError:
                content = b""  # not what this page sends: read as an empty, unreadable file
        self.on_upload(str(data.get("name") or "upload.yaml"), content, int(data.get("size") or 0))


class AddressWidget(v.VuetifyTemplate):
    """Replaces the query of the page's address in place (``history.replaceState``); shows nothing.

    Nothing is sent back: Solara's router still holds the address it last pushed (or the browser's
    Back and Forward last brought), which ``KeepAddress`` in :mod:`sim.app.components` allows for.

    Attributes:
        address: ``{"search": query without "?", "count": n}``. Each change replaces the address (the
            value the widget is created with does not); the count makes the same query, written again
            after a push in between, a change.
    """

    template = traitlets.Unicode(ADDRESS_TEMPLATE).tag(sync=True)
    address = traitlets.Dict({"search": "", "count": 0}).tag(sync=True)


class StepWidget(v.VuetifyTemplate):
    """Mesa's step counter (``Step: N``), which tells the server each month the page shows.

    The page shows a month 0.1-0.3 s after the server has stepped it, so a Pause clicked as the
    page read month 3 reached a server already at month 4, and the run stopped there (3 of 8
    pauses in a facilitator's trial). The browser's messages reach the server in order, and this
    one is sent as the text changes, so when a Pause arrives the last month reported is the one
    the room saw. It is the counter itself that reports: a widget of its own beside it changed in
    another message, and a click could land between the two.

    Attributes:
        shown: ``{"run": the running model's serial (``run_key``), "month": its month}`` (the month is the step).
        on_seen: Called with ``(run, month)`` when the page shows them.
    """

    template = traitlets.Unicode(STEP_TEMPLATE).tag(sync=True)
    shown = traitlets.Dict({"run": "", "month": 0}).tag(sync=True)
    on_seen = traitlets.Callable(None, allow_none=True)

    def vue_seen(self, data: Any) -> None:
        """Called from the browser with ``shown`` once it is on the page."""
        if self.on_seen is not None and isinstance(data, dict) and isinstance(data.get("month"), int):
            self.on_seen(str(data.get("run")), data["month"])


class KeysWidget(v.VuetifyTemplate):
    """Keyboard shortcuts for the page; shows nothing.

    The run's buttons come after the sidebar's twenty-odd controls in the order of the Tab key (the
    sidebar is first in the page), so a facilitator at a keyboard pressed Tab 23 times to reach
    Reset. The shortcuts act wherever the focus is, except in a text field, a menu or on a slider,
    whose keys are their own, and never with Ctrl, Alt, Meta or Shift (the browser's and a screen
    reader's). It also lets the arrow keys (and Home, End) move between tabs, as in the ARIA tabs
    pattern (Vuetify's tabs took only Tab and Enter), names Solara's sidebar button, an icon
    that a screen reader announced as just "button", and gives the page its language.

    Attributes:
        shortcuts: The lower-case keys reported to ``on_key`` (not ``keys``: ipywidgets' own attribute).
        menu_label: The accessible name given to the app bar's sidebar button.
        lang: The page's language, set on ``<html>`` unless it has one (Solara's template has none).
        tab_focus: A count; each change puts the keyboard focus on the selected tab (after a button
            that switched tabs, which went with its tab's content and left the focus on the page).
        on_key: Called with the key pressed (one of ``shortcuts``).
    """

    template = traitlets.Unicode(KEYS_TEMPLATE).tag(sync=True)
    shortcuts = traitlets.List(traitlets.Unicode(), default_value=[]).tag(sync=True)
    menu_label = traitlets.Unicode("Show or hide the sidebar").tag(sync=True)
    lang = traitlets.Unicode("en").tag(sync=True)
    tab_focus = traitlets.Int(0).tag(sync=True)
    on_key = traitlets.Callable(None, allow_none=True)

    def vue_press(self, key: Any) -> None:
        """Called from the browser with a shortcut's key."""
        if self.on_key is not None and isinstance(key, str) and key in self.shortcuts:
            self.on_key(key)


class RevealWidget(v.VuetifyTemplate):
    """Scrolls the page to show a part of a box, at each change of ``count``; shows nothing.

    On a 1024x640 laptop the story's inspector was below the fold: "Look at Sam" filled it, and the
    room saw nothing change. It scrolls as little as it takes (not at all when the part is on
    screen), so what is above stays in view where it can.

    Attributes:
        box: A CSS selector of the box.
        part: A CSS selector, within the box, of what is shown: whole, or its top when it is taller
            than the screen. Until it is drawn the widget waits (up to 3 s), then shows the box.
        cover: A CSS selector of a bar that sticks at the top of the scrolled area, over the page.
        count: Each change scrolls (the value the widget is created with does not).
    """

    template = traitlets.Unicode(REVEAL_TEMPLATE).tag(sync=True)
    box = traitlets.Unicode("").tag(sync=True)
    part = traitlets.Unicode("").tag(sync=True)
    cover = traitlets.Unicode("").tag(sync=True)
    count = traitlets.Int(0).tag(sync=True)
