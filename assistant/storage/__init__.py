"""The database: the engine and session factory from a URL (db), the stored tables (records),
the schema's revision and its Alembic upgrade (schema, schema_state; the scripts are in
assistant/migrations), and hit counting shared by every worker (hit_counter).

May import: nothing else in assistant.
"""
