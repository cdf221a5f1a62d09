package dev.tern;

import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A scope that travels with a unit of work (an RPC, a request handler) across threads: immutable
 * keyed values plus, optionally, cancellation and a deadline.
 *
 * <p>The current context is kept per thread. A context becomes current with {@link #attach()} and
 * stops being current with {@link #detach}, always in pairs, innermost first:
 *
 * <pre>{@code
 * Context previous = ctx.attach();
 * try {
 *   ...                        // code here sees ctx as Context.current()
 * } finally {
 *   ctx.detach(previous);
 * }
 * }</pre>
 *
 * <p>or simply {@code ctx.run(task)}. Work handed to other threads carries the context with
 * {@link #wrap(Runnable)}, {@link #fixedContextExecutor} or {@link #currentContextExecutor}.
 *
 * <p>A context created by {@link #withCancellation()} or {@link #withDeadline} is a
 * {@link CancellableContext}; it and every context derived from it are cancelled when it is
 * cancelled, when its deadline passes, or when its own cancellable ancestor is cancelled.
 * Cancellation propagates by listeners, so it is seen at once and costs nothing until it happens.
 *
 * <p>Threading: thread-safe. Contexts are immutable apart from cancellation state, which may be
 * read, changed and listened to from any thread; {@link #attach}/{@link #detach} affect only the
 * calling thread.
 */
public sealed class Context permits Context.CancellableContext {

  private static final System.Logger LOG = System.getLogger(Context.class.getName());

  // null stands for ROOT, so that threads that never attach (or returned to ROOT) hold nothing.
  private static final ThreadLocal<Context> CURRENT = new ThreadLocal<>();

  private static final Object[] NO_ENTRIES = new Object[0];

  private static final Executor DIRECT = Runnable::run;

  /** The context with no values that is never cancelled; current when nothing is attached. */
  public static final Context ROOT = new Context(NO_ENTRIES, null);

  // Flattened key/value pairs [k0, v0, k1, v1, ...]; a key occurs at most once (a child's value
  // replaces its parent's), so lookups and copies are linear in the number of distinct keys.
  private final Object[] entries;

  // The nearest cancellable context among this one and its ancestors (this, for a
  // CancellableContext); null if this context can never be cancelled.
  final CancellableContext cancellable;

  private Context(Object[] entries, CancellableContext cancellable) {
    this.entries = entries;
    this.cancellable = cancellable;
  }

  // For CancellableContext, which is its own cancellable ancestor.
  private Context(Object[] entries) {
    this.entries = entries;
    this.cancellable = (CancellableContext) this;
  }

  /** A key with no default: {@link Key#get()} returns null where no value is set. */
  public static <T> Key<T> key(String name) {
    return new Key<>(name, null);
  }

  /** A key whose {@link Key#get()} returns {@code defaultValue} where no value is set. */
  public static <T> Key<T> keyWithDefault(String name, T defaultValue) {
    return new Key<>(name, defaultValue);
  }

  /** The context attached to the calling thread, or {@link #ROOT}. */
  public static Context current() {
    Context c = CURRENT.get();
    return c == null ? ROOT : c;
  }

  /**
   * A child of this context with {@code key} set to {@code value}, shadowing any value the key has
   * here. Setting null makes the key read as its default again.
   */
  public <V> Context withValue(Key<V> key, V value) {
    return withEntries(key, value);
  }

  /** A child of this context with two more values. */
  public <V1, V2> Context withValue(Key<V1> k1, V1 v1, Key<V2> k2, V2 v2) {
    return withEntries(k1, v1, k2, v2);
  }

  /** A child of this context with three more values. */
  public <V1, V2, V3> Context withValue(
      Key<V1> k1, V1 v1, Key<V2> k2, V2 v2, Key<V3> k3, V3 v3) {
    return withEntries(k1, v1, k2, v2, k3, v3);
  }

  /** A child of this context with four more values. */
  public <V1, V2, V3, V4> Context withValue(
      Key<V1> k1, V1 v1, Key<V2> k2, V2 v2, Key<V3> k3, V3 v3, Key<V4> k4, V4 v4) {
    return withEntries(k1, v1, k2, v2, k3, v3, k4, v4);
  }

  private Context withEntries(Object... kvs) {
    Object[] copy = Arrays.copyOf(entries, entries.length + kvs.length);
    int size = entries.length;
    for (int i = 0; i < kvs.length; i += 2) {
      Object key = Objects.requireNonNull(kvs[i], "key");
      int at = indexOf(copy, size, key);
      if (at >= 0) {
        copy[at + 1] = kvs[i + 1];
      } else {
        copy[size] = key;
        copy[size + 1] = kvs[i + 1];
        size += 2;
      }
    }
    if (size != copy.length) {
      copy = Arrays.copyOf(copy, size);
    }
    return new Context(copy, cancellable);
  }

  private static int indexOf(Object[] entries, int size, Object key) {
    for (int i = 0; i < size; i += 2) {
      if (entries[i] == key) {
        return i;
      }
    }
    return -1;
  }

  Object lookup(Key<?> key) {
    int at = indexOf(entries, entries.length, key);
    return at < 0 ? null : entries[at + 1];
  }

  /**
   * A cancellable child of this context. Always cancel or {@link CancellableContext#close()} it
   * when done: until then it stays registered with its cancellable ancestor, if any.
   */
  public CancellableContext withCancellation() {
    return new CancellableContext(this, null, null);
  }

  /**
   * A cancellable child of this context that is cancelled with a {@link TimeoutException} cause
   * when {@code deadline} passes. The child's deadline is the earlier of {@code deadline} and this
   * context's; if this context's is earlier, its cancellation is what cancels the child and
   * {@code scheduler} is not used. A deadline already passed cancels the child at once.
   *
   * <p>The timer is cancelled when the child is cancelled; use a scheduler with
   * {@link java.util.concurrent.ScheduledThreadPoolExecutor#setRemoveOnCancelPolicy remove on
   * cancel} so that closed contexts do not linger in its queue until their deadline.
   *
   * @throws java.util.concurrent.RejectedExecutionException if {@code scheduler} refuses the
   *     timer; the child is then already cancelled and detached from this context
   */
  public CancellableContext withDeadline(Deadline deadline, ScheduledExecutorService scheduler) {
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(scheduler, "scheduler");
    return new CancellableContext(this, deadline, scheduler);
  }

  /** {@link #withDeadline} with a deadline {@code duration} from now. */
  public CancellableContext withDeadlineAfter(
      long duration, TimeUnit unit, ScheduledExecutorService scheduler) {
    return withDeadline(Deadline.after(duration, unit), scheduler);
  }

  /**
   * Makes this context current on the calling thread and returns the one it replaces, to be
   * passed to {@link #detach} when the scope ends (in a {@code finally} block).
   */
  public Context attach() {
    Context previous = CURRENT.get();
    CURRENT.set(this == ROOT ? null : this);
    return previous == null ? ROOT : previous;
  }

  /**
   * Ends the scope begun by {@link #attach()}: makes {@code toRestore} (the value {@code attach}
   * returned) current again. If this context is not the current one, attach and detach calls
   * were not paired; that bug is logged and {@code toRestore} is restored anyway, so that callers
   * in {@code finally} blocks are never broken by it.
   */
  public void detach(Context toRestore) {
    Objects.requireNonNull(toRestore, "toRestore");
    if (current() != this) {
      LOG.log(Level.WARNING, "Context.detach: this context is not the current one; attach and"
          + " detach calls are not paired", new IllegalStateException("detach called here"));
    }
    CURRENT.set(toRestore == ROOT ? null : toRestore);
  }

  /** Runs {@code task} with this context attached. */
  public void run(Runnable task) {
    Context previous = attach();
    try {
      task.run();
    } finally {
      detach(previous);
    }
  }

  /** Calls {@code task} with this context attached and returns its result. */
  public <V> V call(Callable<V> task) throws Exception {
    Context previous = attach();
    try {
      return task.call();
    } finally {
      detach(previous);
    }
  }

  /** {@code task} wrapped so that it runs with this context attached, on whatever thread. */
  public Runnable wrap(Runnable task) {
    Objects.requireNonNull(task, "task");
    return () -> run(task);
  }

  /** {@code task} wrapped so that it is called with this context attached, on whatever thread. */
  public <V> Callable<V> wrap(Callable<V> task) {
    Objects.requireNonNull(task, "task");
    return () -> call(task);
  }

  /** An executor that runs every task on {@code executor} with this context attached. */
  public Executor fixedContextExecutor(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    return task -> executor.execute(wrap(task));
  }

  /**
   * An executor that runs every task on {@code executor} with the context that was current when
   * the task was submitted.
   */
  public static Executor currentContextExecutor(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    return task -> executor.execute(current().wrap(task));
  }

  /** Whether this context has been cancelled (directly, by a deadline or through an ancestor). */
  public boolean isCancelled() {
    return cancellable != null && cancellable.cancelled;
  }

  /**
   * Why this context was cancelled: a {@link TimeoutException} for a deadline, the argument of
   * {@link CancellableContext#cancel}, or null if it was cancelled without a cause or is not
   * cancelled.
   */
  public Throwable cancellationCause() {
    return cancellable == null ? null : cancellable.cause();
  }

  /** The deadline after which this context is cancelled, or null for none. */
  public Deadline getDeadline() {
    return cancellable == null ? null : cancellable.deadline;
  }

  /**
   * Arranges for {@code listener} to be called on {@code executor}, with this context as its
   * argument, once this context is cancelled; at once if it already is. Listeners on a context
   * that can never be cancelled are dropped. A listener that is no longer needed should be removed,
   * or it lives as long as the cancellable context it waits on.
   */
  public void addListener(CancellationListener listener, Executor executor) {
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(executor, "executor");
    if (cancellable != null) {
      cancellable.register(new Registration(this, listener, executor));
    }
  }

  /** Removes every registration of {@code listener} made through this context. */
  public void removeListener(CancellationListener listener) {
    if (cancellable != null) {
      cancellable.unregister(this, listener);
    }
  }

  /**
   * Called when a context is cancelled. Each registration runs once, on the executor given to
   * {@link #addListener}, possibly concurrently with other listeners of the same context.
   */
  @FunctionalInterface
  public interface CancellationListener {
    /** {@code context} (the one the listener was added to) has been cancelled. */
    void cancelled(Context context);
  }

  /**
   * Names a value in a context. Keys compare by identity, so a key is usually a constant, and a
   * key that is not shared cannot be read by others. Immutable and thread-safe.
   */
  public static final class Key<T> {
    private final String name;
    final T defaultValue;

    private Key(String name, T defaultValue) {
      this.name = Objects.requireNonNull(name, "name");
      this.defaultValue = defaultValue;
    }

    /** The value in the current context, or this key's default. */
    public T get() {
      return get(current());
    }

    /** The value in {@code context}, or this key's default. */
    @SuppressWarnings("unchecked")
    public T get(Context context) {
      T value = (T) context.lookup(this);
      return value == null ? defaultValue : value;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * A context that can be cancelled, explicitly or by its deadline, together with every context
   * derived from it. Close it when the scope it guards ends (try-with-resources works), so that it
   * stops listening to its parent.
   *
   * <p>Threading: thread-safe. Any thread may cancel it and add or remove listeners; listeners run
   * once, on their executors, after the state is visible as cancelled.
   */
  public static final class CancellableContext extends Context implements AutoCloseable {

    final Deadline deadline;

    // Guards the fields below. Listener callbacks and executors never run while it is held.
    private final Object lock = new Object();
    private volatile boolean cancelled;
    private Throwable cause;
    // Pending listeners as a circular doubly linked list around a sentinel (O(1) removal of a
    // known registration, which is how children leave their parent). The sentinel is made with
    // the first listener (most server calls' contexts never get one) and dropped once cancelled.
    private Registration listeners;
    private ScheduledFuture<?> timer;
    // The parent's cancellable ancestor (null if none) and our listener on it, which cancels us
    // with its cause; removed when we are cancelled so that closed children do not pile up.
    private final CancellableContext parentCancellable;
    private final Registration parentRegistration;

    private CancellableContext(
        Context parent, Deadline requested, ScheduledExecutorService scheduler) {
      super(parent.entries);
      Deadline inherited = parent.getDeadline();
      boolean ownTimer = requested != null
          && (inherited == null || Deadline.earlier(requested, inherited) == requested);
      this.deadline = ownTimer ? requested : inherited;
      this.parentCancellable = parent.cancellable;
      if (parentCancellable != null) {
        parentRegistration = new Registration(
            parentCancellable, c -> cancel(c.cancellationCause()), DIRECT);
        parentCancellable.register(parentRegistration);
      } else {
        parentRegistration = null;
      }
      if (ownTimer) {
        startTimer(scheduler);
      }
    }

    private void startTimer(ScheduledExecutorService scheduler) {
      long nanos = deadline.timeRemaining(TimeUnit.NANOSECONDS);
      if (nanos <= 0) {
        cancel(timeout());
        return;
      }
      if (cancelled) {
        return; // the parent was already cancelled
      }
      ScheduledFuture<?> f;
      try {
        f = scheduler.schedule(() -> {
          cancel(timeout());
        }, nanos, TimeUnit.NANOSECONDS);
      } catch (RuntimeException e) {
        cancel(e);
        throw e;
      }
      synchronized (lock) {
        if (!cancelled) {
          timer = f;
          return;
        }
      }
      f.cancel(false); // cancelled while scheduling, perhaps by the timer itself
    }

    private TimeoutException timeout() {
      return new TimeoutException("context deadline exceeded (" + deadline + ")");
    }

    /**
     * Cancels this context and its descendants with {@code cause} (may be null), runs its
     * listeners and stops listening to its parent.
     *
     * @return true if this call cancelled the context, false if it was already cancelled
     */
    public boolean cancel(Throwable cause) {
      Registration[] pending;
      ScheduledFuture<?> t;
      synchronized (lock) {
        if (cancelled) {
          return false;
        }
        this.cause = cause;
        cancelled = true;
        pending = listeners == null ? Registration.NONE : listeners.drain();
        listeners = null;
        t = timer;
        timer = null;
      }
      if (t != null) {
        t.cancel(false);
      }
      if (parentRegistration != null) {
        parentCancellable.unregister(parentRegistration);
      }
      for (Registration r : pending) {
        r.fire();
      }
      return true;
    }

    /**
     * Detaches this context, restoring {@code toAttach}, then cancels it with {@code cause}; for
     * the end of a scope begun with {@code attach()}.
     */
    public void detachAndCancel(Context toAttach, Throwable cause) {
      try {
        detach(toAttach);
      } finally {
        cancel(cause);
      }
    }

    /** Cancels this context without a cause, if it is not cancelled already. */
    @Override
    public void close() {
      cancel(null);
    }

    Throwable cause() {
      // cause is written before the volatile write of cancelled, so reading cancelled first
      // makes it visible.
      return cancelled ? cause : null;
    }

    void register(Registration r) {
      synchronized (lock) {
        if (!cancelled) {
          if (listeners == null) {
            listeners = Registration.sentinel();
          }
          r.linkBefore(listeners);
          return;
        }
      }
      r.fire();
    }

    /** Removes {@code r}; a no-op if it already fired or was removed. */
    void unregister(Registration r) {
      synchronized (lock) {
        r.unlink();
      }
    }

    void unregister(Context context, CancellationListener listener) {
      synchronized (lock) {
        if (listeners == null) {
          return;
        }
        for (Registration r = listeners.next; r != listeners; ) {
          Registration next = r.next;
          if (r.context == context && r.listener == listener) {
            r.unlink();
          }
          r = next;
        }
      }
    }

    /** The number of listeners still waiting for this context's cancellation; for tests. */
    int listenerCount() {
      synchronized (lock) {
        int n = 0;
        if (listeners != null) {
          for (Registration r = listeners.next; r != listeners; r = r.next) {
            n++;
          }
        }
        return n;
      }
    }
  }

  /**
   * One listener on one context; a node of its cancellable context's listener list. Its links are
   * guarded by that context's lock; {@link #fire} runs without it.
   */
  private static final class Registration {
    final Context context;
    final CancellationListener listener;
    final Executor executor;
    Registration prev;
    Registration next;

    Registration(Context context, CancellationListener listener, Executor executor) {
      this.context = context;
      this.listener = listener;
      this.executor = executor;
    }

    /** No registrations (what a context without listeners fires when cancelled). */
    static final Registration[] NONE = new Registration[0];

    static Registration sentinel() {
      Registration s = new Registration(null, null, null);
      s.prev = s;
      s.next = s;
      return s;
    }

    void linkBefore(Registration at) {
      prev = at.prev;
      next = at;
      at.prev.next = this;
      at.prev = this;
    }

    /** Unlinks every node of the list this sentinel heads and returns them in order. */
    Registration[] drain() {
      int n = 0;
      for (Registration r = next; r != this; r = r.next) {
        n++;
      }
      if (n == 0) {
        return NONE;
      }
      Registration[] all = new Registration[n];
      Registration r = next;
      for (int i = 0; i < n; i++) {
        Registration following = r.next;
        r.prev = null;
        r.next = null;
        all[i] = r;
        r = following;
      }
      prev = this;
      next = this;
      return all;
    }

    void unlink() {
      if (prev != null) {
        prev.next = next;
        next.prev = prev;
        prev = null;
        next = null;
      }
    }

    void fire() {
      try {
        executor.execute(() -> listener.cancelled(context));
      } catch (RuntimeException e) {
        // One failing listener (or a rejecting executor) must not keep the others, or the
        // canceller, from finishing.
        LOG.log(Level.WARNING, "Context cancellation listener " + listener + " failed", e);
      }
    }
  }
}
