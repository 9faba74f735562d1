"""Two small Vue widgets the page needs and Solara does not ship.

- :class:`PictureWidget` shows an SVG string and reports which person was clicked (each person's
  shape carries a ``data-uid`` attribute), so the pyramid opens the inspector with one click.
- :class:`UploadWidget` is a file picker (and drop zone) that reads a small text file in the
  browser and hands its name and text to Python; it has a real ``<input type="file">``, so a
  browser test can set a file on it.

The templates are inline strings (no ``.vue`` files to package). Use them in Solara components
through ``Widget.element(...)``.
"""

from __future__ import annotations

from typing import Any

import ipyvuetify as v
import traitlets

MAX_UPLOAD_BYTES = 1_000_000

PICTURE_TEMPLATE = """
<template>
  <div :class="['promosim-picture', clickable ? 'promosim-clickable' : '']" :aria-label="label"
       role="img" v-html="svg" @click="onClick"></div>
</template>
<script>
module.exports = {
  methods: {
    onClick(event) {
      if (!this.clickable) return;
      const el = event.target.closest('[data-uid]');
      if (el) this.pick(parseInt(el.getAttribute('data-uid'), 10));
    }
  }
}
</script>
<style id="promosim-picture">
.promosim-picture svg { max-width: 100%; height: auto; display: block; }
.promosim-clickable [data-uid] { cursor: pointer; }
</style>
"""

UPLOAD_TEMPLATE = """
<template>
  <div class="promosim-upload" @dragover.prevent @drop.prevent="onDrop">
    <label class="promosim-upload-label">
      <span class="v-btn v-btn--outlined theme--light v-size--small primary--text promosim-upload-button">
        {{ label }}
      </span>
      <input type="file" accept=".yaml,.yml,text/yaml,application/x-yaml" aria-label="Upload a scenario file"
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


class PictureWidget(v.VuetifyTemplate):
    """An SVG picture; clicking a shape with ``data-uid`` calls ``on_pick(uid)``.

    Attributes:
        svg: The SVG markup (trusted: built by :mod:`sim.app.drawing`, which escapes all text).
        label: Accessible name of the picture.
        clickable: Whether clicks are reported.
        on_pick: Called with the clicked person's uid.
    """

    template = traitlets.Unicode(PICTURE_TEMPLATE).tag(sync=True)
    svg = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    clickable = traitlets.Bool(False).tag(sync=True)
    on_pick = traitlets.Callable(None, allow_none=True)

    def vue_pick(self, uid: Any) -> None:
        """Called from the browser with the uid of the clicked shape."""
        if self.on_pick is not None and isinstance(uid, int):
            self.on_pick(uid)


class UploadWidget(v.VuetifyTemplate):
    """A file picker and drop zone for small text files.

    Attributes:
        label: The button's text.
        hint: A line under the button.
        max_bytes: Larger files are not read; ``on_upload`` gets ``None`` as their text.
        on_upload: Called with ``(file name, text or None, size in bytes)``.
    """

    template = traitlets.Unicode(UPLOAD_TEMPLATE).tag(sync=True)
    label = traitlets.Unicode("Upload a scenario").tag(sync=True)
    hint = traitlets.Unicode("").tag(sync=True)
    max_bytes = traitlets.Int(MAX_UPLOAD_BYTES).tag(sync=True)
    on_upload = traitlets.Callable(None, allow_none=True)

    def vue_upload(self, data: Any) -> None:
        """Called from the browser with ``{name, text, size}``."""
        if self.on_upload is None or not isinstance(data, dict):
            return
        text = data.get("text")
        self.on_upload(str(data.get("name") or "upload.yaml"), text if isinstance(text, str) else None,
                       int(data.get("size") or 0))
