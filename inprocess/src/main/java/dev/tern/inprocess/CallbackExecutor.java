package dev.tern.inprocess;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The executor under a call side's {@link dev.tern.internal.SerializingExecutor}: it never runs
 * or submits anything while the calling thread holds a call's lock. Events are queued on the
 * serializing executor under the lock, so they keep the order in which they happened; the
 * serializing executor's drain is handed to the delegate (or, for {@code directExecutor()}, run
 * on this thread) only once the thread has left its outermost locked section. A callback run
 * that way can therefore call back into the call without deadlocking on its lock.
 *
 * <p>Thread-safe: the section depth, the deferred drains and the "running a direct callback"
 * count are per thread.
 */
final class CallbackExecutor implements Executor {
  private static final System.Logger LOG = System.getLogger(CallbackExecutor.class.getName());

  /** What one thread is inside of. */
  private static final class Section {
    int depth;
    int directCallbacks;
    final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
  }

  private static final ThreadLocal<Section> SECTION = ThreadLocal.withInitial(Section::new);

  /** The delegate, or null to run callbacks on the thread that leaves the lock. */
  private final Executor delegate;

  private CallbackExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  /** Runs callbacks on {@code executor}. */
  static CallbackExecutor on(Executor executor) {
    return new CallbackExecutor(executor);
  }

  /** Runs callbacks on the thread that caused them, once it leaves the call's lock. */
  static CallbackExecutor direct() {
    return new CallbackExecutor(null);
  }

  @Override
  public void execute(Runnable task) {
    Section section = SECTION.get();
    if (section.depth > 0) {
      section.deferred.add(() -> run(task));
    } else {
      run(task);
    }
  }

  private void run(Runnable task) {
    if (delegate != null) {
      delegate.execute(task);
      return;
    }
    Section section = SECTION.get();
    section.directCallbacks++;
    try {
      task.run();
    } finally {
      section.directCallbacks--;
    }
  }

  /** The calling thread enters a locked section (before taking a call's lock). */
  static void enter() {
    SECTION.get().depth++;
  }

  /** The calling thread left a locked section; leaving the outermost hands out what waited. */
  static void exit() {
    Section section = SECTION.get();
    if (--section.depth > 0) {
      return;
    }
    Runnable task;
    while ((task = section.deferred.poll()) != null) {
      try {
        task.run();
      } catch (RejectedExecutionException e) {
        LOG.log(System.Logger.Level.ERROR,
            "A call's executor refused its callbacks; the call's listener will not hear them", e);
      }
    }
  }

  /**
   * Whether this thread is running a callback of a {@code directExecutor()} side: such a thread
   * may be the one that must deliver what a blocked sender waits for, so it must never block.
   */
  static boolean inDirectCallback() {
    return SECTION.get().directCallbacks > 0;
  }
}
