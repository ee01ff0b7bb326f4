"""Personal data: field encryption (crypto), masking for screens and logs (masking, with the names and
addresses found in free text: free_text_pii, free_text_addresses, name_tagger), the audit log
(audit), conversation tokens (session_keys), a citizen's own data and its erasure (personal_data)
and key rotation (key_rotation); the audit and erasure tables (tables).

May import: storage.
"""
