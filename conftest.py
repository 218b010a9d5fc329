"""This repository runs the harness without `--orderflow`: its checks are the folder checks/ (testpaths),
and the harness's fixtures, markers and hooks come from pytest_orderflow.harness, loaded here. Elsewhere
the entry-point plugin stays quiet until `pytest --orderflow` loads the same module."""

pytest_plugins = ["pytest_orderflow.harness"]
