package dev.tern.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs tasks one at a time, in submission order, on a delegate executor: the listener callbacks
 * of one call never overlap, while different calls run in parallel. Thread-safe: any thread may
 * {@link #execute}; the queue is drained by one delegate task at a time.
 *
 * <p>Its only public method is {@link #execute}: the "drain scheduled" flag is a private field
 * (through a {@link VarHandle}, so a call costs no extra atomic object) and the drain task a
 * private {@link Runnable}, so callers cannot flip the flag or run the drain themselves.
 */
public final class SerializingExecutor implements Executor {
  private static final System.Logger LOG = System.getLogger(SerializingExecutor.class.getName());
  private static final VarHandle SCHEDULED;

  static {
    try {
      SCHEDULED = MethodHandles.lookup()
          .findVarHandle(SerializingExecutor.class, "scheduled", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Executor delegate;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final Runnable drain = this::drain;
  /** Whether a drain task is submitted to the delegate or running: set by CAS, cleared by it. */
  private volatile boolean scheduled;

  public SerializingExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    schedule();
  }

  private void schedule() {
    if (SCHEDULED.compareAndSet(this, false, true)) {
      try {
        delegate.execute(drain);
      } catch (RejectedExecutionException e) {
        scheduled = false;
        tasks.clear();
        throw e;
      }
    }
  }

  private void drain() {
    try {
      Runnable task;
      while ((task = tasks.poll()) != null) {
        try {
          task.run();
        } catch (Throwable t) {
          LOG.log(System.Logger.Level.ERROR, "Exception while executing a call callback", t);
        }
      }
    } finally {
      scheduled = false;
    }
    // A task added after the last poll but before the flag was cleared saw "scheduled" and
    // returned: pick it up.
    if (!tasks.isEmpty()) {
      schedule();
    }
  }
}
