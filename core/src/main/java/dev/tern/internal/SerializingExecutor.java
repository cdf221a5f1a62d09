package dev.tern.internal;

import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Runs tasks one at a time, in submission order, on a delegate executor: the listener callbacks
 * of one call never overlap, while different calls run in parallel. Tasks submitted while a drain
 * runs are run by that same drain, so a burst of callbacks for one call costs one hand-off to the
 * delegate. Thread-safe: any thread may {@link #execute}; the queue is drained by one delegate
 * task at a time.
 *
 * <p>Cheap per call, since there is one per call: the queue is a small array ring under this
 * object's lock (no node per task; made on the first task), and a caller that wraps every task
 * (a guard, a context) passes a runner once instead of a wrapper per task.
 *
 * <p>Its only public method is {@link #execute}: the "drain scheduled" flag is a private field
 * and the drain task a private {@link Runnable}, so callers cannot flip the flag or run the drain
 * themselves.
 */
public final class SerializingExecutor implements Executor {
  private static final System.Logger LOG = System.getLogger(SerializingExecutor.class.getName());
  private static final int INITIAL_CAPACITY = 4;

  private final Executor delegate;
  private final Consumer<Runnable> runner;
  private final Runnable drain = this::drain;

  // Guarded by this.
  private Runnable[] ring;
  private int head;
  private int size;
  /** Whether a drain task is submitted to the delegate or running. */
  private boolean scheduled;

  /** Runs each task as is; a task that throws is logged and the next one runs. */
  public SerializingExecutor(Executor delegate) {
    this(delegate, null);
  }

  /**
   * Runs each task through {@code runner} (which must not throw; e.g. one that guards the task
   * and attaches a context), or as is if null.
   */
  public SerializingExecutor(Executor delegate, Consumer<Runnable> runner) {
    this.delegate = delegate;
    this.runner = runner;
  }

  @Override
  public void execute(Runnable task) {
    boolean schedule;
    synchronized (this) {
      add(task);
      schedule = !scheduled;
      scheduled = true;
    }
    if (schedule) {
      submitDrain();
    }
  }

  /** Hands the drain to the delegate; if it refuses, drops the queue and rethrows. */
  private void submitDrain() {
    try {
      delegate.execute(drain);
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        scheduled = false;
        clear();
      }
      throw e;
    }
  }

  /**
   * Runs {@code task} on the calling thread at once if no task is queued or running, serialized
   * with the tasks submitted while it runs (they follow it on the delegate); returns false, and
   * does nothing, if the executor is busy. For work that may run on the caller's thread but must
   * not overlap the callbacks: it saves a hand-off to the delegate. If the delegate refuses the
   * drain for those tasks, they are dropped and its RejectedExecutionException is thrown, as from
   * {@link #execute}.
   */
  public boolean runIfIdle(Runnable task) {
    synchronized (this) {
      if (scheduled) {
        return false;
      }
      scheduled = true;
    }
    try {
      run(task);
    } finally {
      boolean more;
      synchronized (this) {
        more = size > 0;
        scheduled = more;
      }
      if (more) {
        submitDrain();
      }
    }
    return true;
  }

  private void add(Runnable task) {
    if (ring == null) {
      ring = new Runnable[INITIAL_CAPACITY];
    } else if (size == ring.length) {
      Runnable[] bigger = new Runnable[size * 2];
      for (int i = 0; i < size; i++) {
        bigger[i] = ring[(head + i) % size];
      }
      ring = bigger;
      head = 0;
    }
    ring[(head + size) % ring.length] = task;
    size++;
  }

  /** The next task, or null after clearing the flag: the next execute schedules a new drain. */
  private synchronized Runnable poll() {
    if (size == 0) {
      scheduled = false;
      return null;
    }
    Runnable task = ring[head];
    ring[head] = null;
    head = (head + 1) % ring.length;
    size--;
    return task;
  }

  private void clear() {
    if (ring != null) {
      Arrays.fill(ring, null);
    }
    head = 0;
    size = 0;
  }

  private void drain() {
    Runnable task;
    while ((task = poll()) != null) {
      run(task);
    }
  }

  private void run(Runnable task) {
    try {
      if (runner != null) {
        runner.accept(task);
      } else {
        task.run();
      }
    } catch (Throwable t) {
      LOG.log(System.Logger.Level.ERROR, "Exception while executing a call callback", t);
    }
  }
}
