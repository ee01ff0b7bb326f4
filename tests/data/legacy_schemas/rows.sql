INSERT INTO sessions (id, created_at, updated_at, version, state_json) VALUES ('s-legacy-1', '2026-11-20 09:00:00', '2026-11-20 09:05:00', 3, '{"state": "idle"}');

INSERT INTO consents (id, session_id, subject_id, purpose, fields, granted, created_at) VALUES (1, 's-legacy-1', 'hukou_transfer', '办理户口迁移', '["name", "id_number"]', TRUE, '2026-11-20 09:03:00');

INSERT INTO applications (id, number, parent_number, kind, subject_id, subject_name, dept, session_id, form_id, status, created_at, expected_date, values_json, display_json, deferred_materials) VALUES (1, 'GA20261120-000001', NULL, 'service', 'hukou_transfer', '户口迁移', '公安局', 's-legacy-1', 'form-1', 'submitted', '2026-11-20 09:04:00', '2026-12-04', '{}', '{"姓名": "张*"}', '[]');

INSERT INTO application_events (id, application_id, from_status, to_status, actor, note, at) VALUES (1, 1, NULL, 'submitted', 'citizen', '', '2026-11-20 09:04:00');

INSERT INTO number_sequences (day, last) VALUES ('20261120', 1);
