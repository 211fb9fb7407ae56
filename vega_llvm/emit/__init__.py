"""emit: generated functions + Jinja templates (``templates/target``) -> a whole ``lib/Target/<X>`` directory.

Modules: ``functions`` (the generated functions as read from ``vega-llvm generate``'s ``result.jsonl``, signature
parsing, confidence comments), ``sources`` (fallbacks from the nearest training target; swap-mode edits),
``backends`` (the file kinds and class declarations the training targets' sources share), ``layout`` (file kinds,
class shapes, the ``Plan`` of a target), ``render`` (Jinja rendering, atomic writing,
function line ranges for error attribution), ``report`` (``report.json``/``report.md``).
"""
