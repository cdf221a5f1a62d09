package dev.tern.netty.internal;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * The retry engine's one pending timer: a retry policy's backoff or the next hedge (gRFC A6).
 * Scheduling replaces the pending timer. A task that fires after it was replaced or cancelled
 * (a {@link ScheduledFuture} cannot stop one already running) is told by its generation number:
 * it must call {@link #fired} first and do nothing if that says it is stale.
 *
 * <p>Not thread-safe: used under the engine's monitor (the task takes it before {@link #fired}).
 */
final class RetryTimer {
  private final ScheduledExecutorService scheduler;
  private ScheduledFuture<?> pending;
  private int generation;

  RetryTimer(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  /**
   * Runs {@code task} with its generation after {@code delayNanos}; false if the scheduler is
   * shut down (the call then ends).
   */
  boolean schedule(IntConsumer task, long delayNanos) {
    int scheduled = ++generation;
    try {
      pending = scheduler.schedule(() -> task.accept(scheduled), delayNanos,
          TimeUnit.NANOSECONDS);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** Whether the task of {@code scheduled} is the pending one; it then is no longer pending. */
  boolean fired(int scheduled) {
    if (scheduled != generation) {
      return false;
    }
    pending = null;
    return true;
  }

  /** Cancels the pending timer, if any; a task already running finds itself stale. */
  void cancel() {
    generation++;
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
  }
}
