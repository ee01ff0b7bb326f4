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
	day VARCHAR(8) NOT NULL, 
	last INTEGER NOT NULL, 
	PRIMARY KEY (day)
);

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
