"""The conversation and everything it keeps: dialogue, cases, copilot, privacy, insight, 服务找人, staff.

Sub-packages, from the bottom up (each may import only those listed for it, plus knowledge, intents,
voice and settings; tests/test_import_contract.py checks it):

- storage: may import nothing else in assistant.
- common: may import nothing else in assistant.
- privacy: may import storage.
- cases: may import storage, common, privacy.
- proactive: may import storage, common, privacy, cases.
- copilot: may import storage, common, privacy, cases.
- dialogue: may import storage, common, privacy, cases, proactive.
- insight: may import storage, common, privacy, cases, dialogue.
- staff: may import storage, common, privacy, cases, dialogue, insight.

services.py, at the top, wires every part from settings (build_services) and may import every sub-package;
factory.py builds the Assistant through it.
Data files stay in assistant/data, schema migrations in assistant/migrations.
"""
