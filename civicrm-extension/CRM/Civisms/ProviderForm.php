<?php

use CRM_Civisms_ExtensionUtil as E;

/**
 * The SMS provider form, when the row is a civisms one: what to type in each field,
 * and sensible values for a new row.
 */
class CRM_Civisms_ProviderForm {

  /**
   * Add the help text (and, for a new row, defaults) to a civisms provider form.
   *
   * @param CRM_Core_Form $form
   */
  public static function explain($form): void {
    if (($form->getAction() & CRM_Core_Action::DELETE) || !self::isCivisms($form)) {
      return;
    }
    if (empty($form->_id)) {
      $form->setDefaults([
        'username' => 'civisms',
        'api_type' => CRM_Core_PseudoConstant::getKey('CRM_SMS_BAO_SmsProvider', 'api_type', 'http'),
        'api_params' => 'civisms_via=',
      ]);
    }
    CRM_Core_Region::instance('page-body')->add(['markup' => self::helpMarkup(), 'weight' => -10]);
  }

  /**
   * The help shown above the form's fields.
   */
  public static function helpMarkup(): string {
    $items = [
      E::ts('<strong>Name</strong>: civisms.'),
      E::ts('<strong>Title</strong>: what senders pick from, e.g. "SMS (civisms via Twilio)".'),
      E::ts('<strong>Username</strong>: any text (civisms does not read it).'),
      E::ts('<strong>Password</strong>: the token civisms checks, as printed by <code>civisms sync providers --via ROW</code>.'),
      E::ts('<strong>API Type</strong>: http.'),
      E::ts('<strong>API Url</strong>: where <code>civisms serve</code> answers, as CiviCRM\'s server reaches it, e.g. https://sms.example.org.'),
      E::ts('<strong>API Parameters</strong>: <code>civisms_via=N</code>, N being the id of the SMS provider row (Twilio, Vonage...) whose gateway civisms sends through; the gateway\'s credentials stay in that row.'),
    ];
    return '<div class="help"><p>' . E::ts('civisms sends these messages. The fields mean:') . '</p><ul><li>'
      . implode('</li><li>', $items) . '</li></ul><p>'
      . E::ts('<code>civisms sync providers --via N</code> fills all of this in for you.') . '</p></div>';
  }

  /**
   * Is the form about a civisms row: a new row picked as civisms, or a row named so.
   */
  private static function isCivisms($form): bool {
    $key = CRM_Utils_Request::retrieve('key', 'String', $form, FALSE, NULL);
    if ($key !== NULL) {
      return $key === CRM_Civisms_Lifecycle::KEY;
    }
    if (!empty($form->_id)) {
      return CRM_Core_DAO::getFieldValue('CRM_SMS_DAO_SmsProvider', $form->_id, 'name') === CRM_Civisms_Lifecycle::KEY;
    }
    return FALSE;
  }

}
