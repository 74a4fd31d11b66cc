<?php

/**
 * The civisms service as seen from CiviCRM: JSON over HTTP with a bearer token, short
 * explicit timeouts, and one CRM_Core_Exception with a one-line reason for anything
 * that is not a 2xx answer with a JSON object in it.
 *
 * The token is never put into an error message.
 */
class CRM_Civisms_Client {

  /**
   * @var string
   */
  private $baseUrl;

  /**
   * @var string
   */
  private $token;

  /**
   * @var int
   */
  private $connectTimeout;

  /**
   * @var int
   */
  private $timeout;

  /**
   * @param string $baseUrl civisms' URL, e.g. https://sms.example.org (the row's api_url)
   * @param string $token the bearer token civisms expects (the row's password)
   * @param int $connectTimeout seconds to wait for a connection
   * @param int $timeout seconds to wait for the whole answer
   */
  public function __construct(string $baseUrl, string $token, int $connectTimeout = 3, int $timeout = 10) {
    $this->baseUrl = rtrim(trim($baseUrl), '/');
    $this->token = $token;
    $this->connectTimeout = $connectTimeout;
    $this->timeout = $timeout;
  }

  /**
   * POST $payload as JSON to $path and return civisms' decoded JSON object.
   *
   * @throws CRM_Core_Exception
   */
  public function post(string $path, array $payload): array {
    if (!preg_match('#^https?://#i', $this->baseUrl)) {
      throw new CRM_Core_Exception("civisms: the SMS provider's API URL '{$this->baseUrl}' is not an http(s) URL; set it to where civisms serve listens, e.g. https://sms.example.org");
    }
    if ($this->token === '') {
      throw new CRM_Core_Exception('civisms: the SMS provider row has no password; put the token civisms sync providers printed there');
    }
    if (!function_exists('curl_init')) {
      throw new CRM_Core_Exception('civisms: PHP has no curl extension; install php-curl on the CiviCRM server');
    }
    $url = $this->baseUrl . $path;
    $curl = curl_init($url);
    curl_setopt_array($curl, [
      CURLOPT_POST => TRUE,
      CURLOPT_POSTFIELDS => json_encode($payload, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES),
      CURLOPT_HTTPHEADER => [
        'Content-Type: application/json',
        'Accept: application/json',
        'Authorization: Bearer ' . $this->token,
      ],
      CURLOPT_RETURNTRANSFER => TRUE,
      CURLOPT_CONNECTTIMEOUT => $this->connectTimeout,
      CURLOPT_TIMEOUT => $this->timeout,
      CURLOPT_FOLLOWLOCATION => FALSE,
    ]);
    $body = curl_exec($curl);
    $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
    $error = curl_error($curl);
    curl_close($curl);
    if ($body === FALSE) {
      throw new CRM_Core_Exception("civisms: no answer from $url ($error); is civisms serve running there?");
    }
    $answer = json_decode((string) $body, TRUE);
    if ($status < 200 || $status >= 300) {
      throw new CRM_Core_Exception("civisms: $url answered HTTP $status: " . self::reason($answer, (string) $body));
    }
    if (!is_array($answer)) {
      throw new CRM_Core_Exception("civisms: $url answered HTTP $status without a JSON object; is the API URL civisms' own?");
    }
    return $answer;
  }

  /**
   * One line from civisms' error answer ({"detail": ...} as FastAPI writes it).
   */
  private static function reason($answer, string $body): string {
    $detail = is_array($answer) ? ($answer['detail'] ?? $answer['error'] ?? NULL) : NULL;
    if (is_array($detail)) {
      $parts = [];
      foreach ($detail as $item) {
        $where = is_array($item) && isset($item['loc']) ? implode('.', (array) $item['loc']) . ': ' : '';
        $parts[] = $where . (is_array($item) ? ($item['msg'] ?? json_encode($item)) : (string) $item);
      }
      $detail = implode('; ', $parts);
    }
    $text = $detail !== NULL ? (string) $detail : trim(strip_tags($body));
    $text = preg_replace('/\s+/', ' ', $text);
    return mb_substr($text === '' ? 'empty answer' : $text, 0, 300);
  }

}
