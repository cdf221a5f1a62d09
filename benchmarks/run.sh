#!/usr/bin/env bash
# Runs Tern's benchmarks next to grpc-java and a raw Netty HTTP/2 echo and prints one table.
#
#   benchmarks/run.sh [quick|full]     JMH suite: quick (3 rounds) < 10 min on 2 cores;
#                                      full (5 rounds, longer iterations) ~ 45 min
#   benchmarks/run.sh outside          a grpc-java client drives bench-server.sh (Tern), then a
#                                      grpc-java server, then the raw echo: unary and server
#                                      streaming, server CPU per call/message, spread over
#                                      restarts; [--executor=direct|pool] (default --all-modes)
#   benchmarks/run.sh latency          open-loop latency at 50 % and 80 % of grpc-java's maximum
#                                      rate: p50/p99/p99.9, both stacks, both modes (~6 min)
#   benchmarks/run.sh clients          16 connections x 16 calls in flight, and 1,000 connections
#                                      at once (h2load): RSS per connection, CPU per call (~9 min)
#   benchmarks/run.sh connections      what a connection costs the server, counted: bytes allocated
#                                      per connection set up and per call, heap held per idle
#                                      connection; Tern, grpc-java, raw echo (~4 min)
#   benchmarks/run.sh rest             gRPC against JSON/REST: an order lookup on Tern, Vert.x Web
#                                      and Netty HTTP/1.1 (JMH, then h2load from outside; ~6 min)
#
# Each round starts fresh JVMs (one JMH fork per configuration) and alternates which side runs
# first; the table holds medians over rounds. Results: benchmarks/target/results/<time>/.
# Extra arguments after the mode go to JMH (e.g. `run.sh quick -jvmArgs -XX:+UseParallelGC`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode="${1:-quick}"
shift || true
jar=benchmarks/target/benchmarks.jar

# Build if the jar is missing or older than any source it is made of.
if [ ! -f "$jar" ] || [ -n "$(find pom.xml core proto transport-netty benchmarks/pom.xml \
    benchmarks/src -newer "$jar" -type f \( -name '*.java' -o -name 'pom.xml' \) \
    -not -path '*/target/*' 2>/dev/null | head -1)" ]; then
  echo "Building $jar ..." >&2
  ./mvnw -B -q -pl benchmarks -am package -DskipTests
fi

case "$mode" in
  quick) rounds=3; jmh=(-f 1 -wi 2 -w 1s -i 2 -r 1s) ;;
  full) rounds=5; jmh=(-f 1 -wi 5 -w 1s -i 5 -r 2s) ;;
  outside)
    exec java -cp "$jar" dev.tern.benchmarks.OutsideLoad --script=benchmarks/bench-server.sh "$@"
    ;;
  clients)
    exec java -cp "$jar" dev.tern.benchmarks.ManyClients --script=benchmarks/bench-server.sh "$@"
    ;;
  connections)
    exec java -cp "$jar" dev.tern.benchmarks.ConnectionCost "$@"
    ;;
  rest)
    out="benchmarks/target/results/$(date +%Y%m%d-%H%M%S)-rest"
    mkdir -p "$out"
    echo "JMH: RestBenchmark (log: $out/rest-jmh.log)" >&2
    java -jar "$jar" 'dev.tern.benchmarks.RestBenchmark' -f 1 -wi 3 -w 1s -i 3 -r 2s \
      -rf csv -rff "$out/rest-jmh.csv" > "$out/rest-jmh.log" 2>&1
    java -cp "$jar" dev.tern.benchmarks.RestOutside --jmh="$out/rest-jmh.csv" "$@" \
      | tee "$out/table.md"
    exit "${PIPESTATUS[0]}"
    ;;
  latency)
    exec java -cp "$jar" dev.tern.benchmarks.LatencyUnderLoad --script=benchmarks/bench-server.sh \
      "$@"
    ;;
  *) echo "usage: $0 [quick|full|outside|latency|clients|connections|rest] [JMH args...]" >&2; exit 2 ;;
esac

out="benchmarks/target/results/$(date +%Y%m%d-%H%M%S)-$mode"
mkdir -p "$out"
stacks='dev.tern.benchmarks.(UnaryBenchmark|StreamingBenchmark|LargeMessageBenchmark)'
started=$(date +%s)
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then order=(tern grpc); else order=(grpc tern); fi
  for impl in "${order[@]}"; do
    echo "round $round/$rounds: $impl" >&2
    java -jar "$jar" "$stacks" -p impl="$impl" "${jmh[@]}" -prof gc "$@" \
      -rf csv -rff "$out/round$round-$impl.csv" > "$out/round$round-$impl.log" 2>&1
  done
  # The ceiling and the micro-benchmarks compare nothing side by side: in quick mode one round
  # of each is enough and keeps the whole run under 10 minutes on 2 cores.
  if [ "$mode" = full ] || [ "$round" -eq 1 ]; then
    echo "round $round/$rounds: raw ceiling" >&2
    java -jar "$jar" "$stacks" -p impl=raw -p executor=direct "${jmh[@]}" -prof gc "$@" \
      -rf csv -rff "$out/round$round-raw.csv" > "$out/round$round-raw.log" 2>&1
    echo "round $round/$rounds: micro-benchmarks" >&2
    java -jar "$jar" 'dev.tern.benchmarks.FramingBenchmark' "${jmh[@]}" "$@" \
      -rf csv -rff "$out/round$round-micro.csv" > "$out/round$round-micro.log" 2>&1
  fi
done

echo >&2
echo "Ran in $(( $(date +%s) - started )) s; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo \
  | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1)" | tee "$out/machine.txt"
java -cp "$jar" dev.tern.benchmarks.Report "$out"/round*.csv | tee "$out/table.md"
