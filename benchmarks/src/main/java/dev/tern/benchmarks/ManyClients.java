package dev.tern.benchmarks;

import io.grpc.benchmarks.proto.BenchmarkServiceTern;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Many clients against one server process ({@code bench-server.sh}): (1) 16 grpc-java
 * connections with 16 unary calls in flight each, calls/s and server CPU per call, Tern against
 * grpc-java in both executor modes (alternating, medians over starts) next to the raw echo;
 * (2) 1,000 connections opened at once by {@code h2load -c 1000 -m 1}, 30 calls each: server RSS
 * per connection (peak RSS while h2load runs minus RSS before, over 1,000) and server CPU per call
 * with connection setup included, for the raw echo, Tern and grpc-java in both modes, each row
 * {@code --rounds} server starts (alternating the order by round), medians. RSS and the first
 * CPU figure come from the first flood; the 16 connections of the call warm-up leave connection
 * setup and teardown to the interpreter and the JIT, whose compiler threads took 40-50 % of that
 * flood's CPU on every server. So the same flood runs {@code --warm-floods} more times and the
 * last gives a second CPU figure, with the compiler threads' share of it reported apart.
 *
 * <pre>java -cp benchmarks.jar dev.tern.benchmarks.ManyClients
 *     [--script=benchmarks/bench-server.sh] [--executor=direct|pool | --all-modes]
 *     [--rounds=3] [--warmup=3] [--seconds=6] [--connections=1000] [--calls-per-connection=30]
 *     [--warm-floods=1]</pre>
 */
// GrpcLoad.close() throws Exception, AutoCloseable's own signature: it waits for event loops.
@SuppressWarnings("try")
public final class ManyClients {
  static final int CONNECTIONS = 16;
  static final int IN_FLIGHT_PER_CONNECTION = 16;

  /**
   * One server start's floods: RSS per connection (KiB) and server CPU per call (us) in the first
   * flood; in the last, server CPU per call, the part of it the JIT compiler threads took, and
   * calls/s.
   */
  record Flood(double rssKibPerConnection, double firstCpuMicrosPerCall, double cpuMicrosPerCall,
      double jitMicrosPerCall, double requestsPerSecond) {}

  public static void main(String[] args) throws Exception {
    Args a = new Args(args, "script", "rounds", "warmup", "seconds", "connections",
        "calls-per-connection", "warm-floods");
    String script = a.string("script", "benchmarks/bench-server.sh");
    int rounds = a.integer("rounds", 3);
    int warmup = a.integer("warmup", 3);
    int seconds = a.integer("seconds", 6);
    int connections = a.integer("connections", 1000);
    int callsPerConnection = a.integer("calls-per-connection", 30);
    int warmFloods = a.integer("warm-floods", 1);
    List<String> modes = a.modes();
    long started = System.nanoTime();
    StringBuilder table = new StringBuilder();
    table.append(String.format(Locale.ROOT, "%nMany clients (1): grpc-java clients, %d connections"
        + " x %d unary calls in flight (0 B), %d server starts per side (alternating; raw echo"
        + " once), %d s measured after %d s warm-up, medians.%n%n", CONNECTIONS,
        IN_FLIGHT_PER_CONNECTION, rounds, seconds, warmup));
    table.append("| scenario | executor | unit | Tern | grpc-java | raw echo | Tern/grpc |"
        + " Tern spread | grpc-java spread |\n|---|---|---|---:|---:|---:|---:|---|---|\n");
    // The grpc-java clients run in this JVM: the first server start would meet them with a cold
    // JIT (that start ran at half rate in earlier runs). One unmeasured start warms them.
    double[] cold = sixteenBySixteen(script, "tern", modes.get(0), warmup, seconds);
    System.err.printf(Locale.ROOT, "client warm-up (not counted): %s tern %,9.0f calls/s%n",
        modes.get(0), cold[0]);
    for (String mode : modes) {
      Map<String, List<Double>> rate = new LinkedHashMap<>();
      Map<String, List<Double>> cpu = new LinkedHashMap<>();
      for (int round = 1; round <= rounds; round++) {
        List<String> order = round % 2 == 1 ? List.of("tern", "grpc", "raw")
            : List.of("raw", "grpc", "tern");
        for (String impl : order) {
          if (impl.equals("raw") && round > 1) {
            continue;
          }
          double[] r = sixteenBySixteen(script, impl, mode, warmup, seconds);
          System.err.printf(Locale.ROOT, "%s round %d %-4s %,9.0f calls/s %7.2f us CPU/call%n",
              mode, round, impl, r[0], r[1]);
          rate.computeIfAbsent(impl, k -> new ArrayList<>()).add(r[0]);
          cpu.computeIfAbsent(impl, k -> new ArrayList<>()).add(r[1]);
        }
      }
      row(table, "16 x 16 unary", mode, "calls/s", rate, true);
      row(table, "16 x 16 server CPU per call", mode, "us", cpu, false);
    }

    if (H2load.available()) {
      table.append(String.format(Locale.ROOT, "%nMany clients (2): h2load -c %d -m 1, %d calls"
          + " per connection (gRPC UnaryCall, 0 B), after a warm-up of 20,000 calls on 16"
          + " connections; %d server start(s) per row (rounds alternate the order), medians."
          + " First: RSS and CPU of the first flood (connection setup still cold); warmed: CPU"
          + " of the same flood run %d more time(s), of which JIT = the JVM's compiler threads."
          + " RSS per connection = peak RSS minus RSS before, over the connections: it counts the"
          + " bytes allocated during the flood (no GC runs in it) more than memory held; see"
          + " run.sh connections.%n%n", connections, callsPerConnection, rounds, warmFloods));
      table.append("| server | executor | RSS per connection (KiB) | server CPU per call incl."
          + " setup, first (us) | warmed (us) | of which JIT (us) | calls/s (warmed) | RSS vs"
          + " raw | CPU vs grpc-java (same mode), first | warmed | warmed without JIT |"
          + " RSS spread |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
      List<String> rows = new ArrayList<>(List.of("raw:direct"));
      for (String mode : modes) {
        rows.add("grpc:" + mode);
        rows.add("tern:" + mode);
      }
      Map<String, List<Flood>> floods = new LinkedHashMap<>();
      for (int round = 1; round <= rounds; round++) {
        List<String> order = new ArrayList<>(rows);
        if (round % 2 == 0) {
          java.util.Collections.reverse(order);
        }
        for (String row : order) {
          String[] r = row.split(":");
          floods.computeIfAbsent(row, k -> new ArrayList<>())
              .add(flood(script, r[0], r[1], connections, callsPerConnection, warmFloods));
        }
      }
      Flood raw = median(floods.get("raw:direct"));
      table.append(floodRow("raw echo", "-", raw, raw, null, floods.get("raw:direct")));
      for (String mode : modes) {
        Flood grpc = median(floods.get("grpc:" + mode));
        Flood tern = median(floods.get("tern:" + mode));
        table.append(floodRow("Tern", mode, tern, raw, grpc, floods.get("tern:" + mode)));
        table.append(floodRow("grpc-java", mode, grpc, raw, grpc, floods.get("grpc:" + mode)));
      }
    } else if ("true".equals(System.getenv("CI"))) {
      H2load.require();
    } else {
      table.append("\n(h2load not installed: the 1,000-connection scenario was skipped.)\n");
    }
    table.append(String.format(Locale.ROOT, "%n%s Ran in %d s.%n", Stats.machine(),
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
    System.out.print(table);
  }

  private static void row(StringBuilder table, String scenario, String mode, String unit,
      Map<String, List<Double>> values, boolean spread) {
    double t = Stats.median(values.get("tern"));
    double g = Stats.median(values.get("grpc"));
    double r = Stats.median(values.get("raw"));
    table.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
        scenario, mode, unit, Stats.format(t), Stats.format(g), Stats.format(r),
        Stats.ratio(t, g), spread ? Stats.range(values.get("tern")) : "",
        spread ? Stats.range(values.get("grpc")) : ""));
  }

  private static String floodRow(String server, String mode, Flood f, Flood raw, Flood grpc,
      List<Flood> starts) {
    List<Double> rss = new ArrayList<>();
    for (Flood s : starts) {
      rss.add(s.rssKibPerConnection());
    }
    return String.format(Locale.ROOT,
        "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
        server, mode, Stats.format(f.rssKibPerConnection()),
        Stats.format(f.firstCpuMicrosPerCall()), Stats.format(f.cpuMicrosPerCall()),
        Stats.format(f.jitMicrosPerCall()), Stats.format(f.requestsPerSecond()),
        Stats.ratio(f.rssKibPerConnection(), raw.rssKibPerConnection()),
        grpc == null ? "-" : Stats.ratio(f.firstCpuMicrosPerCall(), grpc.firstCpuMicrosPerCall()),
        grpc == null ? "-" : Stats.ratio(f.cpuMicrosPerCall(), grpc.cpuMicrosPerCall()),
        grpc == null ? "-" : Stats.ratio(f.cpuMicrosPerCall() - f.jitMicrosPerCall(),
            grpc.cpuMicrosPerCall() - grpc.jitMicrosPerCall()),
        Stats.range(rss));
  }

  /** Each figure's median over server starts. */
  private static Flood median(List<Flood> starts) {
    List<Double> rss = new ArrayList<>();
    List<Double> first = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    List<Double> jit = new ArrayList<>();
    List<Double> rate = new ArrayList<>();
    for (Flood f : starts) {
      rss.add(f.rssKibPerConnection());
      first.add(f.firstCpuMicrosPerCall());
      cpu.add(f.cpuMicrosPerCall());
      jit.add(f.jitMicrosPerCall());
      rate.add(f.requestsPerSecond());
    }
    return new Flood(Stats.median(rss), Stats.median(first), Stats.median(cpu),
        Stats.median(jit), Stats.median(rate));
  }

  /** calls/s and server CPU us per call with 16 connections x 16 calls in flight. */
  private static double[] sixteenBySixteen(String script, String impl, String mode, int warmup,
      int seconds) throws Exception {
    try (ServerProcess server = ServerProcess.benchServer(script, impl, mode);
        GrpcLoad load = new GrpcLoad(server.port(), CONNECTIONS, 1)) {
      GrpcLoad.ClosedLoop loop = load.closedLoop(Payloads.request(0), IN_FLIGHT_PER_CONNECTION);
      double[] r;
      try {
        OutsideLoad.awaitFirst(loop::completed);
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
        r = OutsideLoad.window(server, seconds, loop::completed);
      } finally {
        loop.stop();
      }
      if (loop.failed() > 0) {
        throw new IllegalStateException(loop.failed() + " calls failed against " + impl);
      }
      return r;
    }
  }

  /** What one flood cost the server. */
  private record Measured(long peakRssKib, double cpuMicrosPerCall, double jitMicrosPerCall,
      double requestsPerSecond) {}

  /** {@code connections} connections at once, {@code callsPerConnection} calls each. */
  private static Measured measuredFlood(ServerProcess server, String impl, int connections,
      int callsPerConnection, List<String> grpc) throws Exception {
    long calls = (long) connections * callsPerConnection;
    long cpuBefore = server.cpuMicros();
    long jitBefore = server.compilerCpuMicros();
    H2load.Result r = H2load.run(server, connections, 1, calls, grpc);
    long cpu = server.cpuMicros() - cpuBefore;
    // A compiler thread that ended during the flood takes its count along: clamp at zero.
    long jit = Math.max(0, server.compilerCpuMicros() - jitBefore);
    if (r.failed() > 0 || r.succeeded() < calls) {
      throw new IllegalStateException(impl + ": " + r.failed() + " of " + calls
          + " calls failed");
    }
    return new Measured(r.peakRssKib(), (double) cpu / calls, (double) jit / calls,
        r.requestsPerSecond());
  }

  /**
   * One server start: warm up with calls, then {@code connections} connections at once, measured,
   * {@code 1 + warmFloods} times.
   */
  static Flood flood(String script, String impl, String mode, int connections,
      int callsPerConnection, int warmFloods) throws Exception {
    Path body = H2load.grpcBody(Payloads.request(0));
    try (ServerProcess server = ServerProcess.benchServer(script, impl, mode)) {
      List<String> grpc = H2load.grpc(server.port(),
          BenchmarkServiceTern.getUnaryCallMethod().getFullMethodName(), body);
      H2load.run(server, 16, 16, 20_000, grpc);
      long rssBefore = server.rssKib();
      Measured first = measuredFlood(server, impl, connections, callsPerConnection, grpc);
      Measured last = first;
      for (int i = 0; i < warmFloods; i++) {
        last = measuredFlood(server, impl, connections, callsPerConnection, grpc);
      }
      Flood f = new Flood((double) (first.peakRssKib() - rssBefore) / connections,
          first.cpuMicrosPerCall(), last.cpuMicrosPerCall(), last.jitMicrosPerCall(),
          last.requestsPerSecond());
      System.err.printf(Locale.ROOT, "flood %-4s %-6s %6.1f KiB/connection %7.1f us CPU/call,"
          + " warmed %7.1f (JIT %5.1f) %,8.0f calls/s%n", impl, mode, f.rssKibPerConnection(),
          f.firstCpuMicrosPerCall(), f.cpuMicrosPerCall(), f.jitMicrosPerCall(),
          f.requestsPerSecond());
      return f;
    }
  }
}
