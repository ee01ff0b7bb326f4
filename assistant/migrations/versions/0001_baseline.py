"""Baseline: the schema of main when migrations came (commit 0bb75a7, 2026-12-07).

Before this revision the tables were made by SQLAlchemy"s create_all, which creates the tables a
database lacks and never alters one. A database made that way by any earlier main has a subset of
these tables, each as that main defined it, and no alembic_version. Between the first main
(2026-11-23) and this one every change was a new table except one: number_sequences.day grew from
VARCHAR(8) to VARCHAR(16) when work orders came (WOYYYYMMDD). So this revision creates each table
that is missing and widens that column where it is narrow; on an empty database it creates them all.
tests/test_migrations.py upgrades databases made by three old mains and compares them with the models.

Revision ID: 0001
Revises:
Created: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

DAY_WIDTH = 16  # "WO" + YYYYMMDD fits; an application"s YYYYMMDD did in the first main"s VARCHAR(8)


def _missing(table: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(table)


def _widen_sequence_day() -> None:
    """The first main made number_sequences.day VARCHAR(8); a work order's series key is 10 long."""
    day = next(c for c in sa.inspect(op.get_bind()).get_columns("number_sequences") if c["name"] == "day")
    length = getattr(day["type"], "length", None)
    if length is not None and length < DAY_WIDTH:
        with op.batch_alter_table("number_sequences") as table:  # SQLite: copies the table, rows kept
            table.alter_column("day", type_=sa.String(DAY_WIDTH), existing_type=sa.String(length),
                               existing_nullable=False)


def upgrade() -> None:
    if _missing("applications"):
        op.create_table("applications",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("number", sa.String(length=32), nullable=False),
            sa.Column("parent_number", sa.String(length=32), nullable=True),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("subject_id", sa.String(length=64), nullable=False),
            sa.Column("subject_name", sa.Text(), nullable=False),
            sa.Column("dept", sa.Text(), nullable=False),
            sa.Column("session_id", sa.String(length=64), nullable=False),
            sa.Column("form_id", sa.String(length=64), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("expected_date", sa.Date(), nullable=True),
            sa.Column("values_json", sa.JSON(), nullable=False),
            sa.Column("display_json", sa.JSON(), nullable=False),
            sa.Column("deferred_materials", sa.JSON(), nullable=False),
            sa.ForeignKeyConstraint(["parent_number"], ["applications.number"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("form_id", "subject_id", name="uq_application_form_subject"),
            sa.UniqueConstraint("number"))
        op.create_index(op.f("ix_applications_parent_number"), "applications", ["parent_number"])
        op.create_index(op.f("ix_applications_session_id"), "applications", ["session_id"])
    if _missing("audit_events"):
        op.create_table("audit_events",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("actor", sa.Text(), nullable=False),
            sa.Column("action", sa.String(length=32), nullable=False),
            sa.Column("object", sa.String(length=64), nullable=False),
            sa.Column("field", sa.String(length=48), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"))
        op.create_index("ix_audit_events_object", "audit_events", ["object", "id"])
    if _missing("audit_log"):
        op.create_table("audit_log",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("seq", sa.Integer(), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.Column("actor", sa.Text(), nullable=False),
            sa.Column("action", sa.String(length=32), nullable=False),
            sa.Column("object", sa.String(length=96), nullable=False),
            sa.Column("detail", sa.Text(), nullable=False),
            sa.Column("prev_hash", sa.String(length=64), nullable=False),
            sa.Column("hash", sa.String(length=64), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("seq"))
        op.create_index("ix_audit_log_object", "audit_log", ["object", "seq"])
    if _missing("consents"):
        op.create_table("consents",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("session_id", sa.String(length=64), nullable=False),
            sa.Column("subject_id", sa.String(length=64), nullable=False),
            sa.Column("purpose", sa.Text(), nullable=False),
            sa.Column("fields", sa.JSON(), nullable=False),
            sa.Column("granted", sa.Boolean(), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"))
        op.create_index(op.f("ix_consents_session_id"), "consents", ["session_id"])
    if _missing("erasures"):
        op.create_table("erasures",
            sa.Column("number", sa.String(length=32), nullable=False),
            sa.Column("reason", sa.String(length=16), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("number"))
    if _missing("feedback"):
        op.create_table("feedback",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("session_id", sa.String(length=64), nullable=False),
            sa.Column("application_number", sa.String(length=32), nullable=True),
            sa.Column("rating", sa.Integer(), nullable=False),
            sa.Column("comment", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"))
        op.create_index(op.f("ix_feedback_session_id"), "feedback", ["session_id"])
    if _missing("handoffs"):
        op.create_table("handoffs",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("session_id", sa.String(length=64), nullable=False),
            sa.Column("reason", sa.String(length=16), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("taken_at", sa.DateTime(), nullable=True),
            sa.Column("agent", sa.String(length=64), nullable=True),
            sa.Column("work_number", sa.String(length=16), nullable=True),
            sa.Column("ended_at", sa.DateTime(), nullable=True),
            sa.Column("outcome", sa.String(length=16), nullable=True),
            sa.PrimaryKeyConstraint("id"))
        op.create_index(op.f("ix_handoffs_session_id"), "handoffs", ["session_id"])
        op.create_index(op.f("ix_handoffs_status"), "handoffs", ["status"])
    if _missing("kb_edits"):
        op.create_table("kb_edits",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("actor", sa.Text(), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("action", sa.String(length=16), nullable=False),
            sa.Column("service_id", sa.String(length=64), nullable=False),
            sa.Column("value", sa.Text(), nullable=False),
            sa.Column("answer", sa.Text(), nullable=False),
            sa.Column("rolls_back", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(["rolls_back"], ["kb_edits.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("rolls_back"))
    if _missing("login_throttles"):
        op.create_table("login_throttles",
            sa.Column("key_hash", sa.String(length=64), nullable=False),
            sa.Column("name_hash", sa.String(length=64), nullable=False),
            sa.Column("failures", sa.Integer(), nullable=False),
            sa.Column("last_failure_at", sa.DateTime(), nullable=False),
            sa.Column("blocked_until", sa.DateTime(), nullable=True),
            sa.PrimaryKeyConstraint("key_hash"))
        op.create_index(op.f("ix_login_throttles_name_hash"), "login_throttles", ["name_hash"])
    if _missing("number_sequences"):
        op.create_table("number_sequences",
            sa.Column("day", sa.String(length=16), nullable=False),
            sa.Column("last", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("day"))
    if _missing("rate_hits"):
        op.create_table("rate_hits",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("key_hash", sa.String(length=32), nullable=False),
            sa.Column("at", sa.Float(), nullable=False),
            sa.PrimaryKeyConstraint("id"))
        op.create_index("ix_rate_hits_key_at", "rate_hits", ["key_hash", "at"])
    if _missing("rebuild_jobs"):
        op.create_table("rebuild_jobs",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("actor", sa.Text(), nullable=False),
            sa.Column("state", sa.String(length=16), nullable=False),
            sa.Column("stage", sa.Text(), nullable=False),
            sa.Column("progress", sa.Double(), nullable=False),
            sa.Column("kb_version", sa.Integer(), nullable=False),
            sa.Column("started_at", sa.DateTime(), nullable=False),
            sa.Column("finished_at", sa.DateTime(), nullable=True),
            sa.Column("error", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("id"))
    if _missing("sessions"):
        op.create_table("sessions",
            sa.Column("id", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("state_json", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id"))
    if _missing("staff_users"):
        op.create_table("staff_users",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("username", sa.String(length=64), nullable=False),
            sa.Column("password_hash", sa.String(length=255), nullable=False),
            sa.Column("role", sa.String(length=16), nullable=False),
            sa.Column("failed_logins", sa.Integer(), nullable=False),
            sa.Column("locked_until", sa.DateTime(), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("username"))
    if _missing("turn_events"):
        op.create_table("turn_events",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("session_id", sa.String(length=64), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.Column("channel", sa.String(length=16), nullable=False),
            sa.Column("state_before", sa.String(length=16), nullable=False),
            sa.Column("state_after", sa.String(length=16), nullable=False),
            sa.Column("subject_id", sa.String(length=64), nullable=True),
            sa.Column("decision", sa.String(length=16), nullable=True),
            sa.Column("confidence", sa.Float(), nullable=True),
            sa.Column("candidates", sa.JSON(), nullable=False),
            sa.Column("text_masked", sa.Text(), nullable=False),
            sa.Column("reply_masked", sa.Text(), nullable=False),
            sa.Column("latency_ms", sa.Float(), nullable=False),
            sa.Column("application_number", sa.String(length=32), nullable=True),
            sa.PrimaryKeyConstraint("id"))
        op.create_index(op.f("ix_turn_events_at"), "turn_events", ["at"])
        op.create_index(op.f("ix_turn_events_session_id"), "turn_events", ["session_id"])
    if _missing("work_orders"):
        op.create_table("work_orders",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("number", sa.String(length=32), nullable=False),
            sa.Column("type", sa.String(length=16), nullable=False),
            sa.Column("urgency", sa.String(length=16), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("summary", sa.Text(), nullable=False),
            sa.Column("category", sa.Text(), nullable=False),
            sa.Column("dept", sa.Text(), nullable=False),
            sa.Column("subject_id", sa.String(length=64), nullable=True),
            sa.Column("session_id", sa.String(length=64), nullable=True),
            sa.Column("form_id", sa.String(length=64), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("respond_due", sa.DateTime(), nullable=False),
            sa.Column("resolve_due", sa.DateTime(), nullable=False),
            sa.Column("caller_json", sa.JSON(), nullable=False),
            sa.Column("caller_masked", sa.JSON(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("form_id"),
            sa.UniqueConstraint("number"))
        op.create_index(op.f("ix_work_orders_session_id"), "work_orders", ["session_id"])
        op.create_index(op.f("ix_work_orders_status"), "work_orders", ["status"])
    if _missing("applicant_links"):
        op.create_table("applicant_links",
            sa.Column("application_number", sa.String(length=32), nullable=False),
            sa.Column("applicant", sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(["application_number"], ["applications.number"]),
            sa.PrimaryKeyConstraint("application_number"))
        op.create_index(op.f("ix_applicant_links_applicant"), "applicant_links", ["applicant"])
    if _missing("application_events"):
        op.create_table("application_events",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("application_id", sa.Integer(), nullable=False),
            sa.Column("from_status", sa.String(length=16), nullable=True),
            sa.Column("to_status", sa.String(length=16), nullable=False),
            sa.Column("actor", sa.Text(), nullable=False),
            sa.Column("note", sa.Text(), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
            sa.PrimaryKeyConstraint("id"))
        op.create_index("ix_application_events_application", "application_events", ["application_id", "id"])
    if _missing("feedback_followups"):
        op.create_table("feedback_followups",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("feedback_id", sa.Integer(), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("opened_at", sa.DateTime(), nullable=False),
            sa.Column("closed_at", sa.DateTime(), nullable=True),
            sa.Column("closed_by", sa.Text(), nullable=True),
            sa.Column("note", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(["feedback_id"], ["feedback.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("feedback_id"))
        op.create_index(op.f("ix_feedback_followups_status"), "feedback_followups", ["status"])
    if _missing("handoff_messages"):
        op.create_table("handoff_messages",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("handoff_id", sa.Integer(), nullable=False),
            sa.Column("session_id", sa.String(length=64), nullable=False),
            sa.Column("sender", sa.String(length=16), nullable=False),
            sa.Column("work_number", sa.String(length=16), nullable=True),
            sa.Column("text_encrypted", sa.Text(), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"]),
            sa.PrimaryKeyConstraint("id"))
        op.create_index(op.f("ix_handoff_messages_handoff_id"), "handoff_messages", ["handoff_id"])
        op.create_index(op.f("ix_handoff_messages_session_id"), "handoff_messages", ["session_id"])
    if _missing("query_labels"):
        op.create_table("query_labels",
            sa.Column("turn_event_id", sa.Integer(), nullable=False),
            sa.Column("target", sa.String(length=64), nullable=False),
            sa.Column("actor", sa.Text(), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.Column("kb_edit_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(["kb_edit_id"], ["kb_edits.id"]),
            sa.ForeignKeyConstraint(["turn_event_id"], ["turn_events.id"]),
            sa.PrimaryKeyConstraint("turn_event_id"))
    if _missing("staff_account_state"):
        op.create_table("staff_account_state",
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("disabled_at", sa.DateTime(), nullable=True),
            sa.Column("last_login_at", sa.DateTime(), nullable=True),
            sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("user_id"))
    if _missing("staff_sessions"):
        op.create_table("staff_sessions",
            sa.Column("token_digest", sa.String(length=64), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("expires_at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("token_digest"))
    if _missing("staff_work_numbers"):
        op.create_table("staff_work_numbers",
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("work_number", sa.String(length=16), nullable=False),
            sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"]),
            sa.PrimaryKeyConstraint("user_id"),
            sa.UniqueConstraint("work_number"))
    if _missing("work_order_events"):
        op.create_table("work_order_events",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("work_order_id", sa.Integer(), nullable=False),
            sa.Column("from_status", sa.String(length=16), nullable=True),
            sa.Column("to_status", sa.String(length=16), nullable=False),
            sa.Column("dept", sa.Text(), nullable=False),
            sa.Column("actor", sa.Text(), nullable=False),
            sa.Column("note", sa.Text(), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(["work_order_id"], ["work_orders.id"]),
            sa.PrimaryKeyConstraint("id"))
        op.create_index("ix_work_order_events_order", "work_order_events", ["work_order_id", "id"])

    _widen_sequence_day()


def downgrade() -> None:
    for table in DEPENDENTS_FIRST:
        op.drop_table(table)


# Each table before any it refers to: dropping in this order never breaks a foreign key.
DEPENDENTS_FIRST = (
    "work_order_events",
    "staff_work_numbers",
    "staff_sessions",
    "staff_account_state",
    "query_labels",
    "handoff_messages",
    "feedback_followups",
    "application_events",
    "applicant_links",
    "work_orders",
    "turn_events",
    "staff_users",
    "sessions",
    "rebuild_jobs",
    "rate_hits",
    "number_sequences",
    "login_throttles",
    "kb_edits",
    "handoffs",
    "feedback",
    "erasures",
    "consents",
    "audit_log",
    "audit_events",
    "applications",
)
