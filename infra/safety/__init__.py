"""Migration safety, observed on a real server: what each statement of a revision locks, rewrites and
scans (infra.safety.trace), the findings drawn from that (rules), contention with a live application
transaction (contention), and the previous release's models run against the new schema (oldcode).

A layer above infra.migrations: it may use the migration and catalog helpers; nothing below uses it.
"""
