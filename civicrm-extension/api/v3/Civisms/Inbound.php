<?php

/**
 * Civisms.inbound: civisms records replies itself, and calls this action first so that
 * hook_civicrm_inboundSMS still fires for other extensions. It builds the
 * CRM_SMS_Message CiviCRM's own processInbound() would build, fires the hook, and
 * returns the message as the hook left it: civisms honours a fromContactID or
 * toContactID a hook set, and a rewritten from or body. Nothing is written here.
 */

/**
 * Parameters of Civisms.inbound.
 */
function _civicrm_api3_civisms_inbound_spec(array &$spec): void {
  $spec['from'] = [
    'title' => 'Sender number',
    'type' => CRM_Utils_Type::T_STRING,
    'api.required' => 1,
  ];
  $spec['body'] = [
    'title' => 'Text of the reply',
    'type' => CRM_Utils_Type::T_TEXT,
    'api.required' => 1,
  ];
  $spec['to'] = [
    'title' => 'Number the reply was sent to',
    'type' => CRM_Utils_Type::T_STRING,
  ];
  $spec['track_id'] = [
    'title' => 'Gateway message id',
    'type' => CRM_Utils_Type::T_STRING,
  ];
}

/**
 * Fire hook_civicrm_inboundSMS for one reply and return what the hooks decided.
 */
function civicrm_api3_civisms_inbound(array $params): array {
  $message = new CRM_SMS_Message();
  $message->from = (string) $params['from'];
  $message->to = (string) ($params['to'] ?? '');
  $message->body = (string) $params['body'];
  $message->trackID = isset($params['track_id']) ? (string) $params['track_id'] : NULL;
  CRM_Utils_Hook::inboundSMS($message);
  $value = [
    'from' => $message->from,
    'to' => $message->to,
    'body' => $message->body,
    'track_id' => $message->trackID,
    'from_contact_id' => $message->fromContactID ? (int) $message->fromContactID : NULL,
    'to_contact_id' => $message->toContactID ? (int) $message->toContactID : NULL,
  ];
  return civicrm_api3_create_success([$value], $params, 'Civisms', 'inbound');
}
