<?php

/**
 * Job.civisms_send: what "Send Scheduled SMS with civisms" runs. It asks each civisms
 * service that an active civisms provider row points at to run its job engine for the
 * mass SMS that are due (POST {api_url}/v1/jobs/run), and returns civisms' summary,
 * which CiviCRM writes into the job log. civisms claims mailing jobs atomically, so a
 * run beside `civisms jobs run` on cron, or a retried run, sends nothing twice.
 */

/**
 * Parameters of Job.civisms_send.
 */
function _civicrm_api3_job_civisms_send_spec(array &$spec): void {
  $spec['provider_id'] = [
    'title' => 'civisms provider row',
    'description' => 'Only this civisms SMS provider row (default: every active one).',
    'type' => CRM_Utils_Type::T_INT,
  ];
  $spec['timeout'] = [
    'title' => 'Seconds to wait for civisms',
    'description' => 'How long to wait for civisms to finish the run (default 600). A run cut short goes on in civisms and is resumed by the next run.',
    'type' => CRM_Utils_Type::T_INT,
    'api.default' => 600,
  ];
}

/**
 * Ask civisms to run the due mass SMS.
 *
 * @throws CRM_Core_Exception when no civisms row is active or a civisms service fails
 */
function civicrm_api3_job_civisms_send(array $params): array {
  $where = [['name', '=', 'org.civisms.bridge'], ['is_active', '=', TRUE]];
  if (!empty($params['provider_id'])) {
    $where[] = ['id', '=', (int) $params['provider_id']];
  }
  $rows = civicrm_api4('SmsProvider', 'get', [
    'checkPermissions' => FALSE,
    'select' => ['id', 'api_url', 'password', 'domain_id'],
    'where' => $where,
    'orderBy' => ['id' => 'ASC'],
  ]);
  $services = [];
  foreach ($rows as $row) {
    if ($row['domain_id'] && (int) $row['domain_id'] !== (int) CRM_Core_Config::domainID()) {
      continue;
    }
    // Two rows for two gateways usually point at the same civisms: ask it once.
    $services[rtrim(trim((string) $row['api_url']), '/') . "\n" . $row['password']][] = (int) $row['id'];
  }
  if (!$services) {
    throw new CRM_Core_Exception('civisms: no active SMS provider row named civisms; add one in Administer > System Settings > SMS Providers (or run civisms sync providers)');
  }
  $summaries = [];
  foreach ($services as $key => $ids) {
    [$url, $token] = explode("\n", $key, 2);
    $client = new CRM_Civisms_Client($url, $token, 3, max(1, (int) ($params['timeout'] ?? 600)));
    $answer = $client->post('/v1/jobs/run', ['provider_ids' => $ids]);
    // The summary line first: CiviCRM's job log keeps the start of the serialized values.
    $summaries[] = ['summary' => (string) ($answer['summary'] ?? ''), 'provider_ids' => $ids] + $answer;
  }
  return civicrm_api3_create_success($summaries, $params, 'Job', 'civisms_send');
}
