package dev.tern.netty.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The default executor for application callbacks ({@code TernServer}'s and {@code TernChannel}'s
 * when none is given): a queue served by a small core of threads that grows only when the core is
 * stuck.
 *
 * <ul>
 *   <li>A task goes to an <b>idle thread</b> if there is one, the most recently idle first (its
 *       caches are warm; the others stay parked and eventually retire);
 *   <li>otherwise, below {@code coreThreads}, a <b>new thread</b> starts;
 *   <li>otherwise it <b>waits in the queue</b> for the next thread to finish its task: a busy
 *       pool does not grow (a cached thread pool starts a thread whenever none is parked at that
 *       very instant, which under load means dozens of threads that mostly park and wake);
 *   <li>if queued tasks wait while no task is taken for {@link #STALL_NANOS} (every thread is
 *       blocked in a handler), a <b>watchdog</b> starts one more thread, and again after each
 *       further stall: a blocking handler never stalls other calls for longer than that;
 *   <li>threads above the core retire after {@link #KEEP_ALIVE_NANOS} idle.
 * </ul>
 *
 * <p>Threads come from the given factory (names and daemon status as the owner chooses).
 * {@link #shutdown} lets queued tasks finish; {@link #shutdownNow} drops them and interrupts the
 * threads.
 *
 * <p>Package-private (it inherits {@code ExecutorService}'s whole API); the builders get one from
 * {@link EventLoops#newCallbackPool}.
 *
 * <p>Thread-safe: every field is guarded by one lock; tasks run outside it.
 */
final class CallbackPool extends AbstractExecutorService {
  /** How long queued tasks may wait with no progress before the pool grows. */
  static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  /** How long a thread above the core stays idle before it ends. */
  static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(60);

  private static final System.Logger LOG = System.getLogger(CallbackPool.class.getName());

  /** The pool's life. */
  private enum State { RUNNING, SHUTDOWN, TERMINATED }

  /**
   * What the watchdog thread is doing: {@code PARKED} until a task is queued with every thread
   * busy, {@code WATCHING} (timing a possible stall) while tasks are queued.
   */
  private enum Watch { PARKED, WATCHING }

  private final ThreadFactory factory;
  private final int coreThreads;
  private final long stallNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition terminatedCondition = lock.newCondition();
  private final Condition watchdogWake = lock.newCondition();

  // Guarded by lock.
  private State state = State.RUNNING;
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  /** Idle workers, most recently idle last. */
  private final ArrayDeque<Worker> idle = new ArrayDeque<>();
  private final Set<Thread> threads = new HashSet<>();
  /** Tasks taken from the queue so far: the watchdog's measure of progress. */
  private long taken;
  private Thread watchdog;
  private Watch watch = Watch.WATCHING;

  /** One pool thread, parked on its own condition while idle. */
  private final class Worker implements Runnable {
    final Condition wake = lock.newCondition();
    /** Set under the lock by whoever takes this worker off the idle stack. */
    boolean signalled;

    @Override
    public void run() {
      try {
        work();
      } finally {
        lock.lock();
        try {
          threads.remove(Thread.currentThread());
          idle.remove(this);
          maybeTerminate();
        } finally {
          lock.unlock();
        }
      }
    }

    private void work() {
      for (;;) {
        Runnable task = next();
        if (task == null) {
          return;
        }
        try {
          task.run();
        } catch (Throwable t) {
          // The callback layers guard their tasks; this is a last resort, as in a plain pool.
          LOG.log(System.Logger.Level.ERROR, "Exception from a callback task", t);
        }
      }
    }

    /** The next task, waiting idle for one; null when this thread should end. */
    private Runnable next() {
      lock.lock();
      try {
        for (;;) {
          Runnable task = queue.poll();
          if (task != null) {
            taken++;
            return task;
          }
          if (state != State.RUNNING) {
            return null;
          }
          signalled = false;
          idle.addLast(this);
          boolean core = threads.size() <= coreThreads;
          try {
            if (core) {
              wake.await();
            } else {
              wake.awaitNanos(KEEP_ALIVE_NANOS);
            }
          } catch (InterruptedException e) {
            // shutdownNow, or a stray interrupt: loop to see the state.
          }
          if (!signalled) {
            idle.remove(this);
            if (!core && queue.isEmpty() && state == State.RUNNING) {
              return null; // idle past the keep-alive, above the core: retire
            }
          }
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * @param coreThreads threads started on demand and kept (at least 1)
   * @param factory makes the pool's threads
   */
  CallbackPool(int coreThreads, ThreadFactory factory) {
    this(coreThreads, factory, STALL_NANOS);
  }

  /** With {@code stallNanos} instead of {@link #STALL_NANOS}; for tests. */
  CallbackPool(int coreThreads, ThreadFactory factory, long stallNanos) {
    if (coreThreads < 1) {
      throw new IllegalArgumentException("coreThreads < 1: " + coreThreads);
    }
    this.coreThreads = coreThreads;
    this.factory = factory;
    this.stallNanos = stallNanos;
  }

  @Override
  public void execute(Runnable task) {
    if (task == null) {
      throw new NullPointerException("task");
    }
    lock.lock();
    try {
      if (state != State.RUNNING) {
        throw new RejectedExecutionException("callback pool shut down");
      }
      queue.addLast(task);
      Worker w = idle.pollLast();
      if (w != null) {
        w.signalled = true;
        w.wake.signal();
      } else if (threads.size() < coreThreads) {
        startThread();
      } else {
        startWatchdog();
        // Only a parked watchdog needs the signal: one already timing a stall sees this task when
        // its timer ends. Signalling it for every task queued behind busy threads woke it (a
        // futex call and a context switch) once per task under load (issue 14).
        if (watch == Watch.PARKED) {
          watch = Watch.WATCHING;
          watchdogWake.signal();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Starts a worker; lock held. */
  private void startThread() {
    Thread t = factory.newThread(new Worker());
    threads.add(t);
    t.start();
  }

  /** Starts the watchdog thread on first need; lock held. */
  private void startWatchdog() {
    if (watchdog == null) {
      watchdog = factory.newThread(this::watch);
      watchdog.start();
    }
  }

  /** The watchdog: grows the pool while queued tasks make no progress. */
  private void watch() {
    lock.lock();
    try {
      while (state == State.RUNNING) {
        if (queue.isEmpty()) {
          watch = Watch.PARKED;
          watchdogWake.await();
          watch = Watch.WATCHING;
          continue;
        }
        long before = taken;
        // The whole stall period, even if woken early (a spurious wake-up, or formerly a signal
        // per queued task): judging progress after a few microseconds grew the pool by a thread
        // whenever a burst of tasks met busy threads, though none was blocked (issue 14).
        long remaining = stallNanos;
        while (remaining > 0 && state == State.RUNNING) {
          remaining = watchdogWake.awaitNanos(remaining);
        }
        if (state == State.RUNNING && !queue.isEmpty() && taken == before && idle.isEmpty()) {
          startThread(); // every thread is busy and none took a task: they are blocked
        }
      }
    } catch (InterruptedException e) {
      // shutdownNow
    } finally {
      watchdog = null;
      maybeTerminate();
      lock.unlock();
    }
  }

  /** Lock held: once shut down with no thread left, the pool is terminated. */
  private void maybeTerminate() {
    if (state == State.SHUTDOWN && threads.isEmpty() && watchdog == null) {
      state = State.TERMINATED;
      terminatedCondition.signalAll();
    }
  }

  @Override
  public void shutdown() {
    lock.lock();
    try {
      if (state != State.RUNNING) {
        return;
      }
      state = State.SHUTDOWN;
      wakeAll();
      maybeTerminate();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<Runnable> shutdownNow() {
    lock.lock();
    try {
      List<Runnable> dropped = new ArrayList<>(queue);
      queue.clear();
      if (state == State.RUNNING) {
        state = State.SHUTDOWN;
      }
      wakeAll();
      for (Thread t : threads) {
        t.interrupt();
      }
      maybeTerminate();
      return dropped;
    } finally {
      lock.unlock();
    }
  }

  /** Lock held: wakes every idle worker and the watchdog to see the new state. */
  private void wakeAll() {
    for (Worker w : idle) {
      w.signalled = true;
      w.wake.signal();
    }
    idle.clear();
    watchdogWake.signal();
  }

  @Override
  public boolean isShutdown() {
    lock.lock();
    try {
      return state != State.RUNNING;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isTerminated() {
    lock.lock();
    try {
      return state == State.TERMINATED;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lock();
    try {
      while (state != State.TERMINATED) {
        if (nanos <= 0) {
          return false;
        }
        nanos = terminatedCondition.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Threads started and not yet ended (the watchdog excluded); for tests and diagnostics. */
  int threadCount() {
    lock.lock();
    try {
      return threads.size();
    } finally {
      lock.unlock();
    }
  }
}
