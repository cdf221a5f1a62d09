package dev.tern.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Latency under load, open loop: first grpc-java's maximum unary rate on this machine (64 calls
 * in flight on one connection, like {@link OutsideLoad}), then a fixed-rate generator
 * ({@link OpenLoop}) at 50 % and 80 % of it against Tern's and grpc-java's servers (fresh
 * {@code bench-server.sh} processes, alternating which side goes first), the same executor mode
 * on both sides. The load generator runs in this JVM, so before anything is measured one
 * unmeasured open-loop start per side warms it (as {@link OutsideLoad} does). Each start gives
 * its own HdrHistogram; the table holds each percentile's median over starts, and the spread
 * of p50 and p99 over starts (one bad start moves a merged p99, not a median).
 *
 * <pre>java -cp benchmarks.jar dev.tern.benchmarks.LatencyUnderLoad
 *     [--script=benchmarks/bench-server.sh] [--executor=direct|pool | --all-modes]
 *     [--rounds=3] [--warmup=3] [--seconds=8] [--loads=50,80]</pre>
 */
public final class LatencyUnderLoad {
  private static final double[] PERCENTILES = {50, 99, 99.9};

  public static void main(String[] args) throws Exception {
    Args a = new Args(args, "script", "rounds", "warmup", "seconds", "loads");
    String script = a.string("script", "benchmarks/bench-server.sh");
    int rounds = a.integer("rounds", 3);
    int warmup = a.integer("warmup", 3);
    int seconds = a.integer("seconds", 8);
    List<String> modes = a.modes();
    List<Integer> loads = new ArrayList<>();
    for (String l : a.list("loads", List.of("50", "80"))) {
      loads.add(Integer.parseInt(l));
    }
    long started = System.nanoTime();
    StringBuilder table = new StringBuilder();
    table.append(String.format(Locale.ROOT, "%nLatency under load, open loop: a grpc-java client"
        + " sends unary calls (0 B) at a fixed rate on one connection, latency counted from each"
        + " call's intended send time (coordinated omission corrected). Rate = %% of grpc-java's"
        + " measured maximum (64 in flight) in the same mode. %d server starts per side"
        + " (alternating), after one unmeasured start per side that warms the client; %d s"
        + " measured after %d s warm-up per start; medians over starts, spread = min–max over"
        + " starts ((max-min)/median).%n%n", rounds, seconds, warmup));
    table.append("| load | executor | rate (calls/s) | percentile | Tern (us) | grpc-java (us)"
        + " | Tern/grpc | Tern spread | grpc-java spread |\n"
        + "|---|---|---:|---|---:|---:|---:|---|---|\n");
    boolean clientWarm = false;
    for (String mode : modes) {
      double max = OutsideLoad.unaryRate(script, "grpc", mode, warmup, Math.max(1, seconds / 2));
      System.err.printf(Locale.ROOT, "%s: grpc-java maximum %,.0f calls/s%n", mode, max);
      if (!clientWarm) {
        // The open-loop sender and its callbacks are still cold after the closed-loop maximum:
        // the first measured start would pay for their JIT. One unmeasured start per side.
        double rate = max * loads.get(0) / 100;
        for (String impl : List.of("tern", "grpc")) {
          Histogram h = measure(script, impl, mode, rate, 3 * warmup, seconds);
          System.err.printf(Locale.ROOT, "client warm-up (not counted): %s %s p50 %,.0f us"
              + " p99 %,.0f us%n", mode, impl, micros(h, 50), micros(h, 99));
        }
        clientWarm = true;
      }
      for (int load : loads) {
        double rate = max * load / 100;
        // Per side, per percentile: one value per start.
        Map<String, Map<Double, List<Double>>> values = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
          List<String> order = round % 2 == 1 ? List.of("tern", "grpc") : List.of("grpc", "tern");
          for (String impl : order) {
            Histogram h = measure(script, impl, mode, rate, warmup, seconds);
            System.err.printf(Locale.ROOT, "%s %d%% round %d %-4s p50 %,.0f us p99 %,.0f us"
                + " p99.9 %,.0f us (%d calls)%n", mode, load, round, impl,
                micros(h, 50), micros(h, 99), micros(h, 99.9), h.getTotalCount());
            for (double p : PERCENTILES) {
              values.computeIfAbsent(impl, k -> new LinkedHashMap<>())
                  .computeIfAbsent(p, k -> new ArrayList<>()).add(micros(h, p));
            }
          }
        }
        for (double p : PERCENTILES) {
          List<Double> tern = values.get("tern").get(p);
          List<Double> grpc = values.get("grpc").get(p);
          double t = Stats.median(tern);
          double g = Stats.median(grpc);
          boolean spread = p < 99.9;
          table.append(String.format(Locale.ROOT, "| %d %% | %s | %s | p%s | %s | %s | %s | %s"
              + " | %s |%n", load, mode, Stats.format(rate),
              p == 99.9 ? "99.9" : String.valueOf((int) p), Stats.format(t), Stats.format(g),
              Stats.ratio(t, g), spread ? Stats.range(tern) : "", spread ? Stats.range(grpc) : ""));
        }
      }
    }
    table.append(String.format(Locale.ROOT, "%n%s Ran in %d s.%n", Stats.machine(),
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
    System.out.print(table);
  }

  private static double micros(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }

  /** One server start: warm up at the rate, then the measured window's latencies. */
  // GrpcLoad.close() throws Exception, AutoCloseable's own signature: it waits for event loops.
  @SuppressWarnings("try")
  private static Histogram measure(String script, String impl, String executor, double rate,
      int warmup, int seconds) throws Exception {
    try (ServerProcess server = ServerProcess.benchServer(script, impl, executor);
        GrpcLoad load = new GrpcLoad(server.port(), 1, 1)) {
      // Connected and classes loaded before the schedule starts.
      GrpcLoad.ClosedLoop first = load.closedLoop(Payloads.request(0), 1);
      OutsideLoad.awaitFirst(first::completed);
      first.stop();
      OpenLoop loop = new OpenLoop(load.stub(0), Payloads.request(0), rate);
      loop.run(TimeUnit.SECONDS.toNanos(warmup));
      Histogram h = loop.run(TimeUnit.SECONDS.toNanos(seconds));
      if (loop.failed() > 0) {
        throw new IllegalStateException(loop.failed() + " calls failed against " + impl);
      }
      return h;
    }
  }
}
