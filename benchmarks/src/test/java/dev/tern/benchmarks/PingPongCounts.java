package dev.tern.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Counts what one bidi ping-pong round trip costs, per thread of this JVM: CPU time and times
 * scheduled in (from {@code /proc/self/task/N/schedstat}) and voluntary/involuntary context
 * switches (from {@code status}), and bytes allocated per Java thread (ThreadMXBean, exact), over
 * a fixed number of round trips after a warm-up. For
 * syscall counts, attach {@code strace -c -f -p PID} while it waits: with {@code --go=FILE} it
 * prints {@code READY pid} after the warm-up and starts measuring once FILE exists.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar:benchmarks/target/test-classes
 * dev.tern.benchmarks.PingPongCounts tern|grpc|raw direct|pool [rounds] [--go=FILE]}
 *
 * <p>A diagnostic tool, not a test: it asserts nothing and is not run by the build.
 */
public final class PingPongCounts {
  private PingPongCounts() {}

  public static void main(String[] args) throws Exception {
    Harness.Impl impl = Harness.Impl.valueOf(args[0].toUpperCase(Locale.ROOT));
    boolean direct = "direct".equals(args[1]);
    int rounds = args.length > 2 && !args[2].startsWith("--") ? Integer.parseInt(args[2]) : 20_000;
    Path go = null;
    for (String a : args) {
      if (a.startsWith("--go=")) {
        go = Path.of(a.substring(5));
      }
    }
    try (Harness harness = Harness.create(impl, direct);
        Harness.PingPong call = harness.pingPong(Payloads.request(StreamingBenchmark.MESSAGE))) {
      for (int i = 0; i < 50_000; i++) {
        call.roundTrip();
      }
      if (go != null) {
        System.out.println("READY " + ProcessHandle.current().pid());
        System.out.flush();
        while (!Files.exists(go)) {
          TimeUnit.MILLISECONDS.sleep(20);
        }
      }
      Map<String, Long> allocBefore = allocated();
      Map<String, long[]> before = sample();
      long start = System.nanoTime();
      for (int i = 0; i < rounds; i++) {
        call.roundTrip();
      }
      long elapsed = System.nanoTime() - start;
      Map<String, long[]> after = sample();
      Map<String, Long> allocAfter = allocated();
      print(impl + " " + args[1], rounds, elapsed, before, after);
      long total = 0;
      StringBuilder line = new StringBuilder();
      for (Map.Entry<String, Long> e : allocAfter.entrySet()) {
        long d = e.getValue() - allocBefore.getOrDefault(e.getKey(), 0L);
        if (d >= rounds) {
          line.append(String.format(Locale.ROOT, " %s=%.0f", e.getKey(), (double) d / rounds));
          total += d;
        }
      }
      System.out.printf(Locale.ROOT, "  bytes allocated per round trip: %.0f (%s)%n",
          (double) total / rounds, line.toString().trim());
    }
  }

  /** Bytes allocated so far per Java thread name (digits merged). */
  private static Map<String, Long> allocated() {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    Map<String, Long> out = new TreeMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      long bytes = mx.getThreadAllocatedBytes(t.getId());
      if (bytes > 0) {
        out.merge(t.getName().replaceAll("[0-9-]+$", "N"), bytes, Long::sum);
      }
    }
    return out;
  }

  /** Per thread name (merged): cpu ns, times scheduled, voluntary, involuntary switches. */
  private static Map<String, long[]> sample() throws IOException {
    Map<String, long[]> out = new TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String name = Files.readString(task.resolve("comm")).trim()
              .replaceAll("[0-9]+$", "N");
          String[] sched = Files.readString(task.resolve("schedstat")).trim().split(" ");
          long vol = 0;
          long invol = 0;
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
              vol = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
              invol = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
          long[] v = out.computeIfAbsent(name, k -> new long[4]);
          v[0] += Long.parseLong(sched[0]);
          v[1] += Long.parseLong(sched[2]);
          v[2] += vol;
          v[3] += invol;
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    }
    return out;
  }

  private static void print(String label, int rounds, long elapsed, Map<String, long[]> before,
      Map<String, long[]> after) {
    System.out.printf(Locale.ROOT, "%s: %d round trips, %.0f round trips/s%n", label, rounds,
        rounds * 1e9 / elapsed);
    System.out.printf(Locale.ROOT, "  %-28s %10s %10s %10s %10s%n", "thread (per round trip)",
        "cpu us", "sched-in", "vol cs", "invol cs");
    double[] total = new double[4];
    for (Map.Entry<String, long[]> e : after.entrySet()) {
      long[] b = before.getOrDefault(e.getKey(), new long[4]);
      long[] a = e.getValue();
      double[] d = new double[4];
      for (int i = 0; i < 4; i++) {
        d[i] = (double) (a[i] - b[i]) / rounds;
        total[i] += d[i];
      }
      if (d[0] * rounds < 1e6 && d[1] < 0.01) {
        continue; // idle during the measurement
      }
      System.out.printf(Locale.ROOT, "  %-28s %10.2f %10.2f %10.2f %10.2f%n", e.getKey(),
          d[0] / 1000, d[1], d[2], d[3]);
    }
    System.out.printf(Locale.ROOT, "  %-28s %10.2f %10.2f %10.2f %10.2f%n", "TOTAL",
        total[0] / 1000, total[1], total[2], total[3]);
  }
}
