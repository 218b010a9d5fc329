"""`python -m infra` (also `orderflow-infra`): the harness from the command line.

Every failure is one line on stderr naming the problem, with a hint, and a nonzero exit.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from infra import __version__, config
from infra.cli import checks as cli_checks
from infra.cli import lint as cli_lint
from infra.cli import output
from infra.cli import stack as cli_stack
from infra.errors import HarnessError
from infra.stack.signals import terminate_as_interrupt

Handler = Callable[[argparse.Namespace], int]


def _lazy(module: str, name: str) -> Handler:
    """Import a command group when its command runs: `up` need not load Alembic and SQLAlchemy (~0.7 s)."""

    def handler(args: argparse.Namespace) -> int:
        return int(getattr(importlib.import_module(module), name)(args))

    return handler


def _files(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--compose-file",
        help=f"compose file (default: env {config.COMPOSE_FILE_VAR}, else ./docker-compose.yml)",
    )
    parser.add_argument(
        "--env-file", help=f"env file (default: env {config.ENV_FILE_VAR}, else .env, else .env.example)"
    )


def _schema_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--alembic-ini", help=f"alembic.ini (default: env {config.ALEMBIC_INI_VAR}, else schema/alembic.ini)"
    )
    parser.add_argument(
        "--database-url",
        help="PostgreSQL server to use (default: the stack of --project, else this checkout's dev stack)",
    )
    parser.add_argument(
        "--project",
        help="a stack started by `up`: its saved state gives the URL and password file "
        "(default: this checkout's dev stack)",
    )
    parser.add_argument(
        "--driver",
        help="DBAPI driver the migrations run with, e.g. psycopg2 (default: env ORDERFLOW_DRIVER, else the "
        "policy's `driver`, else what alembic.ini or env.py names, else psycopg)",
    )
    parser.add_argument(
        "--python",
        metavar="PATH",
        help="the project's interpreter to run its Alembic in (its own SQLAlchemy/Alembic versions)",
    )
    parser.add_argument("--env-file", help="the dev stack's env file (default .env)")
    parser.add_argument("--report", help="write the JSON report here")
    parser.add_argument("--markdown", help="write a Markdown summary here (e.g. $GITHUB_STEP_SUMMARY)")
    output.add_format_argument(parser)


def _stack_commands(add: Callable[[str, Handler, str], argparse.ArgumentParser]) -> None:
    """up, status, down, prune-test-stacks."""
    up = add("up", cli_stack.cmd_up, "start the stack and wait until every service is healthy")
    _files(up)
    up.add_argument(
        "--profile", choices=config.PROFILES, help=f"images (default: env {config.PROFILE_VAR}, else auto)"
    )
    up.add_argument("--isolated", action="store_true", help="own project name, free ports, generated secrets")
    up.add_argument(
        "--project",
        help="Compose project name (default: the file's `name:`, or this checkout's own when another "
        "checkout's containers hold that one)",
    )
    up.add_argument(
        "--new-ports", action="store_true", help="isolated stack: free ports instead of the saved ones"
    )
    up.add_argument("--timeout", type=float, help="seconds to wait for health (default: the startup budget)")
    up.add_argument(
        "--startup-budget",
        type=float,
        help="seconds each service may take to become healthy (env ORDERFLOW_STARTUP_BUDGET_S; default 120)",
    )
    up.add_argument("--json", action="store_true", help="print one JSON report on stdout")
    up.add_argument("--force", action="store_true", help="act on a stack another checkout or live run owns")

    for name, handler, text in (
        ("status", cli_stack.cmd_status, "state and ports of a running stack"),
        ("down", cli_stack.cmd_down, "stop and remove a stack"),
    ):
        p = add(name, handler, text)
        _files(p)
        p.add_argument(
            "--project",
            help="the stack's project name (default: this checkout's stack)",
        )
        if name == "status":
            p.add_argument("--json", action="store_true", help="the report (docs/output.md) on stdout")
            p.add_argument(
                "--database-url",
                nargs="?",
                const="libpq",
                choices=("libpq", "sqlalchemy"),
                help="print the stack's PostgreSQL URL (the password stays in its password file, "
                "which the URL names); `sqlalchemy` for a postgresql+psycopg URL",
            )
        else:
            p.add_argument("--volumes", action="store_true", help="remove its volumes too (loses the data)")
            p.add_argument(
                "--force", action="store_true", help="act on a stack another checkout or live run owns"
            )

    prune = add(
        "prune-test-stacks", cli_stack.cmd_prune, "remove orderflow-test-* stacks left by killed runs"
    )
    _files(prune)
    prune.add_argument(
        "--force", action="store_true", help="also other checkouts' and live runs' test stacks"
    )


def _schema_commands(add: Callable[[str, Handler, str], argparse.ArgumentParser]) -> None:
    """The commands over an Alembic tree and a database: roundtrip, audit, trace."""
    roundtrip = add(
        "roundtrip",
        _lazy("infra.cli.schema", "cmd_roundtrip"),
        "pre-merge: new revisions since a git ref must round-trip to an identical catalog",
    )
    roundtrip.add_argument(
        "--base", help=f"git ref of the target branch, e.g. origin/main (default: env {config.BASE_REF_VAR})"
    )
    roundtrip.add_argument(
        "--migrations-config",
        help="pyproject-style TOML with [tool.orderflow.migrations] (irreversible revisions, prepare); "
        "default: env ORDERFLOW_MIGRATIONS_CONFIG, else the nearest pyproject.toml above the alembic.ini",
    )
    roundtrip.add_argument(
        "--prepare", help="SQL file or module:callable(connection) run on the empty database first"
    )
    roundtrip.add_argument("--seed", type=int, default=0, help="seed of the generated rows (default 0)")
    roundtrip.add_argument(
        "--trace",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="trace each new revision's upgrade and apply the safety rules (default on)",
    )
    roundtrip.add_argument(
        "--rows",
        type=int,
        default=200,
        help="with --trace: rows per table added for volume, so scans and rewrites show (default 200)",
    )
    roundtrip.add_argument(
        "--old-code",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run the base ref's models against the new head (default on)",
    )
    roundtrip.add_argument(
        "--models",
        help="the base ref's models for --old-code (module:attribute or path.py:attribute in its "
        "checkout; default: ORDERFLOW_TARGET_METADATA, else [tool.orderflow] metadata, skipped if absent)",
    )
    _schema_options(roundtrip)

    audit = add(
        "audit",
        _lazy("infra.cli.schema", "cmd_audit"),
        "nightly: audit a database against schema/CONVENTIONS.md",
    )
    audit.add_argument(
        "--migrate",
        action="store_true",
        help="audit a throwaway database migrated to head instead of the database itself",
    )
    audit.add_argument(
        "--metadata",
        help="the models' MetaData, for its naming convention: module:attr.path (a MetaData or a "
        "declarative base) or path.py:attr, then optionally ,model.module,... to import first "
        f"(default: env {config.METADATA_VAR}, else [tool.orderflow] metadata)",
    )
    audit.add_argument(
        "--schema",
        action="append",
        dest="schemas",
        metavar="NAME",
        help="schema to audit (repeatable; default public)",
    )
    audit.add_argument("--baseline", help="known violations (JSON); fail only on new ones")
    audit.add_argument(
        "--write-baseline", metavar="FILE", help="record today's violations in FILE and exit 0"
    )
    _schema_options(audit)

    trace = add(
        "trace",
        _lazy("infra.cli.trace", "cmd_trace"),
        "migration safety: trace each statement's locks, rewrites and scans on a seeded throwaway database",
    )
    trace.add_argument(
        "--start", default=None, help="revision to seed at and trace from (default: empty database)"
    )
    trace.add_argument("--base", help="git ref: trace from its head (the pre-merge use) instead of --start")
    trace.add_argument("--target", default="head", help="revision to upgrade to (default head)")
    trace.add_argument(
        "--rows", type=int, default=1000, help="rows generated per table before the trace (default 1000)"
    )
    trace.add_argument(
        "--models",
        default=None,
        help="with --base: the base ref's models (module:attribute or path.py:attribute, e.g. "
        "schema.models:metadata) to run against the new schema",
    )
    trace.add_argument("--contention", action="store_true", help="also hold an application transaction open")
    trace.add_argument(
        "--hold", type=float, default=5.0, help="seconds the application transaction lasts (default 5)"
    )
    _schema_options(trace)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m infra", description=__doc__)
    parser.add_argument("--version", action="version", version=f"orderflow-infra {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    _files(add("doctor", cli_stack.cmd_doctor, "engine? Compose v2? images? env complete? ports free?"))

    images = add("images", lambda a: 2, "offline images built from Debian packages")
    images_sub = images.add_subparsers(dest="images_command", required=True, metavar="ACTION")
    build = images_sub.add_parser("build", help="build the offline images whose inputs changed")
    build.add_argument("--only", action="append", choices=["postgres", "redis", "minio"])
    build.set_defaults(handler=cli_stack.cmd_images_build)

    env = add("env", lambda a: 2, "the developer's .env")
    env_sub = env.add_subparsers(dest="env_command", required=True, metavar="ACTION")
    init = env_sub.add_parser("init", help="write .env from .env.example with generated credentials")
    init.add_argument("--compose-file")
    init.add_argument("--force", action="store_true", help="overwrite an existing .env")
    init.set_defaults(handler=cli_stack.cmd_env_init)

    _stack_commands(add)

    _schema_commands(add)

    cli_lint.add_arguments(
        add("lint", cli_lint.cmd_lint, "static compose rules on any compose file, no pytest")
    )

    checks = add("checks", cli_checks.cmd_checks, "every check id with its checks and negative cases")
    checks.add_argument("--json", action="store_true")

    summary = add(
        "ci-summary", cli_checks.cmd_ci_summary, "summarise pytest's JUnit XML; fail if nothing ran"
    )
    summary.add_argument("junit")
    summary.add_argument("--markdown", help="also write the summary to this file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    terminate_as_interrupt()  # SIGTERM runs the same cleanup as Ctrl-C
    try:
        return int(args.handler(args))
    except HarnessError as exc:
        print(f"error: {exc.one_line()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        print(f"error: interrupted{f': {exc}' if str(exc) else ''}", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
