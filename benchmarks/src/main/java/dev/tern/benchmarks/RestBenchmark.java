package dev.tern.benchmarks;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * gRPC against JSON/REST, whole stack: "look up an order by id and return it" (about 1 KiB as
 * JSON) served by Tern, by Vert.x Web and by a lean Netty HTTP/1.1 handler, each called by its
 * idiomatic client ({@link OrderStack}), with 1 request in flight (latency) and 64 (requests/s).
 */
public class RestBenchmark {
  static final int IN_FLIGHT = OrderStack.MAX_IN_FLIGHT;

  /** The server and client of one stack, shared by the benchmark threads of a trial. */
  @State(Scope.Benchmark)
  public static class Stack {
    /** tern (default executor), tern-direct, vertx (Vert.x Web + WebClient), netty (+ JDK). */
    @Param({"tern", "tern-direct", "vertx", "netty"})
    public String impl;

    OrderStack stack;
    final AtomicLong next = new AtomicLong();
    final Semaphore window = new Semaphore(IN_FLIGHT);
    volatile boolean failed;
    Harness.Done release;

    @Setup(Level.Trial)
    public void start() throws Exception {
      stack = OrderStack.create(impl);
      release = ok -> {
        if (!ok) {
          failed = true;
        }
        window.release();
      };
    }

    @TearDown(Level.Iteration)
    public void drain() throws InterruptedException {
      // Let this iteration's requests finish so that none straddles into the next.
      if (!window.tryAcquire(IN_FLIGHT, 30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("requests did not complete");
      }
      window.release(IN_FLIGHT);
      if (failed) {
        throw new IllegalStateException(impl + ": a request failed");
      }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
      stack.close();
    }
  }

  /** One request in flight: the time from asking to holding the parsed order. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public void latency(Stack s) throws Exception {
    s.stack.getBlocking(Orders.idFor(s.next.getAndIncrement()));
  }

  /** 64 requests in flight: each operation starts a request once one completes. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void throughput64(Stack s) throws InterruptedException {
    s.window.acquire();
    s.stack.getAsync(Orders.idFor(s.next.getAndIncrement()), s.release);
  }
}
