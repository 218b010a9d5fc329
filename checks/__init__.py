"""The packaged checks, by concern: installed as `pytest_orderflow.checks`, run by `pytest --orderflow`."""
