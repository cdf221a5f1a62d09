package dev.tern.benchmarks;

import dev.tern.netty.internal.EventLoops;
import io.grpc.ManagedChannel;
import io.grpc.benchmarks.proto.BenchmarkServiceGrpc;
import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import io.grpc.benchmarks.proto.Messages.SimpleResponse;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outside-load comparison: one grpc-java client (64 unary calls in flight on one connection,
 * 0-byte messages) drives a server process started by {@code bench-server.sh} — Tern, then
 * grpc-java, then the raw HTTP/2 echo, the order alternating by round — and reads the server's
 * CPU time (utime + stime in /proc/PID/stat) around the measured window.
 *
 * <pre>java -cp benchmarks.jar dev.tern.benchmarks.OutsideLoad --script=benchmarks/bench-server.sh
 *     [--rounds=3] [--warmup=5] [--seconds=10] [--executor=direct|pool]</pre>
 */
public final class OutsideLoad {
  private static final int IN_FLIGHT = 64;

  record Result(double callsPerSecond, double cpuMicrosPerCall) {}

  public static void main(String[] args) throws Exception {
    String script = "benchmarks/bench-server.sh";
    int rounds = 3;
    int warmup = 5;
    int seconds = 10;
    String executor = "direct";
    List<String> impls = List.of("tern", "grpc", "raw");
    for (String arg : args) {
      String value = arg.substring(arg.indexOf('=') + 1);
      if (arg.startsWith("--script=")) {
        script = value;
      } else if (arg.startsWith("--rounds=")) {
        rounds = Integer.parseInt(value);
      } else if (arg.startsWith("--warmup=")) {
        warmup = Integer.parseInt(value);
      } else if (arg.startsWith("--seconds=")) {
        seconds = Integer.parseInt(value);
      } else if (arg.startsWith("--executor=")) {
        executor = value;
      } else if (arg.startsWith("--impls=")) {
        impls = List.of(value.split(","));
      } else {
        throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    long ticksPerSecond = clockTicks();
    Map<String, List<Result>> results = new LinkedHashMap<>();
    for (String impl : impls) {
      results.put(impl, new ArrayList<>());
    }
    for (int round = 1; round <= rounds; round++) {
      List<String> order = new ArrayList<>(impls);
      if (round % 2 == 0) {
        Collections.reverse(order);
      }
      for (String impl : order) {
        Result r = measure(script, impl, executor, warmup, seconds, ticksPerSecond);
        System.err.printf(Locale.ROOT, "round %d %-5s %,10.0f calls/s %7.2f us CPU/call%n",
            round, impl, r.callsPerSecond(), r.cpuMicrosPerCall());
        results.get(impl).add(r);
      }
    }
    Result grpc = results.containsKey("grpc") ? median(results.get("grpc")) : null;
    System.out.printf(Locale.ROOT, "%nOutside load: grpc-java client, %d unary calls in flight on"
        + " one connection, 0 B messages, executor=%s; medians of %d rounds of %d s (after %d s"
        + " warm-up).%n%n", IN_FLIGHT, executor, rounds, seconds, warmup);
    System.out.println("| server | calls/s | server CPU per call (us) | CPU/call vs grpc-java"
        + " | calls/s vs grpc-java |");
    System.out.println("|---|---:|---:|---:|---:|");
    for (Map.Entry<String, List<Result>> e : results.entrySet()) {
      Result m = median(e.getValue());
      System.out.printf(Locale.ROOT, "| %s | %,.0f | %.2f | %s | %s |%n",
          label(e.getKey()), m.callsPerSecond(), m.cpuMicrosPerCall(),
          grpc == null ? "-" : String.format(Locale.ROOT, "%.2f",
              m.cpuMicrosPerCall() / grpc.cpuMicrosPerCall()),
          grpc == null ? "-" : String.format(Locale.ROOT, "%.2f",
              m.callsPerSecond() / grpc.callsPerSecond()));
    }
  }

  private static String label(String impl) {
    switch (impl) {
      case "tern":
        return "Tern (bench-server.sh)";
      case "grpc":
        return "grpc-java";
      case "raw":
        return "raw HTTP/2 echo";
      default:
        return impl;
    }
  }

  private static Result median(List<Result> list) {
    List<Result> sorted = new ArrayList<>(list);
    sorted.sort((a, b) -> Double.compare(a.cpuMicrosPerCall(), b.cpuMicrosPerCall()));
    return sorted.get((sorted.size() - 1) / 2);
  }

  static Result measure(String script, String impl, String executor, int warmup, int seconds,
      long ticksPerSecond) throws Exception {
    Process server = new ProcessBuilder("bash", script, "--port=0", "--executor=" + executor,
        "--impl=" + impl).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      int port = awaitStarted(server);
      EventLoopGroup group = EventLoops.newGroup(1, "load-client");
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port)
          .usePlaintext().channelType(EventLoops.channelType()).eventLoopGroup(group)
          .directExecutor().build();
      try {
        Load load = new Load(BenchmarkServiceGrpc.newStub(channel));
        load.runFor(TimeUnit.SECONDS.toNanos(warmup));
        long cpuBefore = cpuTicks(server.pid());
        long callsBefore = load.completed.get();
        long start = System.nanoTime();
        load.runFor(TimeUnit.SECONDS.toNanos(seconds));
        long elapsed = System.nanoTime() - start;
        long calls = load.completed.get() - callsBefore;
        long cpu = cpuTicks(server.pid()) - cpuBefore;
        if (load.failures.get() > 0) {
          throw new IllegalStateException(load.failures.get() + " calls failed against " + impl);
        }
        double cpuMicros = cpu * 1e6 / ticksPerSecond;
        return new Result(calls * 1e9 / elapsed, cpuMicros / calls);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
    } finally {
      server.destroy(); // SIGTERM
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  /** Keeps 64 calls in flight. */
  private static final class Load {
    final BenchmarkServiceGrpc.BenchmarkServiceStub stub;
    final Semaphore window = new Semaphore(IN_FLIGHT);
    final AtomicLong completed = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    final SimpleRequest request = Payloads.request(0);
    final StreamObserver<SimpleResponse> observer = new StreamObserver<>() {
      @Override
      public void onNext(SimpleResponse value) {}

      @Override
      public void onError(Throwable t) {
        failures.incrementAndGet();
        window.release();
      }

      @Override
      public void onCompleted() {
        completed.incrementAndGet();
        window.release();
      }
    };

    Load(BenchmarkServiceGrpc.BenchmarkServiceStub stub) {
      this.stub = stub;
    }

    void runFor(long nanos) throws InterruptedException {
      long end = System.nanoTime() + nanos;
      while (System.nanoTime() < end) {
        window.acquire();
        stub.unaryCall(request, observer);
      }
      window.acquire(IN_FLIGHT);
      window.release(IN_FLIGHT);
    }
  }

  static int awaitStarted(Process server) throws IOException {
    BufferedReader out = new BufferedReader(
        new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("Server started on port ")) {
        return Integer.parseInt(line.substring("Server started on port ".length()).trim());
      }
    }
    throw new IOException("server exited before it started");
  }

  /** utime + stime of a process, in clock ticks (proc(5): fields 14 and 15 of stat). */
  static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    // The command name may hold spaces; fields are counted after its closing parenthesis.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
      String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      p.waitFor();
      return Long.parseLong(s);
    } catch (Exception e) {
      return 100;
    }
  }
}
