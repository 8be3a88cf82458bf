"""Everything that talks to Docker. No Textual here: usable from a plain script."""
