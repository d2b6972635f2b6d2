"""The declarative base shared by every ORM model, with a fixed constraint naming convention so
that migrations are stable across SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table. Models live in ``vendors/`` and ``gateway/``."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
