<?php

/**
 * A stand-in civisms service for `php -S`: the first path segment picks the answer
 * (/ok, /status/401, /noid, /html, /slow), the request is appended to the JSON-lines
 * file named by FAKE_CIVISMS_LOG.
 */
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$log = getenv('FAKE_CIVISMS_LOG');
if ($log) {
  file_put_contents($log, json_encode([
    'method' => $_SERVER['REQUEST_METHOD'],
    'path' => $path,
    'authorization' => $_SERVER['HTTP_AUTHORIZATION'] ?? NULL,
    'content_type' => $_SERVER['CONTENT_TYPE'] ?? NULL,
    'body' => json_decode(file_get_contents('php://input'), TRUE),
  ]) . "\n", FILE_APPEND);
}
header('Content-Type: application/json');
$parts = explode('/', trim($path, '/'));
switch ($parts[0]) {
  case 'ok':
    http_response_code(202);
    echo json_encode(['id' => 'msg-42', 'status' => 'pending']);
    break;

  case 'status':
    http_response_code((int) $parts[1]);
    if ((int) $parts[1] === 422) {
      echo json_encode(['detail' => [['loc' => ['body', 'to'], 'msg' => 'not a phone number']]]);
    }
    else {
      echo json_encode(['detail' => 'invalid token']);
    }
    break;

  case 'noid':
    echo json_encode(['status' => 'pending']);
    break;

  case 'html':
    header('Content-Type: text/html');
    echo '<html><body>Welcome</body></html>';
    break;

  case 'slow':
    sleep(3);
    echo json_encode(['id' => 'late']);
    break;

  default:
    http_response_code(404);
    echo json_encode(['detail' => 'Not Found']);
}
