CREATE TABLE sessions (
	id VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, 
	state_json TEXT NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE consents (
	id INTEGER NOT NULL, 
	session_id VARCHAR(64) NOT NULL, 
	subject_id VARCHAR(64) NOT NULL, 
	purpose TEXT NOT NULL, 
	fields JSON NOT NULL, 
	granted BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_consents_session_id ON consents (session_id);

CREATE TABLE applications (
	id INTEGER NOT NULL, 
	number VARCHAR(32) NOT NULL, 
	parent_number VARCHAR(32), 
	kind VARCHAR(16) NOT NULL, 
	subject_id VARCHAR(64) NOT NULL, 
	subject_name TEXT NOT NULL, 
	dept TEXT NOT NULL, 
	session_id VARCHAR(64) NOT NULL, 
	form_id VARCHAR(64) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, 
	expected_date DATE, 
	values_json JSON NOT NULL, 
	display_json JSON NOT NULL, 
	deferred_materials JSON NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_application_form_subject UNIQUE (form_id, subject_id), 
	UNIQUE (number), 
	FOREIGN KEY(parent_number) REFERENCES applications (number)
);

CREATE INDEX ix_applications_session_id ON applications (session_id);

CREATE INDEX ix_applications_parent_number ON applications (parent_number);

CREATE TABLE number_sequences (
	day VARCHAR(16) NOT NULL, 
	last INTEGER NOT NULL, 
	PRIMARY KEY (day)
);

CREATE TABLE work_orders (
	id INTEGER NOT NULL, 
	number VARCHAR(32) NOT NULL, 
	type VARCHAR(16) NOT NULL, 
	urgency VARCHAR(16) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	summary TEXT NOT NULL, 
	category TEXT NOT NULL, 
	dept TEXT NOT NULL, 
	subject_id VARCHAR(64), 
	session_id VARCHAR(64), 
	form_id VARCHAR(64), 
	created_at DATETIME NOT NULL, 
	respond_due DATETIME NOT NULL, 
	resolve_due DATETIME NOT NULL, 
	caller_json JSON NOT NULL, 
	caller_masked JSON NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (number), 
	UNIQUE (form_id)
);

CREATE INDEX ix_work_orders_status ON work_orders (status);

CREATE INDEX ix_work_orders_session_id ON work_orders (session_id);

CREATE TABLE audit_events (
	id INTEGER NOT NULL, 
	actor TEXT NOT NULL, 
	action VARCHAR(32) NOT NULL, 
	object VARCHAR(64) NOT NULL, 
	field VARCHAR(48) NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_audit_events_object ON audit_events (object, id);

CREATE TABLE audit_log (
	id INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	actor TEXT NOT NULL, 
	action VARCHAR(32) NOT NULL, 
	object VARCHAR(96) NOT NULL, 
	detail TEXT NOT NULL, 
	prev_hash VARCHAR(64) NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (seq)
);

CREATE INDEX ix_audit_log_object ON audit_log (object, seq);

CREATE TABLE erasures (
	number VARCHAR(32) NOT NULL, 
	reason VARCHAR(16) NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (number)
);

CREATE TABLE feedback (
	id INTEGER NOT NULL, 
	session_id VARCHAR(64) NOT NULL, 
	application_number VARCHAR(32), 
	rating INTEGER NOT NULL, 
	comment TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_feedback_session_id ON feedback (session_id);

CREATE TABLE staff_users (
	id INTEGER NOT NULL, 
	username VARCHAR(64) NOT NULL, 
	password_hash VARCHAR(255) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	failed_logins INTEGER NOT NULL, 
	locked_until DATETIME, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (username)
);

CREATE TABLE login_throttles (
	key_hash VARCHAR(64) NOT NULL, 
	name_hash VARCHAR(64) NOT NULL, 
	failures INTEGER NOT NULL, 
	last_failure_at DATETIME NOT NULL, 
	blocked_until DATETIME, 
	PRIMARY KEY (key_hash)
);

CREATE INDEX ix_login_throttles_name_hash ON login_throttles (name_hash);

CREATE TABLE turn_events (
	id INTEGER NOT NULL, 
	session_id VARCHAR(64) NOT NULL, 
	at DATETIME NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	state_before VARCHAR(16) NOT NULL, 
	state_after VARCHAR(16) NOT NULL, 
	subject_id VARCHAR(64), 
	decision VARCHAR(16), 
	confidence FLOAT, 
	candidates JSON NOT NULL, 
	text_masked TEXT NOT NULL, 
	reply_masked TEXT NOT NULL, 
	latency_ms FLOAT NOT NULL, 
	application_number VARCHAR(32), 
	PRIMARY KEY (id)
);

CREATE INDEX ix_turn_events_session_id ON turn_events (session_id);

CREATE INDEX ix_turn_events_at ON turn_events (at);

CREATE TABLE kb_edits (
	id INTEGER NOT NULL, 
	actor TEXT NOT NULL, 
	at DATETIME NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	action VARCHAR(16) NOT NULL, 
	service_id VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	answer TEXT NOT NULL, 
	rolls_back INTEGER, 
	PRIMARY KEY (id), 
	UNIQUE (rolls_back), 
	FOREIGN KEY(rolls_back) REFERENCES kb_edits (id)
);

CREATE TABLE rebuild_jobs (
	id INTEGER NOT NULL, 
	actor TEXT NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	stage TEXT NOT NULL, 
	progress DOUBLE NOT NULL, 
	kb_version INTEGER NOT NULL, 
	started_at DATETIME NOT NULL, 
	finished_at DATETIME, 
	error TEXT, 
	PRIMARY KEY (id)
);

CREATE TABLE rate_hits (
	id INTEGER NOT NULL, 
	key_hash VARCHAR(32) NOT NULL, 
	at FLOAT NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_rate_hits_key_at ON rate_hits (key_hash, at);

CREATE TABLE handoffs (
	id INTEGER NOT NULL, 
	session_id VARCHAR(64) NOT NULL, 
	reason VARCHAR(16) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, 
	taken_at DATETIME, 
	agent VARCHAR(64), 
	work_number VARCHAR(16), 
	ended_at DATETIME, 
	outcome VARCHAR(16), 
	PRIMARY KEY (id)
);

CREATE INDEX ix_handoffs_status ON handoffs (status);

CREATE INDEX ix_handoffs_session_id ON handoffs (session_id);

CREATE TABLE application_events (
	id INTEGER NOT NULL, 
	application_id INTEGER NOT NULL, 
	from_status VARCHAR(16), 
	to_status VARCHAR(16) NOT NULL, 
	actor TEXT NOT NULL, 
	note TEXT NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(application_id) REFERENCES applications (id)
);

CREATE INDEX ix_application_events_application ON application_events (application_id, id);

CREATE TABLE work_order_events (
	id INTEGER NOT NULL, 
	work_order_id INTEGER NOT NULL, 
	from_status VARCHAR(16), 
	to_status VARCHAR(16) NOT NULL, 
	dept TEXT NOT NULL, 
	actor TEXT NOT NULL, 
	note TEXT NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(work_order_id) REFERENCES work_orders (id)
);

CREATE INDEX ix_work_order_events_order ON work_order_events (work_order_id, id);

CREATE TABLE staff_account_state (
	user_id INTEGER NOT NULL, 
	disabled_at DATETIME, 
	last_login_at DATETIME, 
	PRIMARY KEY (user_id), 
	FOREIGN KEY(user_id) REFERENCES staff_users (id) ON DELETE CASCADE
);

CREATE TABLE staff_sessions (
	token_digest VARCHAR(64) NOT NULL, 
	user_id INTEGER NOT NULL, 
	expires_at DATETIME NOT NULL, 
	PRIMARY KEY (token_digest), 
	FOREIGN KEY(user_id) REFERENCES staff_users (id) ON DELETE CASCADE
);

CREATE TABLE query_labels (
	turn_event_id INTEGER NOT NULL, 
	target VARCHAR(64) NOT NULL, 
	actor TEXT NOT NULL, 
	at DATETIME NOT NULL, 
	kb_edit_id INTEGER, 
	PRIMARY KEY (turn_event_id), 
	FOREIGN KEY(turn_event_id) REFERENCES turn_events (id), 
	FOREIGN KEY(kb_edit_id) REFERENCES kb_edits (id)
);

CREATE TABLE feedback_followups (
	id INTEGER NOT NULL, 
	feedback_id INTEGER NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	opened_at DATETIME NOT NULL, 
	closed_at DATETIME, 
	closed_by TEXT, 
	note TEXT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (feedback_id), 
	FOREIGN KEY(feedback_id) REFERENCES feedback (id)
);

CREATE INDEX ix_feedback_followups_status ON feedback_followups (status);

CREATE TABLE applicant_links (
	application_number VARCHAR(32) NOT NULL, 
	applicant VARCHAR(64) NOT NULL, 
	PRIMARY KEY (application_number), 
	FOREIGN KEY(application_number) REFERENCES applications (number)
);

CREATE INDEX ix_applicant_links_applicant ON applicant_links (applicant);

CREATE TABLE handoff_messages (
	id INTEGER NOT NULL, 
	handoff_id INTEGER NOT NULL, 
	session_id VARCHAR(64) NOT NULL, 
	sender VARCHAR(16) NOT NULL, 
	work_number VARCHAR(16), 
	text_encrypted TEXT NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(handoff_id) REFERENCES handoffs (id)
);

CREATE INDEX ix_handoff_messages_handoff_id ON handoff_messages (handoff_id);

CREATE INDEX ix_handoff_messages_session_id ON handoff_messages (session_id);

CREATE TABLE staff_work_numbers (
	user_id INTEGER NOT NULL, 
	work_number VARCHAR(16) NOT NULL, 
	PRIMARY KEY (user_id), 
	FOREIGN KEY(user_id) REFERENCES staff_users (id), 
	UNIQUE (work_number)
);
