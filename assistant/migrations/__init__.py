"""The schema's history as Alembic revisions (versions/), run from code by assistant/storage/schema.py.

There is no alembic.ini: `assistant.storage.schema.alembic_config` builds the configuration, so an installed
copy finds these scripts wherever it lives. New revisions: docs/deploy.md, "Changing the schema".
"""
