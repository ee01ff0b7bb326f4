"""Staff: accounts, passwords and sessions (accounts), the 工号 a citizen sees (work_numbers) and what
an agent does with a handoff (handoff_desk), and the staff tables (tables).

May import: storage, common, privacy, cases, dialogue, insight.
"""
