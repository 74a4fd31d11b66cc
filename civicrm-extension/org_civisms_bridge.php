<?php

/**
 * The SMS provider CiviCRM loads for rows named "org.civisms.bridge".
 *
 * It holds no gateway logic: send() hands each message to the civisms service
 * (POST {api_url}/v1/messages, bearer token = the row's password), which journals it,
 * sends it through the gateway row named by the api_params line civisms_via=<row id>,
 * and writes the "SMS delivery" activity a provider's createActivity() would write.
 * CiviCRM ignores send()'s return value and only notices a failure that is thrown, so
 * every failure is a CRM_Core_Exception with a one-line reason.
 */
class org_civisms_bridge extends CRM_SMS_Provider {

  /**
   * What the provider form pre-fills as the API URL: civisms serve's default address.
   *
   * @var string
   */
  public $_apiURL = 'http://127.0.0.1:8080';

  /**
   * One instance per provider row.
   *
   * @var org_civisms_bridge[]
   */
  private static $instances = [];

  /**
   * The provider row as CRM_SMS_BAO_SmsProvider::getProviderInfo() returns it.
   *
   * @var array
   */
  private $provider;

  /**
   * @var CRM_Civisms_Client|null
   */
  private $client;

  /**
   * @param array $provider the provider row, api_params already parsed into an array
   * @param CRM_Civisms_Client|null $client how to reach civisms; built from the row when NULL
   */
  public function __construct(array $provider = [], ?CRM_Civisms_Client $client = NULL) {
    $this->provider = $provider;
    $this->client = $client;
  }

  /**
   * The instance for the row $providerParams['provider_id'] (CRM_SMS_Provider::singleton
   * has already turned a mailing_id into it). Without a row id: an instance that can only
   * tell the provider form its default URL.
   *
   * @return org_civisms_bridge
   */
  public static function &singleton($providerParams = [], $force = FALSE) {
    $id = (int) ($providerParams['provider_id'] ?? 0);
    if (!isset(self::$instances[$id]) || $force) {
      $row = $id ? CRM_SMS_BAO_SmsProvider::getProviderInfo($id) : [];
      self::$instances[$id] = new self(is_array($row) ? $row : []);
    }
    return self::$instances[$id];
  }

  /**
   * Hand one message to civisms; return civisms' message id.
   *
   * @param string $recipients the phone number CiviCRM chose
   * @param array $header CiviCRM's provider params: contact_id, To, parent_activity_id...
   * @param string $message the rendered text
   * @param int|null $jobID the mailing job of a mass SMS sent by core's job
   * @param int|null $userID the sending contact of an individual SMS
   *
   * @throws CRM_Core_Exception
   */
  public function send($recipients, $header, $message, $jobID = NULL, $userID = NULL) {
    $header = is_array($header) ? $header : [];
    if (empty($this->provider['id'])) {
      throw new CRM_Core_Exception('civisms: no SMS provider row was given; send through a provider row named civisms');
    }
    $payload = [
      'to' => trim((string) $recipients),
      'text' => (string) $message,
      'contact_id' => self::intOrNull($header['contact_id'] ?? NULL),
      'source_contact_id' => self::intOrNull($this->sourceContactID($header, $jobID, $userID)),
      'provider_id' => (int) $this->provider['id'],
      'via' => $this->via(),
      'mailing_job_id' => self::intOrNull($jobID),
      'parent_activity_id' => self::intOrNull($header['parent_activity_id'] ?? NULL),
    ];
    $answer = $this->client()->post('/v1/messages', $payload);
    if (empty($answer['id'])) {
      throw new CRM_Core_Exception('civisms: the answer to POST /v1/messages has no message id');
    }
    return (string) $answer['id'];
  }

  /**
   * Gateways post replies and receipts to civisms, not to CiviCRM.
   *
   * @throws CRM_Core_Exception
   */
  public function inbound() {
    throw new CRM_Core_Exception('civisms: replies go to civisms\' own webhook URL (see civisms providers list), not to civicrm/sms/callback');
  }

  /**
   * Receipts go to civisms too; CiviCRM's callback page has nothing to do.
   */
  public function callback() {
    return TRUE;
  }

  /**
   * Who the "SMS delivery" activity is from, chosen as CRM_SMS_Provider::createActivity
   * chooses it: the mailing's scheduler, else the sender, else the logged-in user, else
   * the header's Contact. NULL means no activity, as there.
   */
  protected function sourceContactID(array $header, $jobID, $userID) {
    $source = NULL;
    if ($jobID) {
      $source = CRM_Core_DAO::singleValueQuery(
        'SELECT m.scheduled_id FROM civicrm_mailing m INNER JOIN civicrm_mailing_job j ON j.mailing_id = m.id AND j.id = %1',
        [1 => [(int) $jobID, 'Integer']]
      );
    }
    elseif ($userID) {
      $source = $userID;
    }
    else {
      $source = CRM_Core_Session::singleton()->get('userID');
    }
    return $source ?: ($header['Contact'] ?? NULL);
  }

  /**
   * The gateway row named by api_params "civisms_via=<id>", sent for the record: civisms
   * reads the line from the row itself and refuses a row without it.
   */
  private function via(): ?string {
    $params = $this->provider['api_params'] ?? [];
    $via = is_array($params) ? trim((string) ($params['civisms_via'] ?? '')) : '';
    return $via === '' ? NULL : $via;
  }

  private function client(): CRM_Civisms_Client {
    if ($this->client === NULL) {
      $this->client = new CRM_Civisms_Client(
        (string) ($this->provider['api_url'] ?? ''),
        (string) ($this->provider['password'] ?? '')
      );
    }
    return $this->client;
  }

  private static function intOrNull($value): ?int {
    return ($value === NULL || $value === '' || !is_numeric($value)) ? NULL : (int) $value;
  }

}
