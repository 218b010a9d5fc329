"""SQLAlchemy 1.4-style models (declarative_base from sqlalchemy.ext.declarative)."""

import sqlalchemy as sa
from sqlalchemy.ext.declarative import declarative_base

Base = declarative_base()


class Org(Base):
    __tablename__ = "org"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(50), nullable=False)
    seats = sa.Column(sa.Integer, nullable=True)
