"""The harness's options, fixtures and hooks are the `orderflow` pytest plugin (pytest_orderflow.plugin),
loaded through its `pytest11` entry point; folder conftest.py files add what one folder needs."""
