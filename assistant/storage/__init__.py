"""The database: the engine and session factory from a URL (db), the declarative base and the one
metadata with every table on it (base; each package defines its own tables in its tables.py), storage's
own table and the tables that privacy sweeps (tables, personal_tables), the schema's revision and its
Alembic upgrade (schema, schema_state; the scripts are in assistant/migrations), and hit counting
shared by every worker (hit_counter).

May import: nothing else in assistant.
"""
