package dev.tern.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in submission order, on a delegate executor: the listener callbacks
 * of one call never overlap, while different calls run in parallel. Thread-safe.
 */
public final class SerializingExecutor extends AtomicBoolean implements Executor, Runnable {
  private static final long serialVersionUID = 1L;
  private static final System.Logger LOG = System.getLogger(SerializingExecutor.class.getName());

  private final transient Executor delegate;
  private final transient Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

  public SerializingExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    schedule();
  }

  private void schedule() {
    if (compareAndSet(false, true)) {
      try {
        delegate.execute(this);
      } catch (RejectedExecutionException e) {
        set(false);
        tasks.clear();
        throw e;
      }
    }
  }

  @Override
  public void run() {
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
      set(false);
    }
    if (!tasks.isEmpty()) {
      schedule();
    }
  }
}
