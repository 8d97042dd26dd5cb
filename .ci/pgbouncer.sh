#!/usr/bin/env bash
# Starts pgbouncer in transaction mode in front of PostgreSQL, the way Neon's "-pooler" host and
# Supabase's port 6543 run: a server connection is lent for one transaction only, so session
# state and named prepared statements do not survive between statements.
#   .ci/pgbouncer.sh [LISTEN_PORT=6432] [POSTGRES_PORT=5432]
# Any database name is forwarded (test runs create their own databases). Trust auth, as the
# PostgreSQL on these machines; the user must still be listed in the auth file.
set -euo pipefail
listen_port="${1:-6432}"
postgres_port="${2:-5432}"
dir="/tmp/pgbouncer-${listen_port}"

if pg_isready -U postgres -h 127.0.0.1 -p "$listen_port" -q 2>/dev/null; then exit 0; fi
if ! command -v pgbouncer >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
fi
mkdir -p "$dir"
cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=${postgres_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${listen_port}
unix_socket_dir =
auth_type = trust
auth_file = ${dir}/users.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
max_user_connections = 40
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = ${dir}/pgbouncer.log
pidfile = ${dir}/pgbouncer.pid
INI
echo '"postgres" ""' >"$dir/users.txt"
chown -R postgres:postgres "$dir"
# pgbouncer will not run as root: -u drops to the postgres user.
pgbouncer -d -u postgres "$dir/pgbouncer.ini"
for _ in $(seq 1 30); do pg_isready -U postgres -h 127.0.0.1 -p "$listen_port" -q && break; sleep 0.3; done
pg_isready -U postgres -h 127.0.0.1 -p "$listen_port"
