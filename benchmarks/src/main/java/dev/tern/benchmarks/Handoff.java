package dev.tern.benchmarks;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A one-waiter signal: a callback thread signals, the benchmark thread awaits. Parks rather than
 * spins so that both sides pay the same wake-up cost. Thread-safe for one waiter.
 */
final class Handoff {
  private final AtomicInteger signals = new AtomicInteger();
  private volatile Thread waiter;
  private volatile Throwable failure;

  void signal() {
    signals.incrementAndGet();
    Thread w = waiter;
    if (w != null) {
      LockSupport.unpark(w);
    }
  }

  void fail(Throwable t) {
    failure = t;
    signal();
  }

  void await() throws InterruptedException {
    if (signals.get() == 0) {
      waiter = Thread.currentThread();
      try {
        while (signals.get() == 0) {
          LockSupport.park(this);
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
        }
      } finally {
        waiter = null;
      }
    }
    signals.decrementAndGet();
    if (failure != null) {
      throw new IllegalStateException("call failed", failure);
    }
  }
}
