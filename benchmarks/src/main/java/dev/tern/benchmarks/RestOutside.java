package dev.tern.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * gRPC against JSON/REST, from outside: {@code h2load} asks an {@link OrderServer} process for
 * orders — as gRPC over HTTP/2 to Tern (64 in flight = 64 streams on one connection), as
 * HTTP/1.1 GETs ({@code --h1}) to Vert.x Web and to the Netty handler (64 in flight = 64
 * keep-alive connections) — with 1 and 64 in flight; the server's CPU time per request
 * (/proc/PID/stat) and bytes on the wire per request (the server's socket reads and writes,
 * /proc/PID/io). Servers start fresh per round, alternating. With {@code --jmh=FILE} it first
 * prints the whole-stack table from {@link RestBenchmark}'s CSV.
 *
 * <pre>java -cp benchmarks.jar dev.tern.benchmarks.RestOutside [--jmh=rest.csv] [--rounds=3]
 *     [--warmup=3] [--seconds=5] [--impls=tern,tern-direct,vertx,netty]</pre>
 */
public final class RestOutside {
  private static final String METHOD = "tern.bench.orders.OrderService/GetOrder";
  private static final List<String> LABELS =
      List.of("tern", "tern-direct", "vertx", "netty");
  private static final long ID = 42;

  /** One measured window. */
  record Sample(double requestsPerSecond, double cpuMicros, double wireBytes,
      double responseBytes) {}

  public static void main(String[] args) throws Exception {
    Args a = new Args(args, "rounds", "warmup", "seconds", "jmh", "impls");
    int rounds = a.integer("rounds", 3);
    int warmup = a.integer("warmup", 3);
    int seconds = a.integer("seconds", 5);
    String jmh = a.string("jmh", null);
    List<String> impls = a.list("impls", LABELS);
    long started = System.nanoTime();
    StringBuilder table = new StringBuilder();
    if (jmh != null) {
      jmhTable(table, Path.of(jmh));
    }
    if (!H2load.available()) {
      if ("true".equals(System.getenv("CI"))) {
        H2load.require();
      }
      table.append("\n(h2load not installed: the outside view was skipped.)\n");
    } else {
      Map<String, List<Sample>> samples = new LinkedHashMap<>();
      for (int round = 1; round <= rounds; round++) {
        List<String> order = new ArrayList<>(impls);
        if (round % 2 == 0) {
          Collections.reverse(order);
        }
        for (String impl : order) {
          Sample[] s = measure(impl, warmup, seconds);
          for (int i = 0; i < s.length; i++) {
            System.err.printf(Locale.ROOT, "round %d %-11s %2d in flight: %,9.0f req/s %7.2f us"
                + " CPU/req %6.0f B wire/req%n", round, impl, i == 0 ? 1 : 64,
                s[i].requestsPerSecond(), s[i].cpuMicros(), s[i].wireBytes());
            samples.computeIfAbsent(impl + "@" + i, k -> new ArrayList<>()).add(s[i]);
          }
        }
      }
      table.append(String.format(Locale.ROOT, "%nOutside view (h2load): gRPC over HTTP/2 to"
          + " Tern (64 in flight = 64 streams, one connection); HTTP/1.1 GET (--h1) to the REST"
          + " servers (64 in flight = 64 keep-alive connections). Medians of %d server starts"
          + " per side, %d s measured after %d s warm-up. Wire bytes = the server's socket reads"
          + " + writes per request (no TCP/IP headers).%n%n", rounds, seconds, warmup));
      header(table, "in flight | metric");
      String[] metrics = {"requests/s", "server CPU per request (us)",
          "wire bytes per request (both ways)", "bytes received by client per request"};
      for (int i = 0; i < 2; i++) {
        for (int m = 0; m < metrics.length; m++) {
          double[] v = new double[LABELS.size()];
          for (int k = 0; k < v.length; k++) {
            List<Sample> list = samples.get(LABELS.get(k) + "@" + i);
            v[k] = list == null ? Double.NaN : median(list, m);
          }
          row(table, (i == 0 ? "1" : "64") + " | " + metrics[m], v);
        }
      }
    }
    table.append(String.format(Locale.ROOT, "%nRatios: Tern over the REST server; above 1 is"
        + " better for requests/s, below 1 for latency, CPU and bytes.%n%s Ran in %d s.%n",
        Stats.machine(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
    System.out.print(table);
  }

  private static void header(StringBuilder table, String first) {
    table.append("| ").append(first).append(" | Tern (default executor) | Tern (direct) | Vert.x Web"
        + " | Netty HTTP/1.1 | Tern/Vert.x | Tern/Netty | Tern direct/Vert.x | Tern direct/Netty"
        + " |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  }

  /** v: tern, tern-direct, vertx, netty. */
  private static void row(StringBuilder table, String first, double[] v) {
    table.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
        first, Stats.format(v[0]), Stats.format(v[1]), Stats.format(v[2]), Stats.format(v[3]),
        Stats.ratio(v[0], v[2]), Stats.ratio(v[0], v[3]), Stats.ratio(v[1], v[2]),
        Stats.ratio(v[1], v[3])));
  }

  private static double median(List<Sample> list, int metric) {
    List<Double> values = new ArrayList<>();
    for (Sample s : list) {
      values.add(metric == 0 ? s.requestsPerSecond() : metric == 1 ? s.cpuMicros()
          : metric == 2 ? s.wireBytes() : s.responseBytes());
    }
    return Stats.median(values);
  }

  /** One server start: warm-up, then 1 and 64 in flight. */
  private static Sample[] measure(String impl, int warmup, int seconds) throws Exception {
    try (ServerProcess server = ServerProcess.java(OrderServer.class.getName(),
        "--impl=" + impl, "--port=0")) {
      boolean grpc = impl.startsWith("tern");
      List<String> target;
      if (grpc) {
        target = H2load.grpc(server.port(), METHOD, H2load.grpcBody(
            dev.tern.benchmarks.orders.GetOrderRequest.newBuilder().setId(ID).build()));
      } else {
        target = List.of("--h1", "http://127.0.0.1:" + server.port() + Orders.PATH + ID);
      }
      // One request first: the warm-up then starts with classes loaded and JIT under way.
      List<String> probe = new ArrayList<>(List.of("-n", "1", "-c", "1", "-m", "1"));
      probe.addAll(target);
      H2load.run(server, probe);
      run(server, grpc, 16, warmup, target);
      return new Sample[] {run(server, grpc, 1, seconds, target),
          run(server, grpc, 64, seconds, target)};
    }
  }

  private static Sample run(ServerProcess server, boolean grpc, int inFlight, int seconds,
      List<String> target) throws Exception {
    List<String> args = new ArrayList<>(grpc
        ? List.of("-c", "1", "-m", String.valueOf(inFlight))
        : List.of("-c", String.valueOf(inFlight), "-m", "1"));
    args.addAll(List.of("-D", String.valueOf(seconds)));
    args.addAll(target);
    long cpu = server.cpuMicros();
    long io = server.ioBytes();
    H2load.Result r = H2load.run(server, args);
    cpu = server.cpuMicros() - cpu;
    io = server.ioBytes() - io;
    if (r.failed() > 0 || r.succeeded() == 0) {
      throw new IllegalStateException(r.failed() + " requests failed, " + r.succeeded()
          + " succeeded");
    }
    long n = r.succeeded();
    return new Sample(r.requestsPerSecond(), (double) cpu / n, (double) io / n,
        (double) r.trafficBytes() / n);
  }

  /** The whole-stack table from RestBenchmark's JMH CSV. */
  private static void jmhTable(StringBuilder table, Path csv) throws IOException {
    Map<String, Double> scores = new LinkedHashMap<>();
    for (String line : Files.readAllLines(csv)) {
      String[] f = line.replace("\"", "").split(",");
      if (f.length < 8 || !f[0].startsWith("dev.tern.benchmarks.RestBenchmark.")) {
        continue;
      }
      String bench = f[0].substring("dev.tern.benchmarks.RestBenchmark.".length());
      scores.put(bench + "@" + f[7], Double.parseDouble(f[4]));
    }
    table.append(String.format(Locale.ROOT, "%nWhole stack (JMH, %s): each server with its"
        + " idiomatic client in one JVM — Tern's client; Vert.x WebClient (keep-alive, pool of"
        + " 64); the JDK HttpClient (HTTP/1.1) against the Netty handler. One fork per stack.%n%n",
        csv.getFileName()));
    header(table, "scenario | unit");
    String[][] rows = {{"throughput64", "64 in flight | requests/s"},
        {"latency:p0.50", "1 in flight, p50 | us"}, {"latency:p0.99", "1 in flight, p99 | us"}};
    for (String[] r : rows) {
      double[] v = new double[LABELS.size()];
      for (int k = 0; k < v.length; k++) {
        v[k] = scores.getOrDefault(r[0] + "@" + LABELS.get(k), Double.NaN);
      }
      row(table, r[1], v);
    }
  }
}
