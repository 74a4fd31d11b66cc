-- Named queries of the db backend. Each block starts with "-- name: <name>" and runs
-- with MySQLdb's pyformat parameters (%(name)s). "{ids}" and "{columns}" are filled by
-- queries.py with placeholders / validated column names only, never with values.

-- name: option_values
-- Option name, value and label of one option group; active values first so a site's
-- replacement of a reserved value wins over an inactive duplicate.
SELECT ov.name, ov.value, ov.label
FROM civicrm_option_value ov
JOIN civicrm_option_group og ON og.id = ov.option_group_id
WHERE og.name = %(group)s
ORDER BY ov.is_active DESC, ov.id DESC

-- name: domain
SELECT d.id, d.name, d.description, d.version, d.contact_id,
       (SELECT e.email FROM civicrm_email e
         WHERE e.contact_id = d.contact_id ORDER BY e.is_primary DESC, e.id LIMIT 1) AS email,
       (SELECT p.phone FROM civicrm_phone p
         WHERE p.contact_id = d.contact_id ORDER BY p.is_primary DESC, p.id LIMIT 1) AS phone
FROM civicrm_domain d
WHERE d.id = %(domain_id)s

-- name: contact_columns
SELECT column_name AS name
FROM information_schema.columns
WHERE table_schema = DATABASE() AND table_name = 'civicrm_contact'

-- name: contacts_by_ids
SELECT {columns}
FROM civicrm_contact c
WHERE c.id IN ({ids})
ORDER BY c.id

-- name: phones_by_contacts
SELECT p.id, p.contact_id, p.phone, p.phone_numeric, p.phone_type_id, p.is_primary,
       p.location_type_id
FROM civicrm_phone p
WHERE p.contact_id IN ({ids})
ORDER BY p.contact_id, p.is_primary DESC, p.id

-- name: primary_emails
SELECT e.contact_id, e.email
FROM civicrm_email e
WHERE e.contact_id IN ({ids})
ORDER BY e.contact_id, e.is_primary DESC, e.id

-- name: group_members
-- Static members (status Added) plus the cache that smart and parent groups fill,
-- less anyone explicitly Removed from the group (CiviCRM's own membership rule).
SELECT gc.contact_id
FROM civicrm_group_contact gc
WHERE gc.group_id = %(group_id)s AND gc.status = 'Added'
UNION
SELECT gcc.contact_id
FROM civicrm_group_contact_cache gcc
WHERE gcc.group_id = %(group_id)s
  AND NOT EXISTS (
    SELECT 1 FROM civicrm_group_contact r
    WHERE r.group_id = gcc.group_id AND r.contact_id = gcc.contact_id AND r.status = 'Removed'
  )
ORDER BY contact_id

-- name: find_contacts
SELECT DISTINCT c.id
FROM civicrm_contact c
LEFT JOIN civicrm_email e ON e.contact_id = c.id
WHERE c.is_deleted = 0 AND (e.email = %(text)s OR c.display_name = %(text)s)
ORDER BY c.id

-- name: groups
SELECT g.id, g.name, g.title, g.is_active, g.saved_search_id, g.group_type, g.parents
FROM civicrm_group g
ORDER BY g.title

-- name: sms_templates
SELECT t.id, t.msg_title, t.msg_text, t.is_active
FROM civicrm_msg_template t
WHERE t.is_sms = 1 AND t.workflow_name IS NULL AND t.workflow_id IS NULL
  AND (t.is_active = 1 OR %(include_inactive)s)
ORDER BY t.msg_title, t.id

-- name: sms_template
SELECT t.id, t.msg_title, t.msg_text, t.is_active
FROM civicrm_msg_template t
WHERE t.id = %(id)s AND t.is_sms = 1

-- name: insert_sms_template
-- As CiviCRM's "Save As New Template": is_default keeps the column default (1).
INSERT INTO civicrm_msg_template (msg_title, msg_text, is_active, is_sms)
VALUES (%(title)s, %(text)s, 1, 1)

-- name: update_sms_template
UPDATE civicrm_msg_template
SET msg_text = %(text)s, is_active = 1, is_sms = 1
WHERE id = %(id)s AND is_sms = 1

-- name: sms_providers
SELECT p.id, p.name, p.title, p.username, p.password, p.api_type, p.api_url, p.api_params,
       p.is_default, p.is_active, p.domain_id
FROM civicrm_sms_provider p
WHERE (p.domain_id = %(domain_id)s OR p.domain_id IS NULL)
  AND (p.is_active = 1 OR %(include_inactive)s)
ORDER BY p.is_default DESC, p.id

-- name: campaigns
SELECT c.id, c.name, c.title FROM civicrm_campaign c ORDER BY c.id

-- name: autoinc_lock_mode
SELECT @@innodb_autoinc_lock_mode AS mode

-- name: insert_activities
-- One row per activity; created/modified dates take the column defaults, as CiviCRM's.
INSERT INTO civicrm_activity
  (activity_type_id, subject, activity_date_time, details, status_id, priority_id, result,
   location, campaign_id, source_record_id, parent_id, phone_number)
VALUES {rows}

-- name: insert_activity_contacts
-- The job runner's: a recipient deleted from CiviCRM while its message was in flight must
-- not stop the recording of what went out (the row is dropped, the activity kept).
INSERT IGNORE INTO civicrm_activity_contact (activity_id, contact_id, record_type_id)
VALUES {rows}

-- name: insert_log
-- CRM_Activity_BAO_Activity::logActivityAction: one Change Log row per activity created.
INSERT INTO civicrm_log (entity_table, entity_id, data, modified_id, modified_date)
VALUES {rows}

-- name: insert_activity_contacts_checked
-- A row already there is kept (the unique key); a contact that does not exist is an error
-- (INSERT IGNORE would drop the row silently, leaving an activity without its source).
INSERT INTO civicrm_activity_contact (activity_id, contact_id, record_type_id)
VALUES {rows}
ON DUPLICATE KEY UPDATE contact_id = VALUES(contact_id)

-- name: last_insert_id
SELECT LAST_INSERT_ID() AS id

-- name: enabled_components
SELECT s.value
FROM civicrm_setting s
WHERE s.name = 'enable_components' AND (s.domain_id = %(domain_id)s OR s.domain_id IS NULL)
ORDER BY s.domain_id IS NULL
LIMIT 1

-- name: active_jobs
SELECT j.api_entity, j.api_action
FROM civicrm_job j
WHERE j.is_active = 1 AND j.domain_id = %(domain_id)s

-- name: extension_table
SELECT COUNT(*) AS n
FROM information_schema.tables
WHERE table_schema = DATABASE() AND table_name = 'civicrm_extension'

-- name: extension
SELECT e.is_active
FROM civicrm_extension e
WHERE e.full_name = %(key)s

-- name: insert_sms_provider
-- As CiviCRM's SmsProvider BAO: a new row belongs to the current domain.
INSERT INTO civicrm_sms_provider (name, title, username, password, api_type, api_url,
                                  api_params, is_default, is_active, domain_id)
VALUES (%(name)s, %(title)s, %(username)s, %(password)s, %(api_type)s, %(api_url)s,
        %(api_params)s, %(is_default)s, %(is_active)s, %(domain_id)s)

-- name: update_sms_provider
UPDATE civicrm_sms_provider
SET name = %(name)s, title = %(title)s, username = %(username)s, password = %(password)s,
    api_type = %(api_type)s, api_url = %(api_url)s, api_params = %(api_params)s,
    is_default = %(is_default)s, is_active = %(is_active)s
WHERE id = %(id)s
