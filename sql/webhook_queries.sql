-- Named SQL blocks of the service's receipts and replies (civisms.civicrm.webhooks_db).
-- What civisms keeps besides CiviCRM's own rows: docs/service.md "What the service writes".

-- name: create_receipt
-- Each sent message's last receipt: the gateway's word for where it is, and what CiviCRM
-- rows it moved. status_rank only grows (accepted 0, queued 1, sent 2, final 3).
CREATE TABLE IF NOT EXISTS civisms_receipt (
  provider_id INT UNSIGNED NOT NULL,
  message_id VARCHAR(255) NOT NULL,
  status ENUM('accepted', 'queued', 'sent', 'delivered', 'undelivered', 'failed') NOT NULL,
  status_rank TINYINT NOT NULL,
  provider_status VARCHAR(64) NULL,
  error_code VARCHAR(64) NULL,
  activity_id INT UNSIGNED NULL,
  event_queue_id INT UNSIGNED NULL,
  mailing_id INT UNSIGNED NULL,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (provider_id, message_id),
  KEY civisms_receipt_mailing (mailing_id, status),
  KEY civisms_receipt_unmatched (activity_id, updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin

-- name: create_inbound
-- Replies already recorded, by gateway id: a gateway retrying a webhook writes nothing twice.
CREATE TABLE IF NOT EXISTS civisms_inbound (
  provider_id INT UNSIGNED NOT NULL,
  message_id VARCHAR(255) NOT NULL,
  activity_id INT UNSIGNED NULL,
  received_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (provider_id, message_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin

-- name: create_inbound_part
-- The parts of multipart replies (Vonage ``concat``), until the last one arrives.
CREATE TABLE IF NOT EXISTS civisms_inbound_part (
  provider_id INT UNSIGNED NOT NULL,
  sender VARCHAR(64) NOT NULL,
  concat_ref VARCHAR(64) NOT NULL,
  part TINYINT UNSIGNED NOT NULL,
  total TINYINT UNSIGNED NOT NULL,
  text TEXT NOT NULL,
  message_id VARCHAR(255) NULL,
  received_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (provider_id, sender, concat_ref, part)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin

-- name: add_inbound_part
INSERT IGNORE INTO civisms_inbound_part (provider_id, sender, concat_ref, part, total, text,
                                         message_id)
VALUES (%(provider_id)s, %(sender)s, %(ref)s, %(part)s, %(total)s, %(text)s, %(message_id)s)

-- name: inbound_parts
SELECT part, text, message_id FROM civisms_inbound_part
WHERE provider_id = %(provider_id)s AND sender = %(sender)s AND concat_ref = %(ref)s
ORDER BY part

-- name: index_exists
SELECT COUNT(*) AS n FROM information_schema.statistics
WHERE table_schema = DATABASE() AND table_name = %(table)s AND index_name = %(index)s

-- name: table_exists
SELECT COUNT(*) AS n FROM information_schema.tables
WHERE table_schema = DATABASE() AND table_name = %(table)s

-- name: index_activity_result
-- CiviCRM has no index on civicrm_activity.result; a receipt finds its SMS delivery
-- activity by it, so without one every receipt would read every activity.
CREATE INDEX civisms_activity_result ON civicrm_activity (result)

-- name: index_queue_message
CREATE INDEX civisms_queue_state_message ON civisms_queue_state (provider_message_id)

-- name: lock_receipts
-- Every receipt row of a batch, created (rank -1, a placeholder the batch overwrites) or
-- locked as it is: the batch then decides under these row locks. Keys come sorted, so two
-- batches lock in the same order.
INSERT INTO civisms_receipt (provider_id, message_id, status, status_rank)
VALUES {rows}
ON DUPLICATE KEY UPDATE status_rank = status_rank

-- name: receipts_of
SELECT message_id, status_rank, activity_id, event_queue_id, mailing_id FROM civisms_receipt
WHERE provider_id = %s AND message_id IN ({marks})

-- name: activities_by_result
-- The SMS delivery activity sent with each gateway id (the newest when several).
SELECT a.result, MAX(a.id) AS id FROM civicrm_activity a
WHERE a.result IN ({marks}) AND a.activity_type_id = %s
GROUP BY a.result

-- name: queue_items_by_message
SELECT s.provider_message_id, s.event_queue_id, s.mailing_id FROM civisms_queue_state s
WHERE s.provider_message_id IN ({marks})

-- name: write_receipts
INSERT INTO civisms_receipt (provider_id, message_id, status, status_rank, provider_status,
                             error_code, activity_id, event_queue_id, mailing_id, updated_at)
VALUES {rows}
ON DUPLICATE KEY UPDATE
  status = VALUES(status), status_rank = VALUES(status_rank),
  provider_status = VALUES(provider_status), error_code = VALUES(error_code),
  activity_id = VALUES(activity_id), event_queue_id = VALUES(event_queue_id),
  mailing_id = VALUES(mailing_id), updated_at = VALUES(updated_at)

-- name: move_activities
UPDATE civicrm_activity SET status_id = %s, location = %s WHERE id IN ({ids})

-- name: activity_targets
SELECT activity_id, contact_id FROM civicrm_activity_contact
WHERE activity_id IN ({ids}) AND record_type_id = %s

-- name: insert_bounces
INSERT INTO civicrm_mailing_event_bounce (event_queue_id, bounce_type_id, bounce_reason)
VALUES {rows}

-- name: bounce_type
SELECT id FROM civicrm_mailing_bounce_type WHERE name = %(name)s

-- name: phones_by_numeric
SELECT p.id, p.contact_id, p.phone, p.phone_numeric, p.phone_type_id, p.is_primary,
       p.location_type_id
FROM civicrm_phone p
JOIN civicrm_contact c ON c.id = p.contact_id AND c.is_deleted = 0
WHERE p.phone_numeric IN ({numerics})
ORDER BY p.contact_id, p.id

-- name: location_type
SELECT id FROM civicrm_location_type
WHERE is_active = 1 AND (name = 'Home' OR is_default = 1)
ORDER BY name = 'Home' DESC, id LIMIT 1

-- name: insert_contact
INSERT INTO civicrm_contact (contact_type, display_name, sort_name, hash, created_date,
                             modified_date)
VALUES ('Individual', %(name)s, %(name)s, %(hash)s, NOW(), NOW())

-- name: insert_phone
INSERT INTO civicrm_phone (contact_id, location_type_id, is_primary, phone, phone_numeric,
                           phone_type_id)
VALUES (%(contact_id)s, %(location_type_id)s, 1, %(phone)s, %(numeric)s, %(phone_type_id)s)

-- name: do_not_sms_differs
SELECT id FROM civicrm_contact WHERE id IN ({ids}) AND do_not_sms <> %(value)s

-- name: set_do_not_sms
UPDATE civicrm_contact SET do_not_sms = %(value)s WHERE id IN ({ids})

-- name: inbound_seen
SELECT 1 AS seen FROM civisms_inbound
WHERE provider_id = %(provider_id)s AND message_id = %(message_id)s

-- name: claim_inbound
INSERT IGNORE INTO civisms_inbound (provider_id, message_id)
VALUES (%(provider_id)s, %(message_id)s)

-- name: link_inbound
UPDATE civisms_inbound SET activity_id = %(activity_id)s
WHERE provider_id = %(provider_id)s AND message_id = %(message_id)s

-- name: receipt_counts
-- A mass SMS's messages by their last receipt (the rest await one).
SELECT status, COUNT(*) AS n FROM civisms_receipt WHERE mailing_id = %(id)s GROUP BY status
