"""Known constraint violations, turned into errors that name the field and the value."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError

from schema.slug import SlugTaken

_UNIQUE_DETAIL = re.compile(r"Key \((?P<columns>.+?)\)=\((?P<values>.*)\) already exists")


def translate_integrity_error(exc: IntegrityError) -> Exception | None:
    """A domain error for a violation we know (SlugTaken for uq_org_slug); None for any other."""
    diag = getattr(exc.orig, "diag", None)
    if getattr(diag, "constraint_name", None) == "uq_org_slug":
        found = _UNIQUE_DETAIL.search(getattr(diag, "message_detail", None) or "")
        return SlugTaken(found["values"] if found else None)
    return None
