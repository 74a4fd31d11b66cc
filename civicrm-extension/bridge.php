<?php

/**
 * org.civisms.bridge: CiviCRM's hooks. Each hook hands over to a small class; the
 * lifecycle rules are described in CRM_Civisms_Lifecycle.
 */

require_once 'bridge.civix.php';

/**
 * Implements hook_civicrm_config().
 */
function bridge_civicrm_config(&$config): void {
  _bridge_civix_civicrm_config();
}

/**
 * Implements hook_civicrm_install(): turn core's "Send Scheduled SMS" off.
 */
function bridge_civicrm_install(): void {
  _bridge_civix_civicrm_config();
  CRM_Civisms_Lifecycle::takeOverCoreJob();
}

/**
 * Implements hook_civicrm_enable(): turn core's job off again and wake our provider rows.
 */
function bridge_civicrm_enable(): void {
  _bridge_civix_civicrm_config();
  CRM_Civisms_Lifecycle::takeOverCoreJob();
  CRM_Civisms_Lifecycle::reactivateProviderRows();
}

/**
 * Implements hook_civicrm_disable(): our provider rows sleep, core's job is given back.
 */
function bridge_civicrm_disable(): void {
  CRM_Civisms_Lifecycle::deactivateProviderRows();
  CRM_Civisms_Lifecycle::giveBackCoreJob();
}

/**
 * Implements hook_civicrm_uninstall(): core's job as it was; our rows removed.
 */
function bridge_civicrm_uninstall(): void {
  CRM_Civisms_Lifecycle::giveBackCoreJob();
  CRM_Civisms_Lifecycle::removeProviderRows();
  CRM_Civisms_Lifecycle::forgetState();
}

/**
 * Implements hook_civicrm_buildForm(): what to type in each field of an SMS provider row.
 */
function bridge_civicrm_buildForm($formName, &$form): void {
  if ($formName === 'CRM_SMS_Form_Provider') {
    CRM_Civisms_ProviderForm::explain($form);
  }
}
