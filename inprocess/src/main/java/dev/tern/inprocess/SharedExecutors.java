package dev.tern.inprocess;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executors in-process channels and servers share when given none: a cached pool of daemon
 * threads for client callbacks, and one daemon timer thread for deadlines. Thread-safe; created
 * on first use, never shut down (daemon threads do not keep the JVM alive).
 */
final class SharedExecutors {
  private SharedExecutors() {}

  private static final class Holder {
    static final ExecutorService CALLBACKS =
        Executors.newCachedThreadPool(daemon("tern-inprocess-client"));
    static final ScheduledThreadPoolExecutor TIMER = newTimer();
  }

  /** The default executor of channels' callbacks. */
  static ExecutorService clientCallbacks() {
    return Holder.CALLBACKS;
  }

  /** Runs deadline timers; cancelled timers leave its queue at once. */
  static ScheduledThreadPoolExecutor timer() {
    return Holder.TIMER;
  }

  private static ScheduledThreadPoolExecutor newTimer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(1, daemon("tern-inprocess-deadline"));
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  /** Daemon threads named {@code prefix-N}. */
  static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
