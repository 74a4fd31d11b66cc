<?php

/**
 * "Send Scheduled SMS with civisms": CiviCRM's cron asks the civisms service to run its
 * job engine for due mass SMS. It takes the place of core's "Send Scheduled SMS", which
 * the extension holds off while it is enabled (CRM_Civisms_Lifecycle).
 */
return [
  [
    'name' => 'civisms_send_scheduled_sms',
    'entity' => 'Job',
    'cleanup' => 'always',
    'update' => 'unmodified',
    'params' => [
      'version' => 4,
      'values' => [
        'name' => 'Send Scheduled SMS with civisms',
        'description' => 'Asks the civisms service to send the mass SMS that are due, at civisms\' speed, writing CiviCRM\'s own mailing records.',
        'run_frequency' => 'Always',
        'api_entity' => 'Job',
        'api_action' => 'civisms_send',
        'parameters' => '',
        'is_active' => TRUE,
      ],
      'match' => ['name'],
    ],
  ],
];
