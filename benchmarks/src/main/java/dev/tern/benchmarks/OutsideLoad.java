package dev.tern.benchmarks;

import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The outside-load comparison: one grpc-java client drives a server process started by
 * {@code bench-server.sh} — Tern, then grpc-java (the order alternating by round), and the raw
 * HTTP/2 echo in the first round — with two scenarios per server start: 64 unary calls in flight
 * on one connection (0 B) and one StreamingFromServer call (1 KiB messages). The server's CPU time
 * (utime + stime in /proc/PID/stat) is read around each measured window. Both executor modes run
 * by default, each server side in the same mode; the table holds medians over restarts and each
 * side's spread (min–max of its rate).
 *
 * <pre>java -cp benchmarks.jar dev.tern.benchmarks.OutsideLoad --script=benchmarks/bench-server.sh
 *     [--executor=direct|pool | --all-modes] [--rounds=5] [--warmup=4] [--seconds=6]
 *     [--impls=tern,grpc,raw] [--in-flight=64]</pre>
 */
// GrpcLoad.close() throws Exception, AutoCloseable's own signature: it waits for event loops.
@SuppressWarnings("try")
public final class OutsideLoad {
  static final int IN_FLIGHT = 64;
  static final int STREAM_MESSAGE = 1024;

  /**
   * What one server start measured: rate and server CPU per operation, per scenario, and the
   * unary window as {@link #window} returns it (with its counts per call).
   */
  record Sample(double callsPerSecond, double cpuMicrosPerCall, double msgsPerSecond,
      double cpuMicrosPerMsg, double[] unaryCounts) {}

  public static void main(String[] args) throws Exception {
    Args a = new Args(args, "script", "rounds", "warmup", "seconds", "impls", "in-flight");
    String script = a.string("script", "benchmarks/bench-server.sh");
    int rounds = a.integer("rounds", 5);
    int warmup = a.integer("warmup", 4);
    int seconds = a.integer("seconds", 6);
    List<String> modes = a.modes();
    List<String> impls = a.list("impls", List.of("tern", "grpc", "raw"));
    int inFlight = a.integer("in-flight", IN_FLIGHT);
    long started = System.nanoTime();
    StringBuilder table = new StringBuilder();
    table.append(String.format(Locale.ROOT, "%nOutside load: a grpc-java client in another"
        + " process; unary = %d calls in flight on one connection, 0 B; stream = one"
        + " StreamingFromServer call, %d B messages. Medians of %d server starts per side"
        + " (alternating), %d s measured after %d s warm-up; raw echo: first round only."
        + " Spread = min–max of the rate over starts ((max-min)/median).%n%n",
        inFlight, STREAM_MESSAGE, rounds, seconds, warmup));
    table.append("| scenario | executor | unit | Tern | grpc-java | raw echo | Tern/grpc |"
        + " Tern spread | grpc-java spread |\n|---|---|---|---:|---:|---:|---:|---|---|\n");
    // The load generator runs in this JVM: its first server start would meet a client whose JIT
    // is still cold, which halves that start's rate and doubles its server CPU per call (round 1
    // always ran low for whichever side went first, and one start was not enough). Unmeasured
    // starts with a three-times longer warm-up warm it, one per side.
    for (String impl : impls) {
      Sample cold = measure(script, impl, modes.get(0), inFlight, 3 * warmup, seconds);
      System.err.printf(Locale.ROOT, "client warm-up (not counted): %s %s unary %,9.0f"
          + " calls/s%n", modes.get(0), impl, cold.callsPerSecond());
    }
    for (String mode : modes) {
      Map<String, List<Sample>> samples = new LinkedHashMap<>();
      for (int round = 1; round <= rounds; round++) {
        List<String> order = new ArrayList<>(impls);
        if (round % 2 == 0) {
          java.util.Collections.reverse(order);
        }
        for (String impl : order) {
          if (impl.equals("raw") && round > 1) {
            continue; // no executor and no gRPC: the ceiling needs no repeats
          }
          Sample s = measure(script, impl, mode, inFlight, warmup, seconds);
          System.err.printf(Locale.ROOT, "%s round %d %-4s unary %,9.0f calls/s %6.2f us CPU/call;"
              + " stream %,9.0f msgs/s %6.2f us CPU/msg; per unary call %.2f write syscalls"
              + " %.2f context switches, %.0f threads, JIT %.0f %% of server CPU%n", mode, round,
              impl, s.callsPerSecond(), s.cpuMicrosPerCall(), s.msgsPerSecond(),
              s.cpuMicrosPerMsg(), s.unaryCounts()[2], s.unaryCounts()[3], s.unaryCounts()[4],
              s.unaryCounts()[5]);
          samples.computeIfAbsent(impl, k -> new ArrayList<>()).add(s);
        }
      }
      row(table, "unary " + inFlight + " in flight", mode, "calls/s", samples,
          Sample::callsPerSecond, true);
      row(table, "unary server CPU per call", mode, "us", samples, Sample::cpuMicrosPerCall, false);
      row(table, "server streaming 1 KiB", mode, "msgs/s", samples, Sample::msgsPerSecond, true);
      row(table, "server CPU per streamed msg", mode, "us", samples, Sample::cpuMicrosPerMsg,
          false);
    }
    table.append(String.format(Locale.ROOT, "%n%s Ran in %d s.%n", Stats.machine(),
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
    System.out.print(table);
  }

  private static void row(StringBuilder table, String scenario, String mode, String unit,
      Map<String, List<Sample>> samples, java.util.function.ToDoubleFunction<Sample> metric,
      boolean spread) {
    List<Double> tern = values(samples, "tern", metric);
    List<Double> grpc = values(samples, "grpc", metric);
    List<Double> raw = values(samples, "raw", metric);
    double t = tern.isEmpty() ? Double.NaN : Stats.median(tern);
    double g = grpc.isEmpty() ? Double.NaN : Stats.median(grpc);
    double r = raw.isEmpty() ? Double.NaN : Stats.median(raw);
    table.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
        scenario, mode, unit, Stats.format(t), Stats.format(g), Stats.format(r),
        Stats.ratio(t, g), spread ? Stats.range(tern) : "", spread ? Stats.range(grpc) : ""));
  }

  private static List<Double> values(Map<String, List<Sample>> samples, String impl,
      java.util.function.ToDoubleFunction<Sample> metric) {
    List<Double> out = new ArrayList<>();
    for (Sample s : samples.getOrDefault(impl, List.of())) {
      out.add(metric.applyAsDouble(s));
    }
    return out;
  }

  /** One server start: the unary window, then the streaming window, on the same server. */
  static Sample measure(String script, String impl, String executor, int inFlight, int warmup,
      int seconds) throws Exception {
    try (ServerProcess server = ServerProcess.benchServer(script, impl, executor);
        GrpcLoad load = new GrpcLoad(server.port(), 1, 1)) {
      double[] u = unary(server, load, impl, inFlight, warmup, seconds);
      SimpleRequest streamRequest =
          SimpleRequest.newBuilder().setResponseSize(STREAM_MESSAGE).build();
      double[] s;
      try (GrpcLoad.ServerStream stream = load.serverStream(streamRequest)) {
        awaitFirst(stream::received);
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
        s = window(server, seconds, stream::received);
        if (stream.failed() > 0) {
          throw new IllegalStateException("the server stream failed against " + impl);
        }
      }
      return new Sample(u[0], u[1], s[0], s[1], u);
    }
  }

  /** The unary rate (calls/s) of one fresh server: the maximum with 64 calls in flight. */
  static double unaryRate(String script, String impl, String executor, int warmup, int seconds)
      throws Exception {
    try (ServerProcess server = ServerProcess.benchServer(script, impl, executor);
        GrpcLoad load = new GrpcLoad(server.port(), 1, 1)) {
      return unary(server, load, impl, IN_FLIGHT, warmup, seconds)[0];
    }
  }

  private static double[] unary(ServerProcess server, GrpcLoad load, String impl, int inFlight,
      int warmup, int seconds) throws Exception {
    GrpcLoad.ClosedLoop unary = load.closedLoop(Payloads.request(0), inFlight);
    double[] u;
    try {
      awaitFirst(unary::completed);
      Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
      u = window(server, seconds, unary::completed);
    } finally {
      unary.stop();
    }
    if (unary.failed() > 0) {
      throw new IllegalStateException(unary.failed() + " calls failed against " + impl);
    }
    return u;
  }

  /**
   * Waits for the first operation, so that warm-up starts once both JVMs have loaded their
   * classes and connected (seconds on a loaded machine).
   */
  static void awaitFirst(java.util.function.LongSupplier operations) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (operations.getAsLong() == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no operation completed in 60 s");
      }
      Thread.sleep(10);
    }
  }

  /**
   * Over one measured window: rate per second, server CPU microseconds, write system calls and
   * voluntary context switches per operation, the server's live threads at its end, and the share
   * of the server's CPU its JIT compiler threads used. The counts tell a fast server start from a
   * slow one without timing (issue 14): a start whose compiler is still busy in the window is
   * still warming up.
   */
  static double[] window(ServerProcess server, int seconds,
      java.util.function.LongSupplier operations) throws Exception {
    long cpuBefore = server.cpuMicros();
    long writesBefore = server.writeSyscalls();
    long switchesBefore = server.contextSwitches();
    long compilerBefore = server.compilerCpuMicros();
    long opsBefore = operations.getAsLong();
    long start = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    long ops = operations.getAsLong() - opsBefore;
    long elapsed = System.nanoTime() - start;
    long cpu = server.cpuMicros() - cpuBefore;
    long writes = server.writeSyscalls() - writesBefore;
    long switches = server.contextSwitches() - switchesBefore;
    long compiler = Math.max(0, server.compilerCpuMicros() - compilerBefore);
    if (ops == 0) {
      throw new IllegalStateException("no operation completed in the window");
    }
    return new double[] {ops * 1e9 / elapsed, (double) cpu / ops, (double) writes / ops,
        (double) switches / ops, server.threads(), cpu == 0 ? 0 : 100.0 * compiler / cpu};
  }
}
