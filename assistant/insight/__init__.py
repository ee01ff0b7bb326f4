"""What operators learn and change: the dashboard's figures (analytics, analytics_models), ratings
and their follow-ups (feedback, followups), the labelling queue (labelling), knowledge-base
edits and the rebuilds that make them live (kb_edits, rebuild_jobs), and their tables (tables).

May import: storage, common, privacy, cases, dialogue.
"""
