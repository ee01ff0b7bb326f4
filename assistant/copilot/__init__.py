"""The helpline copilot: from a call's transcript, what an agent needs on screen (suggestions), with
the service's cards (cards), the reply to read out (script), the call's summary and points
(summary, call_points), the caller's details (caller_details), the department (dispatch), the
order type (order_type), the policy passages (passages) and its data file (config).

May import: storage, common, privacy, cases.
"""
