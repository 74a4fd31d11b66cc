<?php

/**
 * "civisms" in Administer > System Settings > SMS Providers: the option value whose
 * value is the extension key, which CiviCRM stores in civicrm_sms_provider.name.
 * CiviCRM switches it off and on with the extension and deletes it on uninstall.
 */
return [
  [
    'name' => 'civisms_sms_provider_name',
    'entity' => 'OptionValue',
    'cleanup' => 'always',
    'update' => 'unmodified',
    'params' => [
      'version' => 4,
      'values' => [
        'option_group_id:name' => 'sms_provider_name',
        'label' => 'civisms',
        'name' => 'civisms',
        'value' => 'org.civisms.bridge',
        'description' => 'Sends through the civisms service, which holds the gateway settings.',
        'is_active' => TRUE,
        'is_reserved' => FALSE,
      ],
      'match' => ['option_group_id', 'value'],
    ],
  ],
];
