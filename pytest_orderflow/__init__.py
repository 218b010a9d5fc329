"""The OrderFlow harness as a pytest plugin (entry point `pytest11: orderflow`).

Registered through an entry point rather than a root conftest.py so its options exist whatever
rootdir pytest picks: `pytest -m compose --compose-file /elsewhere/docker-compose.yml` parses the
path as the option's value even when the file lies outside the repository. `infra` stays a plain
library that never imports pytest; this package is the only bridge.
"""
