"""An example funnelsim plug-in: a routing rule in its own package."""
