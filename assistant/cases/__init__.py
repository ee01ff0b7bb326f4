"""The books: applications and 12345 work orders with their numbers, status tables and due dates
(applications, application_status, workorders, workorder_status, workorder_due, numbers,
working_days), what the two books do alike (case_book: idempotent create, locked status change), who
may see a case (case_access), the handoff queue (handoff_queue) and how long a closed case's personal
values are kept (retention), and the books' own tables (tables).

May import: storage, common, privacy.
"""
