-- Named SQL blocks of the one-off sending journal (civisms.sending.journal), read by
-- queries.query(). MySQL/MariaDB in the CiviCRM database (db backend); the same statements
-- run on SQLite for the api4 backend ({lock} is empty there: SQLite has one writer).
-- No CiviCRM table is read or written here: the recorder writes CiviCRM's activities.

-- name: create_send
-- One row per `civisms send`: what its `SMS` activity says, and that activity's id.
CREATE TABLE IF NOT EXISTS civisms_send (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  body TEXT NOT NULL,
  provider_id INT UNSIGNED NOT NULL,
  source_contact_id INT UNSIGNED NOT NULL,
  campaign_id INT UNSIGNED NULL,
  activity_id INT UNSIGNED NULL,
  created_at DATETIME NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci

-- name: create_outbox
-- One row per message. send_id NULL: a message submitted on its own (civisms.sending.outbox
-- submit, the service's /v1/messages). 'sending' is written before the gateway is called.
CREATE TABLE IF NOT EXISTS civisms_outbox (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  send_id INT UNSIGNED NULL,
  provider_id INT UNSIGNED NOT NULL,
  source_contact_id INT UNSIGNED NOT NULL,
  contact_id INT UNSIGNED NOT NULL,
  phone VARCHAR(64) NOT NULL,
  body TEXT NOT NULL,
  segments INT UNSIGNED NOT NULL,
  state ENUM('pending', 'sending', 'sent', 'failed', 'unknown') NOT NULL DEFAULT 'pending',
  worker VARCHAR(128) NULL,
  claimed_at DATETIME NULL,
  gateway_id VARCHAR(255) NULL,
  error VARCHAR(512) NULL,
  activity_id INT UNSIGNED NULL,
  created_at DATETIME NOT NULL,
  KEY civisms_outbox_send (send_id, state, id),
  KEY civisms_outbox_gateway (gateway_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci

-- name: create_send_sqlite
CREATE TABLE IF NOT EXISTS civisms_send (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  body TEXT NOT NULL,
  provider_id INTEGER NOT NULL,
  source_contact_id INTEGER NOT NULL,
  campaign_id INTEGER NULL,
  activity_id INTEGER NULL,
  created_at TEXT NOT NULL
)

-- name: create_outbox_sqlite
CREATE TABLE IF NOT EXISTS civisms_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  send_id INTEGER NULL,
  provider_id INTEGER NOT NULL,
  source_contact_id INTEGER NOT NULL,
  contact_id INTEGER NOT NULL,
  phone TEXT NOT NULL,
  body TEXT NOT NULL,
  segments INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unknown')),
  worker TEXT NULL,
  claimed_at TEXT NULL,
  gateway_id TEXT NULL,
  error TEXT NULL,
  activity_id INTEGER NULL,
  created_at TEXT NOT NULL
)

-- name: index_outbox_sqlite
CREATE INDEX IF NOT EXISTS civisms_outbox_send ON civisms_outbox (send_id, state, id)

-- name: insert_send
INSERT INTO civisms_send (name, body, provider_id, source_contact_id, campaign_id, created_at)
VALUES (%(name)s, %(body)s, %(provider_id)s, %(source_contact_id)s, %(campaign_id)s, %(now)s)

-- name: insert_messages
INSERT INTO civisms_outbox
  (send_id, provider_id, source_contact_id, contact_id, phone, body, segments, created_at)
VALUES {rows}

-- name: set_send_activity
UPDATE civisms_send SET activity_id = %(activity_id)s WHERE id = %(id)s

-- name: send
SELECT id, name, body, provider_id, source_contact_id, campaign_id, activity_id, created_at
FROM civisms_send WHERE id = %(id)s

-- name: sends
SELECT s.id, s.name, s.created_at, s.activity_id,
       SUM(CASE WHEN o.state = 'pending' THEN 1 ELSE 0 END) AS pending,
       SUM(CASE WHEN o.state = 'sending' THEN 1 ELSE 0 END) AS sending,
       SUM(CASE WHEN o.state = 'sent' THEN 1 ELSE 0 END) AS sent,
       SUM(CASE WHEN o.state = 'failed' THEN 1 ELSE 0 END) AS failed,
       SUM(CASE WHEN o.state = 'unknown' THEN 1 ELSE 0 END) AS unknown
FROM civisms_send s
LEFT JOIN civisms_outbox o ON o.send_id = s.id
GROUP BY s.id, s.name, s.created_at, s.activity_id
ORDER BY s.id DESC
LIMIT %(limit)s

-- name: counts
SELECT state, COUNT(*) AS n FROM civisms_outbox WHERE send_id = %(send_id)s GROUP BY state

-- name: counts_alone
SELECT state, COUNT(*) AS n FROM civisms_outbox WHERE send_id IS NULL GROUP BY state

-- name: candidates
-- Pending rows of a send (or of the messages submitted alone), locked for this claim;
-- rows another worker is claiming are skipped.
SELECT id FROM civisms_outbox
WHERE {send} AND state = 'pending'
ORDER BY id
LIMIT %(size)s {lock}

-- name: mark_sending
UPDATE civisms_outbox SET state = 'sending', worker = %(worker)s, claimed_at = %(now)s
WHERE id IN ({ids}) AND state = 'pending'

-- name: claimed
SELECT id, send_id, provider_id, source_contact_id, contact_id, phone, body, segments
FROM civisms_outbox WHERE id IN ({ids}) AND state = 'sending' AND worker = %(worker)s
ORDER BY id

-- name: settle
UPDATE civisms_outbox
SET state = %(state)s, gateway_id = %(gateway_id)s, error = %(error)s,
    activity_id = %(activity_id)s
WHERE id = %(id)s AND state = 'sending'

-- name: release
UPDATE civisms_outbox SET state = 'pending', worker = NULL, claimed_at = NULL
WHERE id IN ({ids}) AND state = 'sending'

-- name: stale
-- Rows left 'sending' by a run that died: the gateway may have them. Never pending again.
UPDATE civisms_outbox
SET state = 'unknown', error = 'the sender stopped while this message was with the gateway'
WHERE {send} AND state = 'sending'

-- name: forget_unknown
UPDATE civisms_outbox SET state = 'pending', worker = NULL, claimed_at = NULL, error = NULL
WHERE {send} AND state = 'unknown'

-- name: fail_unknown
UPDATE civisms_outbox SET state = 'failed'
WHERE {send} AND state = 'unknown'

-- name: messages
SELECT id, send_id, contact_id, phone, segments, state, gateway_id, error, activity_id
FROM civisms_outbox WHERE {send} ORDER BY id

-- name: message
SELECT id, send_id, provider_id, source_contact_id, contact_id, phone, segments, state,
       gateway_id, error, activity_id, created_at
FROM civisms_outbox WHERE id = %(id)s

-- name: pending_providers
SELECT DISTINCT provider_id FROM civisms_outbox WHERE send_id IS NULL AND state = 'pending'
