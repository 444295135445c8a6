#!/usr/bin/env bash
# Local infrastructure without Docker: one Apache Kafka 3.9.x broker in KRaft
# combined mode (from its Maven Central jars), one Keycloak 26 (its server
# distribution from Maven Central, in development mode) and the machine's
# PostgreSQL.
#
# Nothing reaches the broker without proving who it is, and nobody but the
# operator's admin may do anything without an ACL. 127.0.0.1:9094: TLS (a local CA
# and broker certificate, generated once) and SASL/SCRAM-SHA-512, with the KRaft
# StandardAuthorizer; the SCRAM users (one per service, hr-bridge, activity-gateway
# and the admin) are created when the storage is formatted, their passwords written
# to $AGENTGOV_STATE_DIR/kafka/credentials, the CA to
# $AGENTGOV_STATE_DIR/kafka/tls/ca.pem, and each principal's ACLs applied at every
# start (scripts/infra/kafka-access.ts). 127.0.0.1:9095 is the same with mutual TLS
# instead of SCRAM: a client certificate per principal (CN = principal) under
# tls/clients; the broker talks to itself there, and to its controller on
# 127.0.0.1:9093, with its own certificate. There is no plaintext listener.
#
# Keycloak (the revocation connector's target in the tests): http://127.0.0.1:8180,
# `start-dev` with an H2 file database under $AGENTGOV_STATE_DIR/keycloak, and a
# master-realm admin `admin` created at its first start with a random password
# written to $AGENTGOV_STATE_DIR/keycloak/admin.password (never printed). The
# tests create a realm of their own through the admin API and remove it after.
#
# Usage: scripts/infra/infra.sh <command>
#   up              fetch Kafka jars and Keycloak if needed, start Kafka and
#                   Keycloak (each only if it is not running yet), start Postgres
#                   if it is installed but stopped, make sure the databases exist
#   down            stop Keycloak and the broker (SIGTERM, then SIGKILL after a
#                   timeout); Postgres is the machine's and is left alone
#   status          one line per component; exit 1 if something is down
#   restart-kafka   stop and start the broker, keeping its data
#                   (--hard: SIGKILL instead of a graceful stop, for fault tests)
#   reset           stop the broker and wipe its state directory
#   fetch           only fetch the Kafka jars into the cache
#   kafka-running   exit 0 if the broker started by this script runs (quiet)
#   fetch-keycloak  only fetch and unpack the Keycloak distribution into the cache
#   restart-keycloak
#                   stop and start Keycloak, keeping its database
#   reset-keycloak  stop Keycloak and wipe its state (database, admin password)
#   keycloak-running
#                   exit 0 if the Keycloak started by this script runs (quiet)
#   client-env [principal]
#                   print the KAFKA_* variables that connect a client (the
#                   services read the same ones) as that principal (default
#                   admin), e.g. env $(scripts/infra/infra.sh client-env) node ...
#
# Environment overrides:
#   KAFKA_VERSION        Kafka release (3.9.x; default 3.9.2). kafkajs 2.2.4
#                        needs protocol versions that Kafka 4 removed.
#   AGENTGOV_CACHE_DIR   jar cache root (default ${XDG_CACHE_HOME:-~/.cache}/agentgov);
#                        jars go to $AGENTGOV_CACHE_DIR/kafka-$KAFKA_VERSION/libs
#   AGENTGOV_STATE_DIR   state root (default ${XDG_STATE_HOME:-~/.local/state}/agentgov);
#                        the broker lives in $AGENTGOV_STATE_DIR/kafka
#   KAFKA_HEAP_OPTS      JVM heap (default "-Xms256m -Xmx768m")
#   KAFKA_START_TIMEOUT  seconds to wait for the broker to answer (default 120)
#   KAFKA_BENCH_PLAINTEXT_PORT  unset by default; a port for an extra unauthenticated plaintext listener, only to
#                        measure what TLS and SASL cost (bench/README.md: AGENTGOV_BENCH_PLAINTEXT_BROKER)
#   KAFKA_STOP_TIMEOUT   seconds to wait after SIGTERM before SIGKILL (default 30)
#   KEYCLOAK_VERSION     Keycloak release (default 26.7.3); the distribution is
#                        unpacked to $AGENTGOV_CACHE_DIR/keycloak-$KEYCLOAK_VERSION/dist
#   KEYCLOAK_PORT        HTTP port on 127.0.0.1 (default 8180)
#   KEYCLOAK_HEAP_OPTS   JVM heap (default "-Xms64m -Xmx512m")
#   KEYCLOAK_JAVA_HOME   JDK to run Keycloak with (default: the java on PATH if it
#                        is 17 or later, else the newest JDK under /usr/lib/jvm)
#   KEYCLOAK_START_TIMEOUT  seconds to wait for Keycloak to answer (default 240)
#   KEYCLOAK_STOP_TIMEOUT   seconds to wait after SIGTERM before SIGKILL (default 30)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

KAFKA_VERSION="${KAFKA_VERSION:-3.9.2}"
CACHE_ROOT="${AGENTGOV_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agentgov}"
STATE_ROOT="${AGENTGOV_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/agentgov}"
KAFKA_HOME="$CACHE_ROOT/kafka-$KAFKA_VERSION"
LIBS_DIR="$KAFKA_HOME/libs"
KAFKA_STATE="$STATE_ROOT/kafka"
DATA_DIR="$KAFKA_STATE/data"
LOGS_DIR="$KAFKA_STATE/logs"
PID_FILE="$KAFKA_STATE/kafka.pid"
OUT_FILE="$LOGS_DIR/kafka.out"
SERVER_PROPS="$KAFKA_STATE/server.properties"
LOG4J_PROPS="$KAFKA_STATE/log4j.properties"
TOOLS_LOG4J_PROPS="$KAFKA_STATE/tools-log4j.properties"
CLUSTER_ID_FILE="$KAFKA_STATE/cluster.id"

KAFKA_HOST=127.0.0.1
CONTROLLER_PORT=9093
# The client listeners: TLS and SCRAM-SHA-512, or mutual TLS (the client certificate's CN is the principal),
# every principal limited to its ACLs.
KAFKA_SECURE_PORT=9094
KAFKA_MTLS_PORT=9095
# Opt-in, for measuring what TLS and SASL cost (bench/README.md) and nothing else: an extra listener on this port
# with no encryption and no authentication, whose anonymous clients are super users. Never set by default.
KAFKA_BENCH_PLAINTEXT_PORT="${KAFKA_BENCH_PLAINTEXT_PORT:-}"
# The broker's own principal (its certificate's CN), a super user like the operator's admin.
BROKER_PRINCIPAL=agentgov-kafka-broker
TLS_DIR="$KAFKA_STATE/tls"
CREDENTIALS_DIR="$KAFKA_STATE/credentials"
# One principal per service, the two outside producers, and the operator (a super user: topics and ACLs).
# The ACL of each is in libs/messaging/src/kafka/kafka-access.ts.
KAFKA_PRINCIPALS=(admin provisioner behavior-baseliner containment review-scheduler hr-bridge activity-gateway)
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

KEYCLOAK_VERSION="${KEYCLOAK_VERSION:-26.7.3}"
KEYCLOAK_HOME="$CACHE_ROOT/keycloak-$KEYCLOAK_VERSION"
KEYCLOAK_DIST="$KEYCLOAK_HOME/dist"
KEYCLOAK_STATE="$STATE_ROOT/keycloak"
KEYCLOAK_LOGS="$KEYCLOAK_STATE/logs"
KEYCLOAK_PID_FILE="$KEYCLOAK_STATE/keycloak.pid"
KEYCLOAK_OUT_FILE="$KEYCLOAK_LOGS/keycloak.out"
# The H2 database (H2 adds .mv.db to the path of the JDBC URL).
KEYCLOAK_DB_FILE="$KEYCLOAK_STATE/data/h2/keycloakdb.mv.db"
KEYCLOAK_ADMIN_USER=admin
KEYCLOAK_ADMIN_PASSWORD_FILE="$KEYCLOAK_STATE/admin.password"
# The base URL, for the tests (libs/test-support reads it), written at every start.
KEYCLOAK_URL_FILE="$KEYCLOAK_STATE/url"
KEYCLOAK_HOST=127.0.0.1
KEYCLOAK_PORT="${KEYCLOAK_PORT:-8180}"
KEYCLOAK_URL="http://$KEYCLOAK_HOST:$KEYCLOAK_PORT"
# In the command line of the launcher and of its JVM: how this script recognises the Keycloak it started.
KEYCLOAK_MARKER="-Dagentgov.keycloak.state=$KEYCLOAK_STATE"
KEYCLOAK_HEAP_OPTS="${KEYCLOAK_HEAP_OPTS:--Xms64m -Xmx512m}"
KEYCLOAK_START_TIMEOUT="${KEYCLOAK_START_TIMEOUT:-240}"
KEYCLOAK_STOP_TIMEOUT="${KEYCLOAK_STOP_TIMEOUT:-30}"

PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=postgres
PG_DATABASES=(agentgov agentgov_test)

log() { printf '[infra] %s\n' "$*"; }
warn() { printf '[infra] WARNING: %s\n' "$*" >&2; }
die() {
  printf '[infra] ERROR: %s\n' "$*" >&2
  exit 1
}
now() { date +%s; }

# ---------------------------------------------------------------- helpers

port_open() { # host port
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

kafka_pid() { # prints the pid of our broker if it is alive, else fails
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against pid reuse: the process must be our broker.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $SERVER_PROPS" || return 1
  echo "$pid"
}

require_tools() { # names of tool groups: java mvn pg
  local missing=() hints=()
  for group in "$@"; do
    case "$group" in
      java)
        if ! command -v java >/dev/null 2>&1; then
          missing+=(java)
          hints+=("apt-get install -y openjdk-17-jre-headless")
        elif ! java -version 2>&1 | grep -Eq 'version "(1[1-9]|2[0-9])'; then
          missing+=("java>=11 (found: $(java -version 2>&1 | head -1))")
          hints+=("apt-get install -y openjdk-17-jre-headless")
        fi
        ;;
      http)
        command -v curl >/dev/null 2>&1 || {
          missing+=(curl)
          hints+=("apt-get install -y curl")
        }
        ;;
      mvn)
        command -v mvn >/dev/null 2>&1 || {
          missing+=(mvn)
          hints+=("apt-get install -y maven")
        }
        ;;
      pg)
        local t pg_missing=()
        for t in pg_isready psql; do
          command -v "$t" >/dev/null 2>&1 || pg_missing+=("$t")
        done
        if ((${#pg_missing[@]})); then
          missing+=("${pg_missing[@]}")
          hints+=("apt-get install -y postgresql postgresql-client  (PostgreSQL 15 on Debian 12)")
        fi
        ;;
    esac
  done
  if ((${#missing[@]})); then
    printf '[infra] ERROR: missing tools: %s\n' "${missing[*]}" >&2
    printf '[infra]   install on Debian (as root): %s\n' "${hints[@]}" >&2
    exit 1
  fi
}

# ---------------------------------------------------------------- kafka jars

jars_cached() {
  [[ -f "$KAFKA_HOME/.complete" ]] && compgen -G "$LIBS_DIR/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null
}

fetch_jars() {
  if jars_cached; then
    return 0
  fi
  [[ "$KAFKA_VERSION" == 3.9.* ]] || warn "KAFKA_VERSION=$KAFKA_VERSION: only 3.9.x is tested (kafkajs 2.2.4 cannot talk to Kafka 4)"
  require_tools java mvn
  log "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $LIBS_DIR"
  local t0 tmp
  t0="$(now)"
  mkdir -p "$KAFKA_HOME"
  tmp="$(mktemp -d "$KAFKA_HOME/libs.tmp.XXXXXX")"
  if ! mvn -q -B -Dstyle.color=never -f "$REPO_ROOT/deploy/kafka/pom.xml" \
    -Dkafka.version="$KAFKA_VERSION" -Dkafka.libs.dir="$tmp" \
    dependency:copy-dependencies </dev/null >"$KAFKA_HOME/fetch.log" 2>&1; then
    rm -rf "$tmp"
    sed -e 's/\x1b\[[0-9;]*m//g' "$KAFKA_HOME/fetch.log" | tail -n 30 >&2
    die "could not fetch Kafka $KAFKA_VERSION jars with Maven (full log: $KAFKA_HOME/fetch.log)"
  fi
  local need
  for need in kafka_2.13 kafka-clients kafka-server kafka-server-common kafka-storage kafka-raft \
    kafka-metadata kafka-group-coordinator kafka-transaction-coordinator; do
    [[ -f "$tmp/$need-$KAFKA_VERSION.jar" ]] || {
      rm -rf "$tmp"
      die "fetched jars lack $need-$KAFKA_VERSION.jar"
    }
  done
  if ! compgen -G "$tmp/reload4j-*.jar" >/dev/null || ! compgen -G "$tmp/slf4j-reload4j-*.jar" >/dev/null; then
    rm -rf "$tmp"
    die "fetched jars lack the reload4j logging backend"
  fi
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  date -u +%FT%TZ >"$KAFKA_HOME/.complete"
  log "fetched $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars ($(du -sh "$LIBS_DIR" | cut -f1)) in $(($(now) - t0))s"
}

# ---------------------------------------------------------------- kafka config

write_config() {
  mkdir -p "$DATA_DIR" "$LOGS_DIR"
  local open_listener="" open_advertised="" open_protocol="" open_user=""
  if [[ -n "$KAFKA_BENCH_PLAINTEXT_PORT" ]]; then
    warn "kafka: KAFKA_BENCH_PLAINTEXT_PORT set: an unauthenticated plaintext listener on $KAFKA_HOST:$KAFKA_BENCH_PLAINTEXT_PORT (for comparing the cost of TLS and SASL only)"
    open_listener=",PLAINTEXT://$KAFKA_HOST:$KAFKA_BENCH_PLAINTEXT_PORT"
    open_advertised=",PLAINTEXT://$KAFKA_HOST:$KAFKA_BENCH_PLAINTEXT_PORT"
    open_protocol=",PLAINTEXT:PLAINTEXT"
    open_user=";User:ANONYMOUS"
  fi
  cat >"$SERVER_PROPS" <<EOF
# Written by scripts/infra/infra.sh; rewritten on every start.
# Single-node KRaft cluster for local development and tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$CONTROLLER_PORT
listeners=CONTROLLER://$KAFKA_HOST:$CONTROLLER_PORT,SASL_SSL://$KAFKA_HOST:$KAFKA_SECURE_PORT,SSL://$KAFKA_HOST:$KAFKA_MTLS_PORT$open_listener
advertised.listeners=SASL_SSL://$KAFKA_HOST:$KAFKA_SECURE_PORT,SSL://$KAFKA_HOST:$KAFKA_MTLS_PORT$open_advertised
# The broker reaches itself and its controller with its own certificate: no listener authenticates nobody.
inter.broker.listener.name=SSL
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:SSL,SASL_SSL:SASL_SSL,SSL:SSL$open_protocol

# The locked-down listener: TLS with the local CA's certificate, SCRAM-SHA-512 users from the metadata log.
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS_DIR/broker.p12
ssl.keystore.password=$(cat "$TLS_DIR/keystore.password")
ssl.client.auth=none
# The mutual-TLS listener and the controller's: a client certificate signed by the local CA is required; its CN
# is the principal.
listener.name.ssl.ssl.client.auth=required
listener.name.ssl.ssl.truststore.type=PEM
listener.name.ssl.ssl.truststore.location=$TLS_DIR/ca.pem
listener.name.controller.ssl.client.auth=required
listener.name.controller.ssl.truststore.type=PEM
listener.name.controller.ssl.truststore.location=$TLS_DIR/ca.pem
ssl.principal.mapping.rules=RULE:^CN=([^,]+)$/\$1/,DEFAULT
# No access without an ACL; the super users are the operator's admin and the broker itself.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:$BROKER_PRINCIPAL$open_user

log.dirs=$DATA_DIR
metadata.log.dir=$DATA_DIR
num.partitions=6
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
delete.topic.enable=true

offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0

# Restarts after kill -9 (fault tests) wait for the old registration to expire.
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=6000

# A development broker: keep a day of data, in modest segments.
log.retention.hours=24
log.segment.bytes=134217728
log.retention.check.interval.ms=300000
num.network.threads=3
num.io.threads=4
num.recovery.threads.per.data.dir=1
socket.request.max.bytes=104857600
EOF
  cat >"$LOG4J_PROPS" <<EOF
# Written by scripts/infra/infra.sh: broker logs go to files at INFO.
log4j.rootLogger=INFO, serverFile

log4j.appender.serverFile=org.apache.log4j.RollingFileAppender
log4j.appender.serverFile.File=$LOGS_DIR/server.log
log4j.appender.serverFile.MaxFileSize=50MB
log4j.appender.serverFile.MaxBackupIndex=3
log4j.appender.serverFile.layout=org.apache.log4j.PatternLayout
log4j.appender.serverFile.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.appender.stateChangeFile=org.apache.log4j.RollingFileAppender
log4j.appender.stateChangeFile.File=$LOGS_DIR/state-change.log
log4j.appender.stateChangeFile.MaxFileSize=20MB
log4j.appender.stateChangeFile.MaxBackupIndex=2
log4j.appender.stateChangeFile.layout=org.apache.log4j.PatternLayout
log4j.appender.stateChangeFile.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.network.RequestChannel\$=WARN
log4j.logger.state.change.logger=INFO, stateChangeFile
log4j.additivity.state.change.logger=false
EOF
  cat >"$TOOLS_LOG4J_PROPS" <<'EOF'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

# A local CA, the broker's certificate (127.0.0.1, localhost) in a PKCS#12 keystore, and a random password
# per principal: made once per state directory, kept across restarts.
write_security() {
  mkdir -p "$TLS_DIR" "$CREDENTIALS_DIR"
  chmod 700 "$TLS_DIR" "$CREDENTIALS_DIR"
  local name
  for name in "${KAFKA_PRINCIPALS[@]}"; do
    [[ -s "$CREDENTIALS_DIR/$name.password" ]] ||
      (umask 077 && openssl rand -hex 24 >"$CREDENTIALS_DIR/$name.password")
  done
  # The broker's certificate also authenticates it to itself and its controller (clientAuth); one made before
  # that (serverAuth only) is made again.
  [[ -s "$TLS_DIR/broker.p12" ]] && grep -q clientAuth "$TLS_DIR/broker.ext" 2>/dev/null && {
    write_client_certificates
    return 0
  }
  command -v openssl >/dev/null 2>&1 || die "openssl is needed for the broker's TLS certificate (apt-get install -y openssl)"
  log "kafka: creating the broker's TLS certificate in $TLS_DIR"
  (
    cd "$TLS_DIR"
    umask 077
    [[ -s ca.pem && -s ca.key ]] || openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=agentgov local Kafka CA" \
      -keyout ca.key -out ca.pem >/dev/null 2>&1
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$BROKER_PRINCIPAL" -keyout broker.key -out broker.csr >/dev/null 2>&1
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' >broker.ext
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -extfile broker.ext \
      -out broker.pem >/dev/null 2>&1
    openssl rand -hex 24 >keystore.password
    openssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem -name broker \
      -passout "file:keystore.password" -out broker.p12
    chmod 644 ca.pem
  ) || die "could not create the broker's TLS certificate with openssl"
  write_client_certificates
}

# The variables that connect a client to the SCRAM listener as a principal (the services read the same ones).
client_env() { # principal
  local name="${1:-admin}"
  [[ -s "$CREDENTIALS_DIR/$name.password" ]] || die "no local Kafka principal $name (known: ${KAFKA_PRINCIPALS[*]}; start the broker first)"
  printf '%s\n' "KAFKA_BROKERS=$KAFKA_HOST:$KAFKA_SECURE_PORT" KAFKA_SECURITY_PROTOCOL=SASL_SSL KAFKA_SASL_MECHANISM=SCRAM-SHA-512 \
    "KAFKA_SASL_USERNAME=$name" "KAFKA_SASL_PASSWORD_FILE=$CREDENTIALS_DIR/$name.password" "KAFKA_TLS_CA_FILE=$TLS_DIR/ca.pem"
}

# A client certificate per principal (CN = the principal), signed by the local CA, for the mutual-TLS listener.
write_client_certificates() {
  mkdir -p "$TLS_DIR/clients"
  local name
  for name in "${KAFKA_PRINCIPALS[@]}"; do
    [[ -s "$TLS_DIR/clients/$name.pem" ]] && continue
    (
      cd "$TLS_DIR"
      umask 077
      openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "clients/$name.key" -out "clients/$name.csr" >/dev/null 2>&1
      printf 'extendedKeyUsage=clientAuth\n' >clients/client.ext
      openssl x509 -req -in "clients/$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -extfile clients/client.ext \
        -out "clients/$name.pem" >/dev/null 2>&1
      rm -f "clients/$name.csr"
    ) || die "could not create the client certificate of $name with openssl"
  done
}

format_storage() {
  # A data directory formatted before the SCRAM users existed is formatted again (a development broker: its
  # topics are recreated by the services and tests).
  if [[ -f "$DATA_DIR/meta.properties" && ! -f "$CREDENTIALS_DIR/.formatted" ]]; then
    log "kafka: storage predates the SCRAM users; formatting it again"
    rm -rf "$DATA_DIR"
    mkdir -p "$DATA_DIR"
  fi
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    return 0
  fi
  local cluster_id
  if [[ -s "$CLUSTER_ID_FILE" ]]; then
    cluster_id="$(cat "$CLUSTER_ID_FILE")"
  else
    cluster_id="$(java -Dlog4j.configuration="file:$TOOLS_LOG4J_PROPS" -cp "$LIBS_DIR/*" kafka.tools.StorageTool random-uuid)"
    echo "$cluster_id" >"$CLUSTER_ID_FILE"
  fi
  log "formatting KRaft storage in $DATA_DIR (cluster id $cluster_id) with SCRAM users ${KAFKA_PRINCIPALS[*]}"
  local scram=() name
  for name in "${KAFKA_PRINCIPALS[@]}"; do
    scram+=(--add-scram "SCRAM-SHA-512=[name=$name,password=$(cat "$CREDENTIALS_DIR/$name.password")]")
  done
  java -Dlog4j.configuration="file:$TOOLS_LOG4J_PROPS" -cp "$LIBS_DIR/*" kafka.tools.StorageTool \
    format --config "$SERVER_PROPS" --cluster-id "$cluster_id" --ignore-formatted "${scram[@]}" >/dev/null ||
    die "kafka-storage format failed"
  touch "$CREDENTIALS_DIR/.formatted"
}

# Ask the broker a real client request. kafkajs (the services' client) when it
# is installed, else the broker's own Java admin client.
probe_kafka() { # timeout_ms
  local timeout_ms="${1:-5000}"
  if (cd "$REPO_ROOT" && node -e "require.resolve('kafkajs')" >/dev/null 2>&1); then
    # shellcheck disable=SC2046
    (cd "$REPO_ROOT" && env $(client_env admin) node scripts/infra/kafka-ready.cjs "$timeout_ms")
  else
    # shellcheck disable=SC2046
    env $(client_env admin) java -Dlog4j.configuration="file:$TOOLS_LOG4J_PROPS" -cp "$LIBS_DIR/*" \
      "$SCRIPT_DIR/KafkaReady.java" "$timeout_ms"
  fi
}

kafka_log_tail() {
  local f
  for f in "$OUT_FILE" "$LOGS_DIR/server.log"; do
    if [[ -s "$f" ]]; then
      printf -- '----- last lines of %s -----\n' "$f" >&2
      tail -n 40 "$f" >&2
    fi
  done
}

kafka_up() {
  local pid
  if pid="$(kafka_pid)"; then
    if port_open "$KAFKA_HOST" "$KAFKA_SECURE_PORT"; then
      log "kafka: already running (pid $pid on $KAFKA_HOST:$KAFKA_SECURE_PORT); nothing to do"
      return 0
    fi
    log "kafka: pid $pid is alive but $KAFKA_HOST:$KAFKA_SECURE_PORT is not open yet; waiting for it"
  else
    if port_open "$KAFKA_HOST" "$KAFKA_SECURE_PORT"; then
      if probe_kafka 5000 >/dev/null 2>&1; then
        warn "a Kafka broker not started by this script already answers on $KAFKA_HOST:$KAFKA_SECURE_PORT; using it as it is"
        return 0
      fi
      die "$KAFKA_HOST:$KAFKA_SECURE_PORT is taken by something that is not a Kafka broker started by this script (see: ss -ltnp 'sport = :$KAFKA_SECURE_PORT')"
    fi
    if port_open "$KAFKA_HOST" "$CONTROLLER_PORT"; then
      die "controller port $KAFKA_HOST:$CONTROLLER_PORT is taken (see: ss -ltnp 'sport = :$CONTROLLER_PORT')"
    fi
    require_tools java
    fetch_jars
    write_security
    write_config
    format_storage
    log "kafka: starting Apache Kafka $KAFKA_VERSION (KRaft) on $KAFKA_HOST:$KAFKA_SECURE_PORT; logs in $LOGS_DIR"
    : >"$OUT_FILE"
    # setsid: the broker must not die with the shell, npm or CI step that started it.
    # shellcheck disable=SC2086
    (
      cd "$KAFKA_STATE"
      exec nohup setsid java $KAFKA_HEAP_OPTS \
        -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
        -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
        -Dkafka.logs.dir="$LOGS_DIR" -Dlog4j.configuration="file:$LOG4J_PROPS" \
        -cp "$LIBS_DIR/*" kafka.Kafka "$SERVER_PROPS"
    ) >>"$OUT_FILE" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PID_FILE"
  fi

  local t0 deadline
  t0="$(now)"
  deadline=$((t0 + KAFKA_START_TIMEOUT))
  while :; do
    if ! kafka_pid >/dev/null; then
      # setsid may have forked (when started as a process-group leader): find the broker.
      local found
      found="$(pgrep -f "kafka.Kafka $SERVER_PROPS" | head -1 || true)"
      if [[ -n "$found" ]]; then
        echo "$found" >"$PID_FILE"
      else
        kafka_log_tail
        rm -f "$PID_FILE"
        die "kafka: the broker exited during startup"
      fi
    fi
    if port_open "$KAFKA_HOST" "$KAFKA_SECURE_PORT" && probe_kafka 5000 >"$LOGS_DIR/probe.out" 2>&1; then
      log "kafka: ready in $(($(now) - t0))s (pid $(kafka_pid)): $(tail -n1 "$LOGS_DIR/probe.out")"
      warm_group_coordinator
      apply_access
      return 0
    fi
    if (($(now) >= deadline)); then
      kafka_log_tail
      [[ -s "$LOGS_DIR/probe.out" ]] && {
        echo '----- last probe -----' >&2
        cat "$LOGS_DIR/probe.out" >&2
      }
      die "kafka: not answering on $KAFKA_HOST:$KAFKA_SECURE_PORT after ${KAFKA_START_TIMEOUT}s (still running as pid $(cat "$PID_FILE" 2>/dev/null); stop it with: $0 down)"
    fi
    sleep 1
  done
}

# Create __consumer_offsets now rather than at the first consumer group join
# of a test. Best effort: a failure here is reported, not fatal.
warm_group_coordinator() {
  (cd "$REPO_ROOT" && node -e "require.resolve('kafkajs')" >/dev/null 2>&1) || return 0
  # shellcheck disable=SC2046
  (cd "$REPO_ROOT" && env $(client_env admin) timeout 60 node scripts/infra/kafka-ready.cjs 30000 --warm-groups) \
    >"$LOGS_DIR/warm.out" 2>&1 || warn "kafka: group coordinator warm-up failed: $(tail -n1 "$LOGS_DIR/warm.out")"
}

# Every principal's ACLs (scripts/infra/kafka-access.ts); a failure is fatal: a broker whose services cannot
# use the locked-down listener is not up.
apply_access() {
  (cd "$REPO_ROOT" && node -e "require.resolve('@swc-node/register')" >/dev/null 2>&1) || {
    warn "kafka: node_modules not installed; ACLs not applied (run npm ci, then $0 restart-kafka)"
    return 0
  }
  # shellcheck disable=SC2046
  (cd "$REPO_ROOT" && env $(client_env admin) timeout 120 node -r @swc-node/register scripts/infra/kafka-access.ts) \
    >"$LOGS_DIR/access.out" 2>&1 || {
    cat "$LOGS_DIR/access.out" >&2
    die "kafka: could not apply the ACLs"
  }
  log "kafka: $(tail -n1 "$LOGS_DIR/access.out")"
}

kafka_down() { # [hard]
  local hard="${1:-}" pid
  if ! pid="$(kafka_pid)"; then
    rm -f "$PID_FILE"
    if port_open "$KAFKA_HOST" "$KAFKA_SECURE_PORT"; then
      warn "kafka: not started by this script, yet $KAFKA_HOST:$KAFKA_SECURE_PORT is open; leaving it alone"
    else
      log "kafka: not running"
    fi
    return 0
  fi
  if [[ "$hard" == hard ]]; then
    log "kafka: SIGKILL pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
  else
    log "kafka: stopping pid $pid (SIGTERM, up to ${KAFKA_STOP_TIMEOUT}s)"
    kill -TERM "$pid" 2>/dev/null || true
  fi
  local t0
  t0="$(now)"
  while kill -0 "$pid" 2>/dev/null; do
    if (($(now) - t0 >= KAFKA_STOP_TIMEOUT)); then
      warn "kafka: pid $pid still alive after ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
  done
  # Wait for the ports to be released so that a restart can bind them.
  local _
  for _ in $(seq 1 20); do
    port_open "$KAFKA_HOST" "$KAFKA_SECURE_PORT" || port_open "$KAFKA_HOST" "$CONTROLLER_PORT" || break
    sleep 0.5
  done
  rm -f "$PID_FILE"
  log "kafka: stopped in $(($(now) - t0))s"
}

# ---------------------------------------------------------------- keycloak

keycloak_cached() {
  [[ -f "$KEYCLOAK_HOME/.complete" && -x "$KEYCLOAK_DIST/bin/kc.sh" && -f "$KEYCLOAK_DIST/lib/quarkus-run.jar" ]]
}

# The server distribution (org.keycloak:keycloak-quarkus-dist, a zip) through Maven, unpacked into the cache.
fetch_keycloak() {
  if keycloak_cached; then
    return 0
  fi
  require_tools java mvn
  log "fetching Keycloak $KEYCLOAK_VERSION (org.keycloak:keycloak-quarkus-dist) from Maven Central into $KEYCLOAK_DIST"
  local t0 tmp
  t0="$(now)"
  mkdir -p "$KEYCLOAK_HOME"
  tmp="$(mktemp -d "$KEYCLOAK_HOME/dist.tmp.XXXXXX")"
  if ! mvn -q -B -Dstyle.color=never -f "$REPO_ROOT/deploy/keycloak/pom.xml" \
    -Dkeycloak.version="$KEYCLOAK_VERSION" -Dkeycloak.unpack.dir="$tmp" \
    dependency:unpack </dev/null >"$KEYCLOAK_HOME/fetch.log" 2>&1; then
    rm -rf "$tmp"
    sed -e 's/\x1b\[[0-9;]*m//g' "$KEYCLOAK_HOME/fetch.log" | tail -n 30 >&2
    die "could not fetch Keycloak $KEYCLOAK_VERSION with Maven (full log: $KEYCLOAK_HOME/fetch.log)"
  fi
  if [[ ! -x "$tmp/keycloak-$KEYCLOAK_VERSION/bin/kc.sh" || ! -f "$tmp/keycloak-$KEYCLOAK_VERSION/lib/quarkus-run.jar" ]]; then
    rm -rf "$tmp"
    die "the fetched Keycloak distribution lacks keycloak-$KEYCLOAK_VERSION/bin/kc.sh or lib/quarkus-run.jar"
  fi
  rm -rf "$KEYCLOAK_DIST"
  mv "$tmp/keycloak-$KEYCLOAK_VERSION" "$KEYCLOAK_DIST"
  rm -rf "$tmp"
  date -u +%FT%TZ >"$KEYCLOAK_HOME/.complete"
  log "fetched Keycloak $KEYCLOAK_VERSION ($(du -sh "$KEYCLOAK_DIST" | cut -f1) unpacked) in $(($(now) - t0))s"
}

# The JDK Keycloak runs with: KEYCLOAK_JAVA_HOME, else the java on PATH when it is 17 or later (Keycloak 26's
# floor), else the newest JDK 17+ under /usr/lib/jvm. Prints a JAVA_HOME, or nothing for the java on PATH.
keycloak_java_home() {
  if [[ -n "${KEYCLOAK_JAVA_HOME:-}" ]]; then
    [[ -x "$KEYCLOAK_JAVA_HOME/bin/java" ]] || die "KEYCLOAK_JAVA_HOME=$KEYCLOAK_JAVA_HOME has no bin/java"
    echo "$KEYCLOAK_JAVA_HOME"
    return 0
  fi
  if command -v java >/dev/null 2>&1 && java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then
    return 0
  fi
  local jdk
  for jdk in $(find /usr/lib/jvm -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort -rV); do
    if [[ -x "$jdk/bin/java" ]] && "$jdk/bin/java" -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then
      echo "$jdk"
      return 0
    fi
  done
  die "Keycloak $KEYCLOAK_VERSION needs Java 17 or later (apt-get install -y openjdk-17-jre-headless, or set KEYCLOAK_JAVA_HOME)"
}

keycloak_pid() { # prints the pid of our Keycloak (its launcher, or the JVM that replaced it) if alive, else fails
  [[ -f "$KEYCLOAK_PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$KEYCLOAK_PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against pid reuse: the process must be our Keycloak.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$KEYCLOAK_MARKER" || return 1
  echo "$pid"
}

keycloak_http_ok() { # path: exit 0 when Keycloak answers 200 there
  [[ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$KEYCLOAK_URL$1" 2>/dev/null || true)" == 200 ]]
}

keycloak_answers() { keycloak_http_ok /realms/master/.well-known/openid-configuration; }

# The bootstrap admin can log in (the password grant of admin-cli in the master realm). The password goes to
# curl from its file, never on a command line.
keycloak_admin_login() {
  local code
  code="$(curl -s -o /dev/null -m 10 -w '%{http_code}' -X POST "$KEYCLOAK_URL/realms/master/protocol/openid-connect/token" \
    --data-urlencode grant_type=password --data-urlencode client_id=admin-cli \
    --data-urlencode "username=$KEYCLOAK_ADMIN_USER" --data-urlencode "password@$KEYCLOAK_ADMIN_PASSWORD_FILE" 2>/dev/null || true)"
  [[ "$code" == 200 ]]
}

keycloak_log_tail() {
  if [[ -s "$KEYCLOAK_OUT_FILE" ]]; then
    printf -- '----- last lines of %s -----\n' "$KEYCLOAK_OUT_FILE" >&2
    tail -n 40 "$KEYCLOAK_OUT_FILE" >&2
  fi
}

# Starts Keycloak unless it runs, without waiting for it (keycloak_wait does): it can start while the broker does.
keycloak_start() {
  local pid
  if pid="$(keycloak_pid)"; then
    return 0
  fi
  rm -f "$KEYCLOAK_PID_FILE"
  if port_open "$KEYCLOAK_HOST" "$KEYCLOAK_PORT"; then
    if keycloak_answers; then
      warn "keycloak: a Keycloak not started by this script already answers on $KEYCLOAK_URL; using it as it is"
      return 0
    fi
    die "keycloak: $KEYCLOAK_HOST:$KEYCLOAK_PORT is taken by something that is not a Keycloak started by this script (see: ss -ltnp 'sport = :$KEYCLOAK_PORT'; KEYCLOAK_PORT picks another port)"
  fi
  fetch_keycloak
  local java_home
  java_home="$(keycloak_java_home)"
  mkdir -p "$KEYCLOAK_STATE" "$KEYCLOAK_LOGS"
  chmod 700 "$KEYCLOAK_STATE"
  # The admin is created at the first start only, from this password: a database without its password is made anew.
  if [[ ! -s "$KEYCLOAK_ADMIN_PASSWORD_FILE" ]]; then
    if [[ -d "$KEYCLOAK_STATE/data" ]]; then
      log "keycloak: its database predates the admin password file; making it anew"
      rm -rf "$KEYCLOAK_STATE/data"
    fi
    (umask 077 && openssl rand -hex 24 | tr -d '\n' >"$KEYCLOAK_ADMIN_PASSWORD_FILE") ||
      die "keycloak: could not write $KEYCLOAK_ADMIN_PASSWORD_FILE (openssl is needed: apt-get install -y openssl)"
  fi
  local bootstrap=0
  [[ -f "$KEYCLOAK_DB_FILE" ]] || bootstrap=1
  echo "$KEYCLOAK_URL" >"$KEYCLOAK_URL_FILE"
  log "keycloak: starting Keycloak $KEYCLOAK_VERSION (start-dev, H2 in $KEYCLOAK_STATE/data) on $KEYCLOAK_URL with ${java_home:-$(command -v java)}; logs in $KEYCLOAK_OUT_FILE"
  : >"$KEYCLOAK_OUT_FILE"
  # setsid: Keycloak must not die with the shell, npm or CI step that started it; its own session and process
  # group also let keycloak_down end the launcher and its JVM together.
  (
    cd "$KEYCLOAK_STATE"
    export JAVA_OPTS_KC_HEAP="$KEYCLOAK_HEAP_OPTS"
    [[ -z "$java_home" ]] || export JAVA_HOME="$java_home"
    if ((bootstrap)); then
      export KC_BOOTSTRAP_ADMIN_USERNAME="$KEYCLOAK_ADMIN_USER"
      KC_BOOTSTRAP_ADMIN_PASSWORD="$(cat "$KEYCLOAK_ADMIN_PASSWORD_FILE")"
      export KC_BOOTSTRAP_ADMIN_PASSWORD
    fi
    exec nohup setsid "$KEYCLOAK_DIST/bin/kc.sh" start-dev \
      --http-host="$KEYCLOAK_HOST" --http-port="$KEYCLOAK_PORT" \
      --db=dev-file --db-url="jdbc:h2:file:${KEYCLOAK_DB_FILE%.mv.db};NON_KEYWORDS=VALUE" \
      "$KEYCLOAK_MARKER"
  ) >>"$KEYCLOAK_OUT_FILE" 2>&1 </dev/null &
  echo "$!" >"$KEYCLOAK_PID_FILE"
  date +%s >"$KEYCLOAK_STATE/started-at"
}

keycloak_wait() {
  local pid
  if pid="$(keycloak_pid)" && [[ ! -f "$KEYCLOAK_STATE/started-at" ]] && keycloak_answers; then
    log "keycloak: already running (pid $pid on $KEYCLOAK_URL); nothing to do"
    return 0
  fi
  if [[ -z "$pid" && ! -f "$KEYCLOAK_PID_FILE" ]]; then
    return 0 # a Keycloak not started by this script (keycloak_start said so)
  fi
  local t0 deadline
  t0="$(cat "$KEYCLOAK_STATE/started-at" 2>/dev/null || now)"
  deadline=$((t0 + KEYCLOAK_START_TIMEOUT))
  while :; do
    if ! keycloak_pid >/dev/null; then
      # setsid may have forked (when started as a process-group leader): find the launcher.
      local found
      found="$(pgrep -o -f -- "$KEYCLOAK_MARKER" || true)"
      if [[ -n "$found" ]]; then
        echo "$found" >"$KEYCLOAK_PID_FILE"
      else
        keycloak_log_tail
        rm -f "$KEYCLOAK_PID_FILE" "$KEYCLOAK_STATE/started-at"
        die "keycloak: it exited during startup (log: $KEYCLOAK_OUT_FILE)"
      fi
    fi
    if keycloak_answers; then
      keycloak_admin_login ||
        die "keycloak: answers on $KEYCLOAK_URL, but its admin cannot log in with $KEYCLOAK_ADMIN_PASSWORD_FILE (a database from another password? $0 reset-keycloak makes it anew)"
      rm -f "$KEYCLOAK_STATE/started-at"
      log "keycloak: ready in $(($(now) - t0))s (pid $(keycloak_pid) on $KEYCLOAK_URL; admin $KEYCLOAK_ADMIN_USER, password in $KEYCLOAK_ADMIN_PASSWORD_FILE)"
      return 0
    fi
    if (($(now) >= deadline)); then
      keycloak_log_tail
      die "keycloak: not answering on $KEYCLOAK_URL after ${KEYCLOAK_START_TIMEOUT}s (still running as pid $(cat "$KEYCLOAK_PID_FILE" 2>/dev/null); KEYCLOAK_START_TIMEOUT waits longer; stop it with: $0 down)"
    fi
    sleep 1
  done
}

keycloak_up() {
  require_tools java http
  keycloak_start
  keycloak_wait
}

keycloak_down() {
  local pid
  if ! pid="$(keycloak_pid)"; then
    rm -f "$KEYCLOAK_PID_FILE" "$KEYCLOAK_STATE/started-at"
    if port_open "$KEYCLOAK_HOST" "$KEYCLOAK_PORT"; then
      warn "keycloak: not started by this script, yet $KEYCLOAK_HOST:$KEYCLOAK_PORT is open; leaving it alone"
    else
      log "keycloak: not running"
    fi
    return 0
  fi
  log "keycloak: stopping pid $pid (SIGTERM, up to ${KEYCLOAK_STOP_TIMEOUT}s)"
  # The launcher leads its own process group (setsid): the group is the launcher and its JVM.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  local t0
  t0="$(now)"
  while kill -0 "$pid" 2>/dev/null || pgrep -f -- "$KEYCLOAK_MARKER" >/dev/null; do
    if (($(now) - t0 >= KEYCLOAK_STOP_TIMEOUT)); then
      warn "keycloak: pid $pid still alive after ${KEYCLOAK_STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
  done
  local _
  for _ in $(seq 1 20); do
    port_open "$KEYCLOAK_HOST" "$KEYCLOAK_PORT" || break
    sleep 0.5
  done
  rm -f "$KEYCLOAK_PID_FILE" "$KEYCLOAK_STATE/started-at"
  log "keycloak: stopped in $(($(now) - t0))s"
}

keycloak_status() { # prints one line; fails when Keycloak is not serving
  local pid
  if pid="$(keycloak_pid)"; then
    if keycloak_answers; then
      echo "keycloak: running pid $pid on $KEYCLOAK_URL (Keycloak $KEYCLOAK_VERSION, state $KEYCLOAK_STATE)"
    else
      echo "keycloak: starting pid $pid, $KEYCLOAK_URL not answering yet"
      return 1
    fi
  elif port_open "$KEYCLOAK_HOST" "$KEYCLOAK_PORT"; then
    echo "keycloak: something not started by this script listens on $KEYCLOAK_HOST:$KEYCLOAK_PORT"
  else
    echo "keycloak: stopped"
    return 1
  fi
}

keycloak_reset() {
  keycloak_down
  if [[ -d "$KEYCLOAK_STATE" ]]; then
    rm -rf "$KEYCLOAK_STATE"
    log "keycloak: wiped $KEYCLOAK_STATE"
  fi
}

# ---------------------------------------------------------------- postgres

pg_ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 3 >/dev/null 2>&1; }

psql_q() { PGCONNECT_TIMEOUT=5 psql -X -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 -tA "$@"; }

pg_up() {
  require_tools pg
  if ! pg_ready; then
    local ver=""
    if command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d /etc/postgresql ]]; then
      ver="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -1)"
    fi
    if [[ -z "$ver" ]]; then
      die "postgres: nothing accepts on $PG_HOST:$PG_PORT and no PostgreSQL server is installed; on Debian: apt-get install -y postgresql, then allow trust auth for 127.0.0.1 in pg_hba.conf"
    fi
    log "postgres: not accepting on $PG_HOST:$PG_PORT; starting cluster $ver/main"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null ||
      pg_ctlcluster "$ver" main start ||
      die "postgres: could not start cluster $ver/main (see /var/log/postgresql/postgresql-$ver-main.log)"
    local _
    for _ in $(seq 1 30); do
      pg_ready && break
      sleep 1
    done
    pg_ready || die "postgres: started, but $PG_HOST:$PG_PORT does not accept connections after 30s"
  fi
  log "postgres: accepting on $PG_HOST:$PG_PORT"
  local db out
  out="$(psql_q -c 'select 1' 2>&1)" ||
    die "postgres: cannot connect as $PG_USER on $PG_HOST:$PG_PORT (trust auth is expected): $out"
  for db in "${PG_DATABASES[@]}"; do
    if [[ "$(psql_q -c "select 1 from pg_database where datname = '$db'")" == 1 ]]; then
      log "postgres: database $db present"
    else
      psql_q -c "create database \"$db\"" >/dev/null
      log "postgres: database $db created"
    fi
  done
}

# ---------------------------------------------------------------- commands

cmd_up() {
  local t0
  t0="$(now)"
  require_tools java pg http
  { jars_cached && keycloak_cached; } || require_tools mvn
  pg_up
  # Keycloak starts first and comes up while the broker does; both are waited for.
  keycloak_start
  kafka_up
  keycloak_wait
  log "up in $(($(now) - t0))s"
}

cmd_status() {
  local rc=0 pid
  if pid="$(kafka_pid)"; then
    if port_open "$KAFKA_HOST" "$KAFKA_SECURE_PORT"; then
      echo "kafka: running pid $pid on $KAFKA_HOST:$KAFKA_SECURE_PORT (Kafka $KAFKA_VERSION, state $KAFKA_STATE)"
    else
      echo "kafka: starting pid $pid, $KAFKA_HOST:$KAFKA_SECURE_PORT not open yet"
      rc=1
    fi
  elif port_open "$KAFKA_HOST" "$KAFKA_SECURE_PORT"; then
    echo "kafka: something not started by this script listens on $KAFKA_HOST:$KAFKA_SECURE_PORT"
  else
    echo "kafka: stopped"
    rc=1
  fi
  keycloak_status || rc=1
  if ! command -v pg_isready >/dev/null 2>&1; then
    echo "postgres: not installed (apt-get install -y postgresql postgresql-client)"
    rc=1
  elif pg_ready; then
    echo "postgres: up on $PG_HOST:$PG_PORT"
    local db present=() absent=()
    for db in "${PG_DATABASES[@]}"; do
      if [[ "$(psql_q -c "select 1 from pg_database where datname = '$db'" 2>/dev/null)" == 1 ]]; then
        present+=("$db")
      else
        absent+=("$db")
      fi
    done
    if ((${#absent[@]})); then
      echo "databases: missing ${absent[*]}${present[*]:+ (present: ${present[*]})}"
      rc=1
    else
      echo "databases: ${present[*]} present"
    fi
  else
    echo "postgres: down on $PG_HOST:$PG_PORT"
    echo "databases: unknown (postgres down)"
    rc=1
  fi
  return "$rc"
}

cmd_reset() {
  kafka_down
  if [[ -d "$KAFKA_STATE" ]]; then
    rm -rf "$KAFKA_STATE"
    log "kafka: wiped $KAFKA_STATE"
  fi
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    up) cmd_up ;;
    down)
      keycloak_down
      kafka_down
      ;;
    status) cmd_status ;;
    restart-kafka)
      if [[ "${1:-}" == --hard ]]; then kafka_down hard; else kafka_down; fi
      kafka_up
      ;;
    reset) cmd_reset ;;
    fetch) fetch_jars ;;
    kafka-running) kafka_pid >/dev/null ;;
    fetch-keycloak) fetch_keycloak ;;
    restart-keycloak)
      keycloak_down
      keycloak_up
      ;;
    reset-keycloak) keycloak_reset ;;
    keycloak-running) keycloak_pid >/dev/null ;;
    client-env) client_env "${1:-admin}" ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
