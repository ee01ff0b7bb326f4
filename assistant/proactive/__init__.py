"""服务找人: which person each application was for (applicant_links), what usually follows an
application (next_services, cooccurrence), the facts a conversation tells (facts) and the
policies they match (policy_match), each suggestion with its reason (recommendation).

May import: storage, common, privacy, cases.
"""
