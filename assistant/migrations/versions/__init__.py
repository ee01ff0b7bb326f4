"""One module per revision; Alembic reads them by file name (this file it skips)."""
