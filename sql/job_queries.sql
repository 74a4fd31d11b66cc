-- Named SQL blocks of the mass-SMS job (civisms.civicrm.jobstore), read by queries.query().
-- The CiviCRM statements mirror CRM_Mailing_BAO_MailingJob (runJobs_pre / runJobs /
-- runJobs_post) and CRM_Mailing_BAO_SMSJob::deliver (COMPAT.md §3.5-3.8).
-- {name} parts are filled in by Python with placeholders or checked column lists only.

-- name: create_queue_state
-- civisms' own table: the state CiviCRM's tables have no room for (ARCHITECTURE 9).
-- No row = pending; 'sending' is written before the gateway is called.
-- The secondary keys leave out `state`: every row changes state once (sending -> its
-- outcome), and a key holding it would be rewritten in each index at every settle
-- (docs/jobs.md "CPU per message"). What filters on state reads one job's or mailing's rows.
CREATE TABLE IF NOT EXISTS civisms_queue_state (
  event_queue_id INT UNSIGNED NOT NULL PRIMARY KEY,
  mailing_id INT UNSIGNED NOT NULL,
  job_id INT UNSIGNED NOT NULL,
  state ENUM('sending', 'sent', 'failed', 'unknown') NOT NULL,
  worker VARCHAR(128) NULL,
  claimed_at TIMESTAMP NULL DEFAULT NULL,
  provider_message_id VARCHAR(255) NULL,
  error VARCHAR(512) NULL,
  KEY civisms_queue_state_job (job_id),
  KEY civisms_queue_state_mailing (mailing_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci

-- name: queue_state_keys_with_state
-- civisms_queue_state tables made before December 2026 held `state` in their secondary keys.
SELECT COUNT(*) AS n FROM information_schema.statistics
WHERE table_schema = DATABASE() AND table_name = 'civisms_queue_state'
  AND index_name IN ('civisms_queue_state_job', 'civisms_queue_state_mailing')
  AND column_name = 'state'

-- name: queue_state_keys_without_state
-- In place, with writes going on; run once, by the first job run after an upgrade.
ALTER TABLE civisms_queue_state
  DROP INDEX civisms_queue_state_job, ADD INDEX civisms_queue_state_job (job_id),
  DROP INDEX civisms_queue_state_mailing, ADD INDEX civisms_queue_state_mailing (mailing_id),
  ALGORITHM = INPLACE, LOCK = NONE

-- name: create_mailing_pause
-- Why civisms paused a mailing (gateway refused the credentials, no credit ...).
CREATE TABLE IF NOT EXISTS civisms_mailing_pause (
  mailing_id INT UNSIGNED NOT NULL PRIMARY KEY,
  reason VARCHAR(1024) NOT NULL,
  paused_at TIMESTAMP NULL DEFAULT NULL,
  worker VARCHAR(128) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci

-- name: create_mailing_override
-- civisms mailing resume --max-segments N: the mailing may send messages of up to N segments.
CREATE TABLE IF NOT EXISTS civisms_mailing_override (
  mailing_id INT UNSIGNED NOT NULL PRIMARY KEY,
  max_segments INT UNSIGNED NOT NULL,
  set_at TIMESTAMP NULL DEFAULT NULL,
  set_by INT UNSIGNED NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci

-- name: segment_override
SELECT max_segments FROM civisms_mailing_override WHERE mailing_id = %(id)s

-- name: set_segment_override
INSERT INTO civisms_mailing_override (mailing_id, max_segments, set_at, set_by)
VALUES (%(id)s, %(n)s, %(now)s, %(user)s)
ON DUPLICATE KEY UPDATE max_segments = VALUES(max_segments), set_at = VALUES(set_at),
  set_by = VALUES(set_by)

-- name: table_columns
SELECT LOWER(column_name) AS name
FROM information_schema.columns
WHERE table_schema = DATABASE() AND table_name = %(table)s

-- name: mailer_settings
SELECT s.name, s.value
FROM civicrm_setting s
WHERE s.name IN ('mailerJobSize', 'mailerBatchLimit', 'mailerJobsMax', 'civimail_sync_interval',
                 'write_activity_record', 'civimail_server_wide_lock', 'civimail_workflow',
                 'mailThrottleTime')
  AND (s.domain_id = %(domain_id)s OR s.domain_id IS NULL) AND s.contact_id IS NULL
ORDER BY s.domain_id IS NULL

-- name: get_lock
SELECT GET_LOCK(%(name)s, %(timeout)s) AS got

-- name: release_lock
SELECT RELEASE_LOCK(%(name)s) AS released

-- name: due_parents
-- runJobs_pre: parent jobs of SMS mailings due now and never started.
SELECT j.id, j.mailing_id, j.scheduled_date, j.status
FROM civicrm_mailing_job j
JOIN civicrm_mailing m ON m.id = j.mailing_id
WHERE m.domain_id = %(domain_id)s AND m.sms_provider_id IS NOT NULL {approval}
  AND j.is_test = 0 AND j.scheduled_date <= %(now)s AND j.status = 'Scheduled'
  AND j.end_date IS NULL AND (j.job_type IS NULL OR j.job_type <> 'child')
ORDER BY j.scheduled_date, j.start_date

-- name: job
SELECT j.id, j.mailing_id, j.scheduled_date, j.start_date, j.end_date, j.status, j.job_type,
       j.parent_id, j.job_offset, j.job_limit
FROM civicrm_mailing_job j
WHERE j.id = %(id)s

-- name: recipient_count
-- CRM_Mailing_BAO_MailingRecipients::mailingSize: every recipients row, flags not checked.
SELECT COUNT(*) AS n FROM civicrm_mailing_recipients WHERE mailing_id = %(mailing_id)s

-- name: child_count
SELECT COUNT(*) AS n FROM civicrm_mailing_job WHERE parent_id = %(id)s

-- name: insert_child
INSERT INTO civicrm_mailing_job
  (mailing_id, scheduled_date, status, job_type, parent_id, job_offset, job_limit)
VALUES (%(mailing_id)s, %(scheduled_date)s, 'Scheduled', 'child', %(parent_id)s,
        %(job_offset)s, %(job_limit)s)

-- name: start_job
UPDATE civicrm_mailing_job SET status = 'Running', start_date = %(now)s WHERE id = %(id)s

-- name: start_mailing
UPDATE civicrm_mailing SET status = 'Running', start_date = %(now)s WHERE id = %(id)s

-- name: due_children
-- runJobs: child jobs due now, or still Running; plus civisms' reading of a resumed child
-- (Scheduled again with a start_date), which CiviCRM's own query no longer selects.
SELECT j.id, j.mailing_id
FROM civicrm_mailing_job j
JOIN civicrm_mailing m ON m.id = j.mailing_id
WHERE m.domain_id = %(domain_id)s AND m.sms_provider_id IS NOT NULL {approval}
  AND j.is_test = 0 AND j.job_type = 'child'
  AND ((j.status = 'Scheduled' AND j.scheduled_date <= %(now)s)
       OR (j.status = 'Running' AND j.end_date IS NULL))
ORDER BY j.scheduled_date, j.id

-- name: mailing
SELECT m.id, m.name, m.body_text, m.sms_provider_id, m.scheduled_id, m.campaign_id,
       m.domain_id
FROM civicrm_mailing m
WHERE m.id = %(id)s

-- name: lock_mailing_row
SELECT id FROM civicrm_mailing WHERE id = %(id)s FOR UPDATE

-- name: queue_exists
SELECT 1 AS x FROM civicrm_mailing_event_queue WHERE job_id = %(job_id)s LIMIT 1

-- name: recipients_page
-- MailingRecipients::mailingQuery, one page at a time: the flags are checked again now.
SELECT r.id, r.contact_id, r.email_id, r.phone_id
FROM civicrm_mailing_recipients r
JOIN civicrm_contact c ON c.id = r.contact_id AND c.is_deleted = 0 AND c.is_deceased = 0
     AND c.do_not_sms = 0 AND c.is_opt_out = 0
WHERE r.mailing_id = %(mailing_id)s AND r.id > %(after)s
ORDER BY r.id
LIMIT %(skip)s, %(size)s

-- name: insert_queue
INSERT INTO civicrm_mailing_event_queue ({columns}) VALUES {rows}

-- name: stale_sending
-- Rows left 'sending' by a worker that died: whoever holds the job lock now knows no live
-- worker has them in flight (helpers die with their leader), so their fate is unknown.
UPDATE civisms_queue_state
SET state = 'unknown', error = 'the worker stopped while the gateway had it; not resent'
WHERE job_id = %(job_id)s AND state = 'sending'

-- name: candidates
-- Pending rows after a cursor, read without locks; claim_lock then locks what is free.
-- With SMSJob::deliver's join: the phone as stored, and the contact's two flags (read
-- here rather than after the claim: one statement less per claim).
SELECT q.id, q.contact_id, p.phone, c.is_opt_out, c.do_not_sms
FROM civicrm_mailing_event_queue q
LEFT JOIN civisms_queue_state s ON s.event_queue_id = q.id
LEFT JOIN civicrm_mailing_event_delivered d ON d.event_queue_id = q.id
LEFT JOIN civicrm_mailing_event_bounce b ON b.event_queue_id = q.id
LEFT JOIN civicrm_phone p ON p.id = q.phone_id
LEFT JOIN civicrm_contact c ON c.id = p.contact_id
WHERE q.job_id = %(job_id)s AND q.id > %(after)s
  AND s.event_queue_id IS NULL AND d.id IS NULL AND b.id IS NULL
ORDER BY q.id
LIMIT %(size)s

-- name: claim_lock
-- Only the queue rows are locked (MariaDB has no FOR UPDATE OF): SKIP LOCKED leaves rows
-- another worker is claiming to that worker. {ids}: queries.id_ranges of q.id.
SELECT q.id FROM civicrm_mailing_event_queue q WHERE {ids}
ORDER BY q.id
FOR UPDATE SKIP LOCKED

-- name: already_claimed
-- Re-read after taking the row locks (a plain read: it waits for no one): rows another
-- worker claimed after `candidates` read them. Delivered and bounce rows need no look of
-- their own: civisms writes them only with a state row, and CiviCRM's own job only under
-- the child's lock, which the claimer's leader holds (docs/jobs.md "Never twice").
SELECT s.event_queue_id AS id FROM civisms_queue_state s WHERE {ids}

-- name: insert_claims
INSERT INTO civisms_queue_state (event_queue_id, mailing_id, job_id, state, worker, claimed_at)
VALUES {rows}

-- name: settle_states
INSERT INTO civisms_queue_state
  (event_queue_id, mailing_id, job_id, state, worker, claimed_at, provider_message_id, error)
VALUES {rows}
ON DUPLICATE KEY UPDATE state = VALUES(state),
  provider_message_id = VALUES(provider_message_id), error = VALUES(error)

-- name: release_claims
DELETE FROM civisms_queue_state WHERE event_queue_id IN ({ids}) AND state = 'sending'

-- name: insert_delivered
INSERT INTO civicrm_mailing_event_delivered (event_queue_id, time_stamp) VALUES {rows}

-- name: insert_bounces
INSERT INTO civicrm_mailing_event_bounce (event_queue_id, bounce_type_id, bounce_reason, time_stamp)
VALUES {rows}

-- name: bounce_types
SELECT id, name FROM civicrm_mailing_bounce_type

-- name: mass_sms_activity
-- writeToDB finds the one Mass SMS activity of a mailing again by type and mailing id.
SELECT a.id FROM civicrm_activity a
WHERE a.activity_type_id = %(type)s AND a.source_record_id = %(mailing_id)s
ORDER BY a.id
LIMIT 1

-- name: job_status
SELECT status FROM civicrm_mailing_job WHERE id = %(id)s

-- name: pending_or_sending
-- What keeps a child open: rows nobody settled yet, or rows in flight.
SELECT
  (SELECT COUNT(*) FROM civicrm_mailing_event_queue q
     LEFT JOIN civisms_queue_state s ON s.event_queue_id = q.id
     LEFT JOIN civicrm_mailing_event_delivered d ON d.event_queue_id = q.id
     LEFT JOIN civicrm_mailing_event_bounce b ON b.event_queue_id = q.id
   WHERE q.job_id = %(job_id)s AND s.event_queue_id IS NULL AND d.id IS NULL AND b.id IS NULL
  ) AS pending,
  (SELECT COUNT(*) FROM civisms_queue_state s
   WHERE s.job_id = %(job_id)s AND s.state = 'sending') AS sending

-- name: complete_job
UPDATE civicrm_mailing_job SET status = 'Complete', end_date = %(now)s WHERE id = %(id)s

-- name: running_parents
-- runJobs_post, for SMS mailings only: civisms never completes an e-mail mailing.
SELECT j.id, j.mailing_id
FROM civicrm_mailing_job j
JOIN civicrm_mailing m ON m.id = j.mailing_id
WHERE m.domain_id = %(domain_id)s AND m.sms_provider_id IS NOT NULL
  AND j.status = 'Running' AND j.end_date IS NULL AND j.scheduled_date <= %(now)s
  AND j.is_test = 0 AND (j.job_type IS NULL OR j.job_type <> 'child')

-- name: open_children
SELECT COUNT(*) AS n FROM civicrm_mailing_job
WHERE parent_id = %(id)s AND (status IS NULL OR status <> 'Complete')

-- name: complete_mailing
UPDATE civicrm_mailing SET is_completed = 1 {extra} WHERE id = %(id)s

-- name: pause_jobs
-- CRM_Mailing_BAO_MailingJob::pause: every job of the mailing, and the mailing.
UPDATE civicrm_mailing_job SET status = 'Paused'
WHERE mailing_id = %(id)s AND is_test = 0 AND status IN ('Scheduled', 'Running')

-- name: pause_mailing
UPDATE civicrm_mailing SET status = 'Paused' WHERE id = %(id)s

-- name: record_pause
INSERT INTO civisms_mailing_pause (mailing_id, reason, paused_at, worker)
VALUES (%(id)s, %(reason)s, %(now)s, %(worker)s)
ON DUPLICATE KEY UPDATE reason = VALUES(reason), paused_at = VALUES(paused_at),
  worker = VALUES(worker)

-- name: unknown_by_job
SELECT s.job_id, s.mailing_id, COUNT(*) AS n
FROM civisms_queue_state s
WHERE s.state = 'unknown' AND (%(mailing_id)s IS NULL OR s.mailing_id = %(mailing_id)s)
GROUP BY s.job_id, s.mailing_id
ORDER BY s.job_id

-- name: forget_unknown
-- "resend": the row becomes pending again and is claimed like any other.
DELETE FROM civisms_queue_state WHERE job_id = %(job_id)s AND state = 'unknown'

-- name: fail_unknown
UPDATE civisms_queue_state
SET state = 'failed', error = 'outcome unknown; settled as failed by the operator'
WHERE job_id = %(job_id)s AND state = 'unknown'

-- name: unstarted_children
-- After a pass: child jobs not yet started, per mailing (what the next passes send).
SELECT j.mailing_id, MIN(j.job_offset) AS first_offset, MIN(j.scheduled_date) AS next_at,
       (SELECT COUNT(*) FROM civicrm_mailing_recipients r WHERE r.mailing_id = j.mailing_id)
         AS recipients
FROM civicrm_mailing_job j
JOIN civicrm_mailing m ON m.id = j.mailing_id
WHERE m.domain_id = %(domain_id)s AND m.sms_provider_id IS NOT NULL
  AND j.is_test = 0 AND j.job_type = 'child' AND j.status = 'Scheduled'
  AND j.start_date IS NULL AND (%(mailing_id)s IS NULL OR j.mailing_id = %(mailing_id)s)
GROUP BY j.mailing_id

-- name: pending_in_running
-- After a pass: queue rows of Running children not yet claimed, delivered or bounced.
SELECT COUNT(*) AS n
FROM civicrm_mailing_job j
JOIN civicrm_mailing_event_queue q ON q.job_id = j.id
LEFT JOIN civisms_queue_state s ON s.event_queue_id = q.id
LEFT JOIN civicrm_mailing_event_delivered d ON d.event_queue_id = q.id
LEFT JOIN civicrm_mailing_event_bounce b ON b.event_queue_id = q.id
WHERE j.is_test = 0 AND j.job_type = 'child' AND j.status = 'Running' AND j.end_date IS NULL
  AND (%(mailing_id)s IS NULL OR j.mailing_id = %(mailing_id)s)
  AND s.event_queue_id IS NULL AND d.id IS NULL AND b.id IS NULL
