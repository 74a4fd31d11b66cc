<?php

/**
 * What installing, enabling, disabling and uninstalling the bridge does to CiviCRM's
 * own records, beyond the managed entities (the provider name option value and the
 * "Send Scheduled SMS with civisms" job), which CiviCRM switches on, off and deletes
 * itself.
 *
 * - Core's "Send Scheduled SMS" (Job.process_sms) and ours must never run the same
 *   mailing, so while the bridge is enabled core's job is held off; its earlier state
 *   is remembered and given back on disable and uninstall.
 * - Provider rows named after the extension key go inactive on disable and come back on
 *   enable (only the ones the disable switched off). Uninstall deletes them, except a
 *   row a mailing still points at: deleting it would turn those mass SMS into email
 *   mailings in CiviCRM's eyes (the foreign key sets sms_provider_id to NULL).
 */
class CRM_Civisms_Lifecycle {

  const KEY = 'org.civisms.bridge';
  const CORE_ACTION = 'process_sms';

  /**
   * Remember whether core's job was active, then switch it off.
   */
  public static function takeOverCoreJob(): void {
    $job = self::coreJob();
    if ($job === NULL) {
      return;
    }
    $settings = Civi::settings();
    if ($settings->get('civisms_core_sms_job_was_active') === NULL) {
      $settings->set('civisms_core_sms_job_was_active', $job['is_active'] ? 1 : 0);
    }
    if ($job['is_active']) {
      civicrm_api4('Job', 'update', [
        'checkPermissions' => FALSE,
        'where' => [['id', '=', $job['id']]],
        'values' => ['is_active' => FALSE],
      ]);
    }
  }

  /**
   * Give core's job the state it had before the bridge took it over.
   */
  public static function giveBackCoreJob(): void {
    $settings = Civi::settings();
    $was = $settings->get('civisms_core_sms_job_was_active');
    $job = self::coreJob();
    if ($was === NULL || $job === NULL) {
      return;
    }
    civicrm_api4('Job', 'update', [
      'checkPermissions' => FALSE,
      'where' => [['id', '=', $job['id']]],
      'values' => ['is_active' => (bool) $was],
    ]);
    $settings->set('civisms_core_sms_job_was_active', NULL);
  }

  /**
   * Switch off the active civisms provider rows, remembering which.
   */
  public static function deactivateProviderRows(): void {
    $ids = civicrm_api4('SmsProvider', 'get', [
      'checkPermissions' => FALSE,
      'select' => ['id'],
      'where' => [['name', '=', self::KEY], ['is_active', '=', TRUE]],
    ])->column('id');
    if ($ids) {
      civicrm_api4('SmsProvider', 'update', [
        'checkPermissions' => FALSE,
        'where' => [['id', 'IN', $ids]],
        'values' => ['is_active' => FALSE],
      ]);
    }
    Civi::settings()->set('civisms_sleeping_provider_ids', array_map('intval', $ids));
  }

  /**
   * Switch back on the rows the last disable switched off.
   */
  public static function reactivateProviderRows(): void {
    $ids = (array) Civi::settings()->get('civisms_sleeping_provider_ids');
    if ($ids) {
      civicrm_api4('SmsProvider', 'update', [
        'checkPermissions' => FALSE,
        'where' => [['id', 'IN', $ids], ['name', '=', self::KEY]],
        'values' => ['is_active' => TRUE],
      ]);
    }
    Civi::settings()->set('civisms_sleeping_provider_ids', []);
  }

  /**
   * Delete the civisms provider rows no mailing points at.
   */
  public static function removeProviderRows(): void {
    $ids = civicrm_api4('SmsProvider', 'get', [
      'checkPermissions' => FALSE,
      'select' => ['id'],
      'where' => [['name', '=', self::KEY]],
    ])->column('id');
    foreach ($ids as $id) {
      $used = CRM_Core_DAO::singleValueQuery(
        'SELECT COUNT(*) FROM civicrm_mailing WHERE sms_provider_id = %1',
        [1 => [$id, 'Integer']]
      );
      if ($used) {
        Civi::log()->warning("civisms bridge: SMS provider row $id kept (inactive): $used mailing(s) use it");
        continue;
      }
      civicrm_api4('SmsProvider', 'delete', [
        'checkPermissions' => FALSE,
        'where' => [['id', '=', $id]],
      ]);
    }
  }

  /**
   * Drop the remembered state, so a later install starts fresh.
   */
  public static function forgetState(): void {
    CRM_Core_DAO::executeQuery(
      "DELETE FROM civicrm_setting WHERE name IN ('civisms_core_sms_job_was_active', 'civisms_sleeping_provider_ids')"
    );
  }

  /**
   * Core's "Send Scheduled SMS" job of this domain, or NULL when a site has removed it.
   */
  private static function coreJob(): ?array {
    return civicrm_api4('Job', 'get', [
      'checkPermissions' => FALSE,
      'select' => ['id', 'is_active'],
      'where' => [
        ['api_entity', '=', 'Job'],
        ['api_action', '=', self::CORE_ACTION],
        ['domain_id', '=', 'current_domain'],
      ],
      'limit' => 1,
    ])->first();
  }

}
