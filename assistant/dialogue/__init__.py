"""The conversation: the Assistant every door goes through (engine), the dialogue policy (policy) and
its steps (form_dialogue, filling, submission, reports, handoff, on_behalf, offers), the state of
a conversation and its store (session, session_store, states, events, turn, conversation_lock),
understanding a message (understanding, commands), what the steps need (context) and the log of
every turn (turn_log).

May import: storage, common, privacy, cases, proactive.
"""
