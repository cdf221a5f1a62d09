#!/usr/bin/env bash
# Tern's gRPC interop client, with grpc-java's flags:
#   conformance-tests/interop-client.sh --server_host=HOST --server_port=PORT --test_case=NAME \
#     [--use_tls=true --use_test_ca=true --server_host_override=foo.test.google.fr]
# Exits 0 if the case passed, 1 with a one-line reason on stderr if it failed, 2 on bad flags.
# Needs a build first: ./mvnw -B -q install -DskipTests
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
classpath_file="$dir/target/interop-classpath.txt"
if [[ ! -f "$classpath_file" || ! -d "$dir/target/classes" ]]; then
  echo "interop-client.sh: not built yet; run ./mvnw -B -q install -DskipTests first" >&2
  exit 2
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$java" ${TERN_INTEROP_JAVA_OPTS:-} -cp "$dir/target/classes:$(cat "$classpath_file")" \
  dev.tern.interop.InteropClient "$@"
