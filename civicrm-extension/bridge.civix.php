<?php

/**
 * Small helpers for this extension, in the shape civix gives every extension
 * (names, translation domain, paths) and the include path the provider class needs.
 */
class CRM_Civisms_ExtensionUtil {
  const SHORT_NAME = 'bridge';
  const LONG_NAME = 'org.civisms.bridge';
  const CLASS_PREFIX = 'CRM_Civisms';

  /**
   * Translate $text in this extension's domain (CiviCRM's own strings as fallback).
   */
  public static function ts(string $text, array $params = []): string {
    if (!array_key_exists('domain', $params)) {
      $params['domain'] = [self::LONG_NAME, NULL];
    }
    return ts($text, $params);
  }

  /**
   * The absolute path of $file inside the extension, or of the extension itself.
   */
  public static function path(?string $file = NULL): string {
    $root = __DIR__;
    return $file === NULL ? $root : $root . DIRECTORY_SEPARATOR . $file;
  }

}

use CRM_Civisms_ExtensionUtil as E;

/**
 * Put the extension's folder on PHP's include path.
 *
 * CiviCRM loads an SMS provider with require_once "<key with dots as underscores>.php",
 * which only finds org_civisms_bridge.php when this folder is on the include path.
 */
function _bridge_civix_civicrm_config(): void {
  static $configured = FALSE;
  if ($configured) {
    return;
  }
  $configured = TRUE;
  $root = E::path();
  if (strpos(get_include_path(), $root) === FALSE) {
    set_include_path($root . PATH_SEPARATOR . get_include_path());
  }
}
