"""OrderFlow harness library: compose model, stack lifecycle, probes, catalog snapshots, reports.

A plain library: it never imports pytest, so the CLI, the checks and a notebook can all use it.
"""

__version__ = "0.1.0"
