#!/usr/bin/env bash
# Set up civisms on a fresh Debian/Ubuntu machine: a MariaDB server (installed and
# started if none answers), the MariaDB client headers mysqlclient compiles against,
# and a virtualenv in .venv with civisms and its test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

DB_HOST=${CIVISMS_TEST_DB_HOST:-127.0.0.1}
DB_PORT=${CIVISMS_TEST_DB_PORT:-3306}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

mariadb_answers() {
  if command -v mariadb-admin >/dev/null 2>&1; then
    mariadb-admin --host="$DB_HOST" --port="$DB_PORT" --user=root --connect-timeout=2 ping >/dev/null 2>&1
  else
    python3 - "$DB_HOST" "$DB_PORT" <<'PY' >/dev/null 2>&1
import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
PY
  fi
}

# 1. The MariaDB server the tests and the demo use.
if ! mariadb_answers; then
  if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
    echo "setup: installing MariaDB server (Debian package mariadb-server)"
    apt_install mariadb-server
  fi
  echo "setup: starting MariaDB"
  $SUDO mkdir -p /run/mysqld && $SUDO chown mysql:mysql /run/mysqld 2>/dev/null || true
  $SUDO start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql \
    || $SUDO service mariadb start
  for _ in $(seq 1 30); do mariadb_answers && break; sleep 1; done
  mariadb_answers || { echo "setup: MariaDB did not start on $DB_HOST:$DB_PORT" >&2; exit 1; }
fi

# 2. Headers for mysqlclient (it has no Linux wheel and compiles against them).
if ! pkg-config --exists libmariadb 2>/dev/null && ! pkg-config --exists mysqlclient 2>/dev/null; then
  echo "setup: installing libmariadb-dev and pkg-config"
  apt_install libmariadb-dev pkg-config build-essential python3-dev python3-venv
fi

# 3. PHP CLI (with curl) and PHPUnit: the tests of the CiviCRM extension in civicrm-extension/.
if ! command -v php >/dev/null 2>&1 || ! command -v phpunit >/dev/null 2>&1 \
    || ! php -m 2>/dev/null | grep -qx curl; then
  echo "setup: installing php-cli, php-curl and phpunit"
  apt_install php-cli php-curl phpunit
fi

# 3b. A real Kannel (bearerbox, smsbox; fakesmsc from kannel-extras) for the gateway tests
#     in tests/providers/test_real_kannel.py, which start their own on free loopback ports.
if [ ! -x /usr/sbin/bearerbox ] || [ ! -x /usr/lib/kannel/test/fakesmsc ]; then
  echo "setup: installing Kannel (Debian packages kannel, kannel-extras)"
  apt_install kannel kannel-extras
fi

# 4. The virtualenv.
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e '.[test]'
echo "setup: ready (.venv/bin/civisms)"
