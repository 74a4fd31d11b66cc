<?php

/**
 * Stand-ins for the few CiviCRM classes the provider class touches, so its unit tests
 * run with PHP's CLI alone. They behave as CiviCRM's do for the calls made here, and
 * record what they were asked.
 */

// phpcs:disable Generic.Files.OneObjectStructurePerFile

class CRM_Core_Exception extends Exception {
}

abstract class CRM_SMS_Provider {
  const MAX_SMS_CHAR = 460;

  abstract public function send($recipients, $header, $message, $jobID = NULL, $userID = NULL);

}

class CRM_SMS_BAO_SmsProvider {

  /**
   * @var array provider rows by id, as getProviderInfo() returns them
   */
  public static $rows = [];

  /**
   * @var int how many times a row was read
   */
  public static $reads = 0;

  public static function getProviderInfo($providerID, $returnParam = NULL, $returnDefaultString = NULL) {
    self::$reads++;
    return self::$rows[$providerID] ?? [];
  }

}

class CRM_Core_DAO {

  /**
   * @var array values by mailing job id, for the scheduled_id query
   */
  public static $scheduledIdByJob = [];

  public static function singleValueQuery($sql, $params = []) {
    if (strpos($sql, 'scheduled_id') === FALSE) {
      throw new LogicException("unexpected query in a unit test: $sql");
    }
    return self::$scheduledIdByJob[$params[1][0]] ?? NULL;
  }

}

class CRM_Core_Session {

  /**
   * @var array the session's values
   */
  public static $values = [];

  public static function singleton(): self {
    return new self();
  }

  public function get($name) {
    return self::$values[$name] ?? NULL;
  }

}

require_once __DIR__ . '/../../CRM/Civisms/Client.php';
require_once __DIR__ . '/../../org_civisms_bridge.php';
