<?php

/**
 * What the extension must remember between install, enable, disable and uninstall.
 * Neither setting is shown on a form: the extension writes them itself.
 */
return [
  'civisms_core_sms_job_was_active' => [
    'name' => 'civisms_core_sms_job_was_active',
    'type' => 'Integer',
    'default' => NULL,
    'html_type' => 'text',
    'is_domain' => 1,
    'is_contact' => 0,
    'title' => 'Was "Send Scheduled SMS" active before civisms took it over',
    'description' => '1 or 0 while the bridge holds core\'s job off; empty otherwise.',
  ],
  'civisms_sleeping_provider_ids' => [
    'name' => 'civisms_sleeping_provider_ids',
    'type' => 'Array',
    'default' => [],
    'html_type' => 'text',
    'serialize' => CRM_Core_DAO::SERIALIZE_JSON,
    'is_domain' => 1,
    'is_contact' => 0,
    'title' => 'civisms provider rows switched off when the bridge was disabled',
    'description' => 'Their ids, so enabling the bridge switches on those and no others.',
  ],
];
