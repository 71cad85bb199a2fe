"""A small button that copies a text (the equivalent `funnelsim run` command line) to the clipboard."""

from __future__ import annotations

import ipyvuetify as v
import traitlets


class CopyButton(v.VuetifyTemplate):
    """Copies `text` in the browser; the clipboard works on a loopback address (a secure context)."""

    text = traitlets.Unicode("").tag(sync=True)
    done = traitlets.Bool(False).tag(sync=True)
    template = traitlets.Unicode(
        """
<template>
  <v-btn small text color="primary" class="fs-copy" @click="copy">{{ done ? 'copied' : 'copy' }}</v-btn>
</template>
<script>
module.exports = {
  methods: {
    copy() {
      if (navigator.clipboard) {
        navigator.clipboard.writeText(this.text).then(() => { this.done = true; }, () => {});
      }
    },
  },
};
</script>
"""
    ).tag(sync=True)
