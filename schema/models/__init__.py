"""SQLAlchemy 2 models. `metadata` is the Alembic target and carries the naming convention."""

from schema.models.base import NAMING_CONVENTION, Base
from schema.models.org import Org

metadata = Base.metadata

__all__ = ["NAMING_CONVENTION", "Base", "Org", "metadata"]
