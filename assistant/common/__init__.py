"""What every part of the assistant shares, with no state and no database: the wording read from
assistant/data (messages), what a service's form asks (forms), answers about the service at hand
(guide_answers), the clock the books stamp with (clock) and the one type of transition table that
the dialogue's states and the books' statuses use (transitions).

May import: nothing else in assistant.
"""
