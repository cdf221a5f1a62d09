#!/usr/bin/env bash
# Tern's gRPC interop server (grpc.testing.TestService), with grpc-java's flags:
#   conformance-tests/interop-server.sh --port=PORT [--use_tls=true]
# Serves on 127.0.0.1 (TestService, grpc.health.v1.Health, server reflection v1 and v1alpha, ORCA) and
# prints "Server started on port PORT" when ready. SIGTERM drains it: health turns NOT_SERVING,
# GOAWAY, calls in flight finish (cancelled only after 15 s), then it exits.
# The JVM replaces this shell (exec), so this script's PID is the server's.
# Needs a build first: ./mvnw -B -q install -DskipTests
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
classpath_file="$dir/target/interop-classpath.txt"
if [[ ! -f "$classpath_file" || ! -d "$dir/target/classes" ]]; then
  echo "interop-server.sh: not built yet; run ./mvnw -B -q install -DskipTests first" >&2
  exit 2
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$java" ${TERN_INTEROP_JAVA_OPTS:-} -cp "$dir/target/classes:$(cat "$classpath_file")" \
  dev.tern.interop.InteropServer "$@"
