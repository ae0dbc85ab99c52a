"""Accounts, browser sessions, API tokens and sign-in attempts (tài khoản, phiên, mã truy cập).

Tables are declared on ``chiso.store.models.Base``; the schema is created by the
Alembic migration of the same subject (0006). Secrets are never stored: a session id and
an API token are kept as their SHA-256, a password as its argon2 hash.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from chiso.store.orm import Base, UTCDateTime, one_of, utcnow

ACCOUNT_ROLES = ("admin", "leader", "head", "officer", "viewer")
TOKEN_SCOPES = ("read", "read write", "read ingest")


class Account(Base):
    """A local account: one person, one role, one unit (đơn vị) of one province."""

    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint(one_of("role", ACCOUNT_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    province_code: Mapped[str] = mapped_column(String(32), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))  # reminders by e-mail; None = none
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(128))


class WebSession(Base):
    """A browser session; ``id`` is the SHA-256 of the random cookie value."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    csrf_secret: Mapped[str] = mapped_column(String(64))
    client_address: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """An API token: ``prefix`` is shown to the user, only the SHA-256 of the secret is kept."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint(one_of("scope", TOKEN_SCOPES), name="scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(128))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(128))


class SignInAttempt(Base):
    """One sign-in attempt, kept for throttling (chống dò mật khẩu)."""

    __tablename__ = "signin_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(128), index=True)
    client_address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    success: Mapped[bool] = mapped_column(Boolean)
