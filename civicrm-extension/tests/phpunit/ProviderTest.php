<?php

use PHPUnit\Framework\TestCase;

/**
 * org_civisms_bridge against a stand-in civisms served by `php -S` on a free port:
 * what it sends, what it returns, and that every failure is a CRM_Core_Exception.
 */
class ProviderTest extends TestCase {

  /**
   * @var resource|null
   */
  private static $server;

  /**
   * @var int
   */
  private static $port;

  /**
   * @var string
   */
  private static $log;

  public static function setUpBeforeClass(): void {
    self::$log = tempnam(sys_get_temp_dir(), 'fake-civisms');
    self::$port = self::freePort();
    $command = [PHP_BINARY, '-S', '127.0.0.1:' . self::$port, __DIR__ . '/fake_civisms.php'];
    $env = getenv() + ['FAKE_CIVISMS_LOG' => self::$log];
    $env['FAKE_CIVISMS_LOG'] = self::$log;
    $null = ['file', '/dev/null', 'w'];
    self::$server = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => $null, 2 => $null], $pipes, NULL, $env);
    $deadline = microtime(TRUE) + 5;
    while (microtime(TRUE) < $deadline) {
      $socket = @fsockopen('127.0.0.1', self::$port, $errno, $errstr, 0.2);
      if ($socket) {
        fclose($socket);
        return;
      }
      usleep(50000);
    }
    self::fail('the stand-in civisms did not start');
  }

  public static function tearDownAfterClass(): void {
    if (self::$server) {
      proc_terminate(self::$server);
      proc_close(self::$server);
    }
    @unlink(self::$log);
  }

  protected function setUp(): void {
    file_put_contents(self::$log, '');
    CRM_SMS_BAO_SmsProvider::$rows = [];
    CRM_SMS_BAO_SmsProvider::$reads = 0;
    CRM_Core_DAO::$scheduledIdByJob = [];
    CRM_Core_Session::$values = [];
  }

  public function testSendPostsTheMessageAndReturnsCivismsId(): void {
    $provider = $this->provider('ok');
    $id = $provider->send(' +15551230001 ', ['contact_id' => 7, 'parent_activity_id' => '12', 'To' => '+15551230001'], 'Hi Ann', NULL, 2);
    $this->assertSame('msg-42', $id);
    $requests = $this->requests();
    $this->assertCount(1, $requests);
    $this->assertSame('POST', $requests[0]['method']);
    $this->assertSame('/ok/v1/messages', $requests[0]['path']);
    $this->assertSame('Bearer s3cret-token', $requests[0]['authorization']);
    $this->assertSame('application/json', $requests[0]['content_type']);
    $this->assertSame([
      'to' => '+15551230001',
      'text' => 'Hi Ann',
      'contact_id' => 7,
      'source_contact_id' => 2,
      'provider_id' => 5,
      'via' => '3',
      'mailing_job_id' => NULL,
      'parent_activity_id' => 12,
    ], $requests[0]['body']);
  }

  public function testUnicodeTextArrivesUnchanged(): void {
    $this->provider('ok')->send('+15551230001', ['contact_id' => 7], "Grüße 👋\nZeile 2", NULL, 2);
    $this->assertSame("Grüße 👋\nZeile 2", $this->requests()[0]['body']['text']);
  }

  public function testMassSmsSourceIsTheMailingsScheduler(): void {
    CRM_Core_DAO::$scheduledIdByJob[31] = 9;
    CRM_Core_Session::$values['userID'] = 4;
    $this->provider('ok')->send('+15551230001', ['contact_id' => 7], 'x', 31, 2);
    $body = $this->requests()[0]['body'];
    $this->assertSame(9, $body['source_contact_id']);
    $this->assertSame(31, $body['mailing_job_id']);
  }

  public function testSourceFallsBackToSessionThenHeaderContact(): void {
    CRM_Core_Session::$values['userID'] = 4;
    $this->provider('ok')->send('+15551230001', ['contact_id' => 7, 'Contact' => 8], 'x');
    CRM_Core_Session::$values = [];
    $this->provider('ok')->send('+15551230001', ['contact_id' => 7, 'Contact' => 8], 'x');
    $this->provider('ok')->send('+15551230001', ['contact_id' => 7], 'x');
    $sources = array_map(fn($r) => $r['body']['source_contact_id'], $this->requests());
    $this->assertSame([4, 8, NULL], $sources);
  }

  public function testNoViaLineSendsNullVia(): void {
    $this->provider('ok', ['api_params' => []])->send('+15551230001', ['contact_id' => 7], 'x', NULL, 2);
    $this->assertNull($this->requests()[0]['body']['via']);
  }

  public function testBadTokenIsAnExceptionWithoutTheToken(): void {
    $error = $this->failure($this->provider('status/401'));
    $this->assertStringContainsString('HTTP 401', $error);
    $this->assertStringContainsString('invalid token', $error);
    $this->assertStringNotContainsString('s3cret-token', $error);
    $this->assertStringNotContainsString("\n", $error);
  }

  public function testValidationErrorNamesTheField(): void {
    $error = $this->failure($this->provider('status/422'));
    $this->assertStringContainsString('HTTP 422', $error);
    $this->assertStringContainsString('body.to: not a phone number', $error);
  }

  public function testServerErrorIsAnException(): void {
    $this->assertStringContainsString('HTTP 503', $this->failure($this->provider('status/503')));
  }

  public function testAnswerWithoutIdIsAnException(): void {
    $this->assertStringContainsString('no message id', $this->failure($this->provider('noid')));
  }

  public function testNotCivismsIsAnException(): void {
    $this->assertStringContainsString('without a JSON object', $this->failure($this->provider('html')));
  }

  public function testCivismsDownIsAnException(): void {
    $closed = self::freePort();
    $provider = $this->provider('ok', ['api_url' => "http://127.0.0.1:$closed"]);
    $error = $this->failure($provider);
    $this->assertStringContainsString('no answer from', $error);
    $this->assertStringContainsString('civisms serve running', $error);
  }

  public function testSlowCivismsTimesOut(): void {
    $client = new CRM_Civisms_Client('http://127.0.0.1:' . self::$port . '/slow', 'tok', 1, 1);
    $provider = new org_civisms_bridge(self::row(), $client);
    $started = microtime(TRUE);
    $error = $this->failure($provider);
    $this->assertLessThan(2.5, microtime(TRUE) - $started);
    $this->assertStringContainsString('no answer from', $error);
  }

  public function testMissingTokenSendsNothing(): void {
    $this->assertStringContainsString('no password', $this->failure($this->provider('ok', ['password' => ''])));
    $this->assertSame([], $this->requests());
  }

  public function testNonHttpUrlSendsNothing(): void {
    $this->assertStringContainsString('not an http(s) URL', $this->failure($this->provider('ok', ['api_url' => 'sms.example.org'])));
    $this->assertSame([], $this->requests());
  }

  public function testWithoutARowNothingIsSent(): void {
    $provider = new org_civisms_bridge([]);
    $this->assertStringContainsString('no SMS provider row', $this->failure($provider));
  }

  public function testSingletonKeepsOneInstancePerRow(): void {
    CRM_SMS_BAO_SmsProvider::$rows[5] = self::row();
    CRM_SMS_BAO_SmsProvider::$rows[6] = self::row(['id' => 6]);
    $first = org_civisms_bridge::singleton(['provider_id' => 5]);
    $again = org_civisms_bridge::singleton(['provider_id' => 5]);
    $other = org_civisms_bridge::singleton(['provider_id' => 6]);
    $forced = org_civisms_bridge::singleton(['provider_id' => 5], TRUE);
    $this->assertSame($first, $again);
    $this->assertNotSame($first, $other);
    $this->assertNotSame($first, $forced);
    $this->assertSame(3, CRM_SMS_BAO_SmsProvider::$reads);
    $this->assertSame('http://127.0.0.1:8080', org_civisms_bridge::singleton([])->_apiURL);
  }

  public function testCallbackIsHarmlessAndInboundPointsToCivisms(): void {
    $provider = $this->provider('ok');
    $this->assertTrue($provider->callback());
    $this->expectException(CRM_Core_Exception::class);
    $this->expectExceptionMessage("civisms' own webhook URL");
    $provider->inbound();
  }

  private function provider(string $scenario, array $override = []): org_civisms_bridge {
    return new org_civisms_bridge(self::row($override + ['api_url' => 'http://127.0.0.1:' . self::$port . '/' . $scenario . '/']));
  }

  private static function row(array $override = []): array {
    return $override + [
      'id' => 5,
      'name' => 'org.civisms.bridge',
      'password' => 's3cret-token',
      'api_url' => 'http://127.0.0.1:8080',
      'api_params' => ['civisms_via' => '3'],
    ];
  }

  private function failure(org_civisms_bridge $provider): string {
    try {
      $provider->send('+15551230001', ['contact_id' => 7], 'x', NULL, 2);
    }
    catch (CRM_Core_Exception $e) {
      return $e->getMessage();
    }
    $this->fail('send() returned instead of throwing CRM_Core_Exception');
  }

  private function requests(): array {
    $lines = array_filter(explode("\n", (string) file_get_contents(self::$log)));
    return array_values(array_map(fn($line) => json_decode($line, TRUE), $lines));
  }

  private static function freePort(): int {
    $socket = stream_socket_server('tcp://127.0.0.1:0');
    $name = stream_socket_get_name($socket, FALSE);
    fclose($socket);
    return (int) substr($name, strrpos($name, ':') + 1);
  }

}
