"""bootstrap: from a target's ``.td`` to a built, tested ``lib/Target/<X>`` (see ``pipeline`` for the outputs)."""
