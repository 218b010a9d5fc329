"""The one masking function (issue 15 item 4, issue 18 "masking garbles reports"): whole values in
value positions, SQL and DSN passwords by their shape, names left readable."""

from __future__ import annotations

import json

import pytest

from infra.masking import MASK, NameLike, mask, mask_dsn, mask_sql_secrets, secret_values


def test_a_password_equal_to_the_project_name_leaves_names_readable():
    secrets = secret_values({"POSTGRES_PASSWORD": "myproj"}, names=["myproj"])
    assert secrets == ["myproj"] and isinstance(secrets[0], NameLike)
    text = "service myproj-db went unhealthy; network myproj_default; project myproj"
    assert mask(text, secrets) == text
    assert mask("services[db].mem_limit: invalid size: 'myproj'", secrets).endswith(f"'{MASK}'")


def test_a_password_postgres_does_not_blank_every_postgres():
    env = {"POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": "postgres"}
    secrets = secret_values(env)
    text = "image postgres:16 for service postgres, volume postgres-data"
    assert mask(text, secrets) == text
    assert mask("PGPASSWORD=postgres", secrets) == f"PGPASSWORD={MASK}"
    assert mask("postgresql://postgres:postgres@db/app", secrets) == f"postgresql://postgres:{MASK}@db/app"


def test_a_secret_is_masked_as_a_whole_value_not_inside_a_name():
    secret = "hunter2xyz"
    assert mask(f"invalid size: '{secret}'", [secret]) == f"invalid size: '{MASK}'"
    assert mask(f"Invalid hostPort: {secret}", [secret]) == f"Invalid hostPort: {MASK}"
    assert mask(f"x={secret}.", [secret]) == f"x={MASK}."
    assert mask(f"container {secret}-1", [secret]) == f"container {secret}-1"  # a name made from it


def test_a_secret_json_escaped_is_masked_too():
    secret = 'pa"ss\\word'
    doc = json.dumps({"cause": f"bad value {secret} here"})
    assert "ss" not in mask(doc, [secret])


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("CREATE ROLE app LOGIN PASSWORD 's3cr3t'", f"CREATE ROLE app LOGIN PASSWORD '{MASK}'"),
        ("ALTER ROLE a WITH ENCRYPTED PASSWORD 'it''s'", f"ALTER ROLE a WITH ENCRYPTED PASSWORD '{MASK}'"),
        ("alter user app password E'x\\'y'", f"alter user app password E'{MASK}'"),
        ("CREATE ROLE a PASSWORD $pw$dollar$pw$ LOGIN", f"CREATE ROLE a PASSWORD '{MASK}' LOGIN"),
    ],
)
def test_sql_password_literals(sql, expected):
    assert mask_sql_secrets(sql) == expected
    assert mask(sql, []) == expected


@pytest.mark.parametrize(
    ("dsn", "expected"),
    [
        ("postgresql://u:p%40ss@h:5432/d", f"postgresql://u:{MASK}@h:5432/d"),
        (
            "postgresql+psycopg://u:pw@h/d?sslmode=require",
            f"postgresql+psycopg://u:{MASK}@h/d?sslmode=require",
        ),
        ("postgresql://u@h/d?password=pw&sslmode=x", f"postgresql://u@h/d?password={MASK}&sslmode=x"),
        ("host=h user=u password=pw dbname=d", f"host=h user=u password={MASK} dbname=d"),
        ("host=h password='p w' dbname=d", f"host=h password={MASK} dbname=d"),
    ],
)
def test_dsn_passwords_wherever_they_sit(dsn, expected):
    assert mask_dsn(dsn) == expected
    assert mask(f"cannot connect to {dsn}", []) == f"cannot connect to {expected}"


def test_references_and_names_of_variables_are_not_masked():
    text = "expected: POSTGRES_PASSWORD=${POSTGRES_PASSWORD:?set it}; password=${DB_PASSWORD}"
    assert mask(text, []) == text


def test_the_shells_working_directory_is_not_a_secret():
    """`PWD` looks like a password name, but masking it would blank every path of the checkout."""
    env = {"PWD": "/home/me/orderflow", "OLDPWD": "/home/me", "DB_PWD": "s3cr3t-value"}
    assert secret_values(env) == ["s3cr3t-value"]
