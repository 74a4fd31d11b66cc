-- Named queries of the mass SMS (mailing) store, db backend. Same conventions as
-- queries.sql: "-- name: <name>" blocks, pyformat parameters, "{ids}" / "{columns}" /
-- "{rows}" filled by Python with placeholders or validated column names only.

-- ===================================================================== site facts

-- name: table_columns
SELECT column_name AS name
FROM information_schema.columns
WHERE table_schema = DATABASE() AND table_name = %(table)s

-- name: table_exists
SELECT COUNT(*) AS n
FROM information_schema.tables
WHERE table_schema = DATABASE() AND table_name = %(table)s

-- name: settings
-- Domain settings first, then global ones; values are PHP-serialized.
SELECT s.name, s.value
FROM civicrm_setting s
WHERE s.name IN ({ids}) AND s.contact_id IS NULL
  AND (s.domain_id = %s OR s.domain_id IS NULL)
ORDER BY s.domain_id IS NULL

-- name: default_components
-- CRM_Mailing_PseudoConstant::defaultComponent: the active default of each type.
SELECT mc.component_type, MIN(mc.id) AS id
FROM civicrm_mailing_component mc
WHERE mc.is_active = 1 AND mc.is_default = 1
GROUP BY mc.component_type

-- name: site_from_address
-- 6.x: civicrm_site_email_address (the default of the domain).
SELECT a.display_name AS name, a.email
FROM civicrm_site_email_address a
WHERE a.domain_id = %(domain_id)s AND a.is_active = 1 AND a.is_default = 1
ORDER BY a.id
LIMIT 1

-- name: option_from_address
-- 5.x: option group from_email_address, label '"Name" <email>'.
SELECT ov.label
FROM civicrm_option_value ov
JOIN civicrm_option_group og ON og.id = ov.option_group_id
WHERE og.name = 'from_email_address' AND ov.is_default = 1 AND ov.is_active = 1
  AND (ov.domain_id = %(domain_id)s OR ov.domain_id IS NULL)
ORDER BY ov.id
LIMIT 1

-- ===================================================================== mailing rows

-- name: insert_mailing
INSERT INTO civicrm_mailing ({columns}) VALUES ({ids})

-- name: update_mailing
UPDATE civicrm_mailing SET {columns} WHERE id = %(id)s

-- name: mailing
SELECT m.*,
       (SELECT j.status FROM civicrm_mailing_job j
         WHERE j.mailing_id = m.id AND j.is_test = 0 AND j.parent_id IS NULL
         ORDER BY j.id LIMIT 1) AS job_status,
       (SELECT COUNT(*) FROM civicrm_mailing_recipients r WHERE r.mailing_id = m.id)
         AS recipient_count
FROM civicrm_mailing m
WHERE m.id = %(id)s

-- name: lock_mailing
-- The mailing row locked until the transaction ends, with how many jobs it has: a draft has
-- none (read under the lock, so a job committed meanwhile is seen).
SELECT m.*,
       (SELECT COUNT(*) FROM civicrm_mailing_job j WHERE j.mailing_id = m.id AND j.is_test = 0)
         AS jobs
FROM civicrm_mailing m
WHERE m.id = %(id)s
FOR UPDATE

-- name: list_mailings
-- SMS mailings only (CiviCRM's "Is SMS": sms_provider_id IS NOT NULL), newest first.
-- job_status is the parent job's, as CRM_Mailing_Selector_Browse shows it.
SELECT m.id, m.name, m.sms_provider_id, m.created_date, m.scheduled_date, m.scheduled_id,
       m.is_completed,
       (SELECT j.status FROM civicrm_mailing_job j
         WHERE j.mailing_id = m.id AND j.is_test = 0 AND j.parent_id IS NULL
         ORDER BY j.id LIMIT 1) AS job_status,
       (SELECT COUNT(*) FROM civicrm_mailing_recipients r WHERE r.mailing_id = m.id)
         AS recipient_count
FROM civicrm_mailing m
WHERE m.sms_provider_id IS NOT NULL AND (m.domain_id = %(domain_id)s OR m.domain_id IS NULL)
ORDER BY m.id DESC

-- name: mailing_groups
SELECT mg.group_type, mg.entity_table, mg.entity_id
FROM civicrm_mailing_group mg
WHERE mg.mailing_id = %(id)s
ORDER BY mg.id

-- name: delete_mailing_groups
DELETE FROM civicrm_mailing_group WHERE mailing_id = %(id)s

-- name: insert_mailing_groups
INSERT INTO civicrm_mailing_group (mailing_id, group_type, entity_table, entity_id)
VALUES {rows}

-- name: completed_sms_mailings
SELECT m.id FROM civicrm_mailing m WHERE m.id IN ({ids}) AND m.sms_provider_id IS NOT NULL

-- ===================================================================== scheduling

-- name: parent_job
SELECT j.id, j.status
FROM civicrm_mailing_job j
WHERE j.mailing_id = %(id)s AND j.is_test = 0 AND (j.job_type IS NULL OR j.job_type <> 'child')
ORDER BY j.id
LIMIT 1

-- name: insert_parent_job
-- CRM_Mailing_BAO_Mailing::doSubmitActions: the parent job (job_type NULL, offsets 0).
INSERT INTO civicrm_mailing_job (mailing_id, scheduled_date, status, is_test)
VALUES (%(id)s, %(scheduled_date)s, 'Scheduled', 0)

-- name: cancel_parent_job
UPDATE civicrm_mailing_job SET status = 'Canceled', end_date = %(now)s WHERE id = %(job_id)s

-- name: cancel_child_jobs
-- CRM_Mailing_BAO_MailingJob::cancel
UPDATE civicrm_mailing_job
SET status = 'Canceled', end_date = %(now)s
WHERE parent_id = %(job_id)s AND is_test = 0 AND job_type = 'child'
  AND status IN ('Scheduled', 'Running', 'Paused')

-- name: pause_jobs
-- CRM_Mailing_BAO_MailingJob::pause
UPDATE civicrm_mailing_job
SET status = 'Paused'
WHERE mailing_id = %(id)s AND is_test = 0 AND status IN ('Scheduled', 'Running')

-- name: resume_unstarted_jobs
-- CRM_Mailing_BAO_MailingJob::resume, first statement
UPDATE civicrm_mailing_job
SET status = 'Scheduled'
WHERE mailing_id = %(id)s AND is_test = 0 AND start_date IS NULL AND status = 'Paused'

-- name: resume_started_jobs
-- CRM_Mailing_BAO_MailingJob::resume, second statement
UPDATE civicrm_mailing_job
SET status = 'Running'
WHERE mailing_id = %(id)s AND is_test = 0 AND start_date IS NOT NULL AND status = 'Paused'

-- ===================================================================== status counts

-- name: queue_counts
-- The mailing's live queue items, and how many have a delivered row, or a bounce and no
-- delivered row. Test jobs are left out. Each item asks the two event tables through
-- their event_queue_id index: a DISTINCT over the whole delivered table (every
-- mailing's, email ones too) took 30 s for an 845,000-item mailing.
SELECT COUNT(*) AS queued,
       SUM(EXISTS (SELECT 1 FROM civicrm_mailing_event_delivered d
                   WHERE d.event_queue_id = q.id)) AS delivered,
       SUM(NOT EXISTS (SELECT 1 FROM civicrm_mailing_event_delivered d
                       WHERE d.event_queue_id = q.id)
           AND EXISTS (SELECT 1 FROM civicrm_mailing_event_bounce b
                       WHERE b.event_queue_id = q.id)) AS bounced
FROM civicrm_mailing_event_queue q
JOIN civicrm_mailing_job j ON j.id = q.job_id AND j.is_test = 0
WHERE j.mailing_id = %(id)s

-- name: bounce_reasons
SELECT COALESCE(b.bounce_reason, '') AS reason, COUNT(DISTINCT b.event_queue_id) AS n
FROM civicrm_mailing_event_bounce b
JOIN civicrm_mailing_event_queue q ON q.id = b.event_queue_id
JOIN civicrm_mailing_job j ON j.id = q.job_id AND j.is_test = 0
WHERE j.mailing_id = %(id)s
GROUP BY reason
ORDER BY n DESC

-- name: civisms_states
-- The job runner's own state per queue item (civisms_queue_state), for items CiviCRM's
-- tables do not settle: no delivered and no bounce row.
SELECT s.state, COALESCE(s.error, '') AS error, COUNT(*) AS n
FROM civisms_queue_state s
JOIN civicrm_mailing_event_queue q ON q.id = s.event_queue_id
JOIN civicrm_mailing_job j ON j.id = q.job_id AND j.is_test = 0
LEFT JOIN civicrm_mailing_event_delivered d ON d.event_queue_id = q.id
LEFT JOIN civicrm_mailing_event_bounce b ON b.event_queue_id = q.id
WHERE j.mailing_id = %(id)s AND d.id IS NULL AND b.id IS NULL
GROUP BY s.state, error

-- name: recipient_rows
SELECT r.contact_id, r.phone_id
FROM civicrm_mailing_recipients r
WHERE r.mailing_id = %(id)s
ORDER BY r.id

-- ===================================================================== recipients
-- CRM_Mailing_BAO_Mailing::getRecipients in SMS mode (COMPAT §3.3), set-based, in
-- temporary tables of one connection per range of contact ids (%(lo)s .. %(hi)s), so a
-- large site's ranges are worked out side by side. The tables are MEMORY with hash keys:
-- a million contacts are joined by scanning each CiviCRM table once and probing the hash,
-- which is several times faster than a million B-tree look-ups (COMPAT §3.3 "temporary
-- tables in memory" is CiviCRM's own choice too).
--
-- Which mobile: CiviCRM REPLACEs rows ordered by is_primary, so the primary mobile wins;
-- among non-primary ones civisms takes the lowest phone id ("choice" below: primary
-- first, then phone id; the smallest wins, whatever order the rows come in). A contact
-- named by an include group gets that choice; one named only by a prior mailing keeps
-- that mailing's row, as CiviCRM's INSERT IGNORE / REPLACE order gives.

-- name: mr_drop
DROP TEMPORARY TABLE IF EXISTS civisms_mr_excl, civisms_mr_cand, civisms_mr_out, civisms_mr_incl,
  civisms_mr_old, civisms_mr_removed

-- name: mr_memory
-- Four tables of up to a million small rows need more than the 16 MB default.
SET SESSION max_heap_table_size = 1073741824

-- name: mr_create_excl
CREATE TEMPORARY TABLE civisms_mr_excl (
  contact_id INT UNSIGNED NOT NULL, PRIMARY KEY USING HASH (contact_id)) ENGINE=MEMORY

-- name: mr_create_cand
CREATE TEMPORARY TABLE civisms_mr_cand (
  contact_id INT UNSIGNED NOT NULL, PRIMARY KEY USING HASH (contact_id)) ENGINE=MEMORY

-- name: mr_create_out
-- Candidates left out by CiviCRM's rules, and why.
CREATE TEMPORARY TABLE civisms_mr_out (
  contact_id INT UNSIGNED NOT NULL, reason VARCHAR(16) NOT NULL,
  PRIMARY KEY USING HASH (contact_id)) ENGINE=MEMORY

-- name: mr_create_removed
-- Contacts Removed from an include smart or parent group, per group.
CREATE TEMPORARY TABLE civisms_mr_removed (
  group_id INT UNSIGNED NOT NULL, contact_id INT UNSIGNED NOT NULL,
  PRIMARY KEY USING HASH (group_id, contact_id)) ENGINE=MEMORY

-- name: mr_create_incl
-- B-tree key: the rows are read back in pages, in contact order.
CREATE TEMPORARY TABLE civisms_mr_incl (
  contact_id INT UNSIGNED NOT NULL, phone_id INT UNSIGNED NULL,
  choice BIGINT UNSIGNED NOT NULL, phone VARCHAR(32) NULL,
  PRIMARY KEY USING BTREE (contact_id)) ENGINE=MEMORY

-- name: mr_smart_groups
-- The literal test of getRecipients (saved_search_id != 0 OR ... IS NOT NULL OR children).
SELECT g.id
FROM civicrm_group g
WHERE g.id IN ({ids})
  AND (g.saved_search_id != 0 OR g.saved_search_id IS NOT NULL OR g.children IS NOT NULL)

-- name: mr_contact_span
SELECT MIN(c.id) AS lo, MAX(c.id) AS hi FROM civicrm_contact c

-- name: mr_binlog
-- READ COMMITTED (see mr_read_committed) is refused with statement-based binary logs.
SELECT @@log_bin AS log_bin, @@binlog_format AS binlog_format

-- name: mr_lock
-- One computation per mailing at a time: two would both insert the missing rows.
SELECT GET_LOCK(%(name)s, %(wait)s) AS got

-- name: mr_unlock
SELECT RELEASE_LOCK(%(name)s) AS released

-- name: mr_exclude_groups
INSERT IGNORE INTO civisms_mr_excl (contact_id)
SELECT gc.contact_id FROM civicrm_group_contact gc
WHERE gc.status = 'Added' AND gc.group_id IN ({ids})
  AND gc.contact_id BETWEEN %(lo)s AND %(hi)s

-- name: mr_exclude_smart
INSERT IGNORE INTO civisms_mr_excl (contact_id)
SELECT gcc.contact_id FROM civicrm_group_contact_cache gcc
WHERE gcc.group_id IN ({ids}) AND gcc.contact_id BETWEEN %(lo)s AND %(hi)s

-- name: mr_exclude_mailings
-- {by_mailing}: the mailing_id index, named where the site has it. The optimizer would
-- scan the whole table, every mailing's rows (tens of millions on a large site), once
-- the mailings read are a good part of it; their own rows, inserted together, sit side
-- by side in the table, so the look-ups through the index are cheap.
INSERT IGNORE INTO civisms_mr_excl (contact_id)
SELECT r.contact_id FROM civicrm_mailing_recipients r {by_mailing}
WHERE r.mailing_id IN ({ids}) AND r.contact_id BETWEEN %(lo)s AND %(hi)s

-- name: mr_exclude_base
INSERT IGNORE INTO civisms_mr_excl (contact_id)
SELECT gc.contact_id FROM civicrm_group_contact gc
WHERE gc.status = 'Removed' AND gc.group_id IN ({ids})
  AND gc.contact_id BETWEEN %(lo)s AND %(hi)s

-- name: mr_candidates_static
-- Everyone an include group names, before any criterion (static membership of every
-- include group, smart ones too, as getRecipients' first query).
INSERT IGNORE INTO civisms_mr_cand (contact_id)
SELECT gc.contact_id FROM civicrm_group_contact gc
WHERE gc.status = 'Added' AND gc.group_id IN ({ids})
  AND gc.contact_id BETWEEN %(lo)s AND %(hi)s

-- name: mr_removed_smart
-- The few contacts Removed from these smart or parent groups, through the group's own
-- static rows: the cache of a large smart group then needs no look-up per member.
INSERT IGNORE INTO civisms_mr_removed (group_id, contact_id)
SELECT gc.group_id, gc.contact_id FROM civicrm_group_contact gc
WHERE gc.status = 'Removed' AND gc.group_id IN ({ids})
  AND gc.contact_id BETWEEN %(lo)s AND %(hi)s

-- name: mr_candidates_smart
-- Smart and parent groups through the cache, less contacts Removed from that group
-- (mr_removed_smart first).
INSERT IGNORE INTO civisms_mr_cand (contact_id)
SELECT gcc.contact_id
FROM civicrm_group_contact_cache gcc
LEFT JOIN civisms_mr_removed r ON r.group_id = gcc.group_id AND r.contact_id = gcc.contact_id
WHERE gcc.group_id IN ({ids}) AND r.contact_id IS NULL
  AND gcc.contact_id BETWEEN %(lo)s AND %(hi)s

-- name: mr_out_excluded
-- Candidates that an Exclude group or mailing or a Base group leaves out.
INSERT IGNORE INTO civisms_mr_out (contact_id, reason)
SELECT STRAIGHT_JOIN x.contact_id, 'excluded'
FROM civisms_mr_excl x
JOIN civisms_mr_cand k ON k.contact_id = x.contact_id

-- name: mr_out_contacts
-- Candidates CiviCRM's contact criteria for mass SMS leave out, first reason first.
-- {tables} sets the order: when the candidates are many of the range's contacts, the
-- contacts are scanned and only those failing the criteria (a few %) are looked up among
-- the candidates; when they are few (a small group on a large site), each candidate's
-- contact row is looked up instead of scanning every contact.
INSERT IGNORE INTO civisms_mr_out (contact_id, reason)
SELECT STRAIGHT_JOIN c.id,
       CASE WHEN c.is_deleted = 1 THEN 'deleted'
            WHEN c.is_deceased = 1 THEN 'deceased'
            WHEN c.do_not_sms = 1 THEN 'do_not_sms'
            WHEN c.is_opt_out = 1 THEN 'opt_out'
            ELSE 'no_mobile' END
FROM {tables} ON k.contact_id = c.id
WHERE c.id BETWEEN %(lo)s AND %(hi)s
  AND (c.is_deleted = 0 AND c.is_opt_out = 0 AND c.is_deceased <> 1 AND c.do_not_sms = 0)
      IS NOT TRUE

-- name: mr_drop_out
-- What is left in civisms_mr_cand is eligible (or not on the site: see mr_civicrm_skips).
DELETE k FROM civisms_mr_cand k JOIN civisms_mr_out o ON o.contact_id = k.contact_id

-- name: mr_include_groups
-- One mobile per eligible contact (civisms_mr_cand, once mr_drop_out ran): the smallest
-- choice wins (see above).
INSERT INTO civisms_mr_incl (contact_id, phone_id, choice, phone)
SELECT p.contact_id, p.id, (IF(p.is_primary = 1, 0, 1) << 32) | p.id, p.phone
FROM civicrm_phone p
JOIN civisms_mr_cand k ON k.contact_id = p.contact_id
WHERE p.contact_id BETWEEN %(lo)s AND %(hi)s
  AND p.phone_type_id = %(mobile)s AND p.phone IS NOT NULL AND p.phone != ''
ON DUPLICATE KEY UPDATE
  civisms_mr_incl.phone = IF(VALUES(choice) < civisms_mr_incl.choice,
                             VALUES(phone), civisms_mr_incl.phone),
  civisms_mr_incl.phone_id = IF(VALUES(choice) < civisms_mr_incl.choice,
                                VALUES(phone_id), civisms_mr_incl.phone_id),
  civisms_mr_incl.choice = LEAST(civisms_mr_incl.choice, VALUES(choice))

-- name: mr_include_mailings
-- Prior mailings' recipients, criteria NOT re-applied (CiviCRM applies them at queue
-- time); a contact's first row wins; contacts the groups already gave keep that row.
INSERT IGNORE INTO civisms_mr_incl (contact_id, phone_id, choice, phone)
SELECT r.contact_id, r.phone_id, 0, p.phone
FROM civicrm_mailing_recipients r {by_mailing}
LEFT JOIN civicrm_phone p ON p.id = r.phone_id
LEFT JOIN civisms_mr_excl x ON x.contact_id = r.contact_id
WHERE r.mailing_id IN ({ids}) AND r.contact_id BETWEEN %(lo)s AND %(hi)s
  AND x.contact_id IS NULL
ORDER BY r.contact_id, r.id

-- name: mr_candidates_mailings
-- After mr_eligible: these contacts are candidates for the reasons only.
INSERT IGNORE INTO civisms_mr_cand (contact_id)
SELECT r.contact_id FROM civicrm_mailing_recipients r {by_mailing}
WHERE r.mailing_id IN ({ids}) AND r.contact_id BETWEEN %(lo)s AND %(hi)s

-- name: mr_civicrm_skips_out
-- Why CiviCRM leaves a candidate out: the reasons found on the way (mr_out_*)...
SELECT o.contact_id, o.reason
FROM civisms_mr_out o
LEFT JOIN civisms_mr_incl i ON i.contact_id = o.contact_id
WHERE i.contact_id IS NULL

-- name: mr_civicrm_skips
-- ... and for the other candidates with no row: the contact criteria were met (failing
-- ones are in civisms_mr_out), so an Exclude mailing, no contact, or no mobile. Whether
-- the contact exists is asked of index_is_deceased ({deceased}) where the site has it: the
-- criteria left is_deceased 0 on nearly all of them, and that small index stays in the
-- buffer pool, where the contact rows of a large site, read one here one there, do not.
SELECT k.contact_id,
       CASE WHEN x.contact_id IS NOT NULL THEN 'excluded'
            WHEN EXISTS (SELECT 1 FROM civicrm_contact c {deceased}
                         WHERE c.is_deceased = 0 AND c.id = k.contact_id) THEN 'no_mobile'
            WHEN NOT EXISTS (SELECT 1 FROM civicrm_contact c WHERE c.id = k.contact_id)
              THEN 'not_found'
            ELSE 'no_mobile' END AS reason
FROM civisms_mr_cand k
LEFT JOIN civisms_mr_incl i ON i.contact_id = k.contact_id
LEFT JOIN civisms_mr_out o ON o.contact_id = k.contact_id
LEFT JOIN civisms_mr_excl x ON x.contact_id = k.contact_id
WHERE i.contact_id IS NULL AND o.contact_id IS NULL

-- name: mr_indexes
SELECT DISTINCT s.table_name AS table_name, s.index_name AS index_name
FROM information_schema.statistics s
WHERE s.table_schema = DATABASE() AND s.index_name IN ({ids})

-- name: mr_read_committed
-- For the next transaction only. The rules' INSERT ... SELECT then read CiviCRM's tables
-- as consistent reads: in REPEATABLE READ InnoDB share-locks every row they read, so a
-- user saving a contact would wait for them, and a range reading a prior mailing's rows
-- would wait for another range's uncommitted rows until the lock wait timeout. And ranges
-- written side by side do not block each other on gap locks of the shared mailing_id
-- index (each deletes and inserts its own rows).
SET TRANSACTION ISOLATION LEVEL READ COMMITTED

-- name: mr_fk_checks_off
-- Every row inserted below was just read from civicrm_contact / civicrm_phone: the four
-- foreign-key look-ups per row would only repeat that.
SET SESSION foreign_key_checks = 0

-- name: mr_fk_checks_on
SET SESSION foreign_key_checks = 1

-- name: mr_any_rows
SELECT 1 AS x FROM civicrm_mailing_recipients r WHERE r.mailing_id = %(mailing_id)s LIMIT 1

-- name: mr_create_old
-- The snapshot being replaced (this range of it), to compare by hash instead of a
-- B-tree look-up per row.
CREATE TEMPORARY TABLE civisms_mr_old (
  id INT UNSIGNED NOT NULL, contact_id INT UNSIGNED NOT NULL, phone_id INT UNSIGNED NULL,
  email_id INT UNSIGNED NULL, PRIMARY KEY USING HASH (id), KEY USING HASH (contact_id))
  ENGINE=MEMORY

-- name: mr_load_old
INSERT INTO civisms_mr_old (id, contact_id, phone_id, email_id)
SELECT r.id, r.contact_id, r.phone_id, r.email_id
FROM civicrm_mailing_recipients r {by_mailing}
WHERE r.mailing_id = %(mailing_id)s AND r.contact_id BETWEEN %(lo)s AND %(hi)s

-- name: mr_stale_rows
-- Rows of the old snapshot that the new one does not have (CiviCRM deletes all and
-- inserts all; keeping the unchanged rows gives the same set, much faster).
SELECT o.id
FROM civisms_mr_old o
LEFT JOIN civisms_mr_incl i ON i.contact_id = o.contact_id AND i.phone_id <=> o.phone_id
WHERE i.contact_id IS NULL OR o.email_id IS NOT NULL

-- name: mr_page
-- The next page of chosen rows, in contact order, for the number checks.
SELECT i.contact_id, i.phone
FROM civisms_mr_incl i
WHERE i.contact_id > %(after)s
ORDER BY i.contact_id
LIMIT {limit}

-- name: mr_insert_page
-- Step 6 of getRecipients for that page: ordered by contact, email_id NULL; {skip}
-- leaves out the contacts whose numbers civisms will not text.
INSERT INTO civicrm_mailing_recipients (mailing_id, contact_id, phone_id)
SELECT %(mailing_id)s, i.contact_id, i.phone_id
FROM civisms_mr_incl i
WHERE i.contact_id > %(after)s AND i.contact_id <= %(last)s {absent} {skip}
ORDER BY i.contact_id

-- name: mr_absent
-- Only rows the old snapshot lacks.
AND NOT EXISTS (SELECT 1 FROM civisms_mr_old o
                WHERE o.contact_id = i.contact_id AND o.phone_id <=> i.phone_id
                  AND o.email_id IS NULL)

-- name: mr_old_rows_of
-- Rows of the old snapshot for contacts civisms now leaves out.
SELECT o.id FROM civisms_mr_old o WHERE o.contact_id IN ({ids})

-- name: mr_contact_rows
-- Through the contact index: the mailing index would walk the whole snapshot per chunk.
SELECT r.id FROM civicrm_mailing_recipients r
  FORCE INDEX (FK_civicrm_mailing_recipients_contact_id)
WHERE r.contact_id IN ({ids}) AND r.mailing_id = %(mailing_id)s

-- name: mr_delete_rows
-- By primary key: only these rows are locked.
DELETE FROM civicrm_mailing_recipients WHERE id IN ({ids})

-- name: mr_delete_recipients
DELETE FROM civicrm_mailing_recipients WHERE mailing_id = %(mailing_id)s

-- name: pause_reason
-- Why civisms paused a mailing (written by the job runner: job_queries.sql record_pause).
SELECT reason, paused_at FROM civisms_mailing_pause WHERE mailing_id = %(id)s
