#!/usr/bin/env bash
# A Tern server on 127.0.0.1 serving grpc.testing.BenchmarkService with the semantics of grpc's
# QPS worker, for outside load generators (h2load, ghz-style clients, grpc-java's).
#
#   benchmarks/bench-server.sh --port=PORT [--executor=direct|pool]
#
# Prints "Server started on port PORT" when ready (PORT=0 picks a free port) and drains on
# SIGTERM: GOAWAY, calls in flight finish (cancelled only after 15 s), then it exits. The script execs the JVM, so its PID is the server's. --impl=grpc|raw serves the same
# service with grpc-java or runs the raw Netty HTTP/2 echo instead, for comparisons.
# Environment: TERN_BENCH_JVM_OPTS (extra JVM options), TERN_BENCH_CLASSPATH (use this class path
# instead of the benchmarks uber-jar, which is otherwise built if missing).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
classpath="${TERN_BENCH_CLASSPATH:-}"
if [ -z "$classpath" ]; then
  classpath="$here/target/benchmarks.jar"
  if [ ! -f "$classpath" ]; then
    (cd "$here/.." && ./mvnw -B -q -pl benchmarks -am package -DskipTests) >&2
  fi
fi
# shellcheck disable=SC2086 # TERN_BENCH_JVM_OPTS is a list of options
exec java ${TERN_BENCH_JVM_OPTS:-} -cp "$classpath" dev.tern.benchmarks.BenchServer "$@"
