package dev.tern.benchmarks;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** A server and a client of one implementation, shared by the benchmark threads of a trial. */
@State(Scope.Benchmark)
public class StackState {
  /** tern, grpc (grpc-java) or raw (the Netty HTTP/2 echo: the ceiling). */
  @Param({"tern", "grpc", "raw"})
  public String impl;

  /** direct: callbacks on the event loops; pool: on each side's default thread pool. */
  @Param({"direct", "pool"})
  public String executor;

  public Harness harness;

  @Setup(Level.Trial)
  public void startStack() throws Exception {
    harness = Harness.create(Harness.Impl.valueOf(impl.toUpperCase(java.util.Locale.ROOT)),
        "direct".equals(executor));
  }

  @TearDown(Level.Trial)
  public void stopStack() throws Exception {
    harness.close();
  }
}
