"""`--models` (the base ref's models for the old-code check) accepts what `--metadata` accepts: a
MetaData, or a declarative Base (anything with `.metadata`), by `path.py:attr` or `module:attr`."""

from __future__ import annotations

import sqlalchemy as sa

from infra.safety.oldcode_child import load

MODELS = """
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass

class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
"""


def test_a_declarative_base_is_accepted(tmp_path):
    (tmp_path / "shop_models.py").write_text(MODELS)
    for spec in ("shop_models.py:Base", "shop_models.py:Base.metadata"):
        metadata = load(tmp_path, spec)
        assert isinstance(metadata, sa.MetaData) and set(metadata.tables) == {"orders"}
