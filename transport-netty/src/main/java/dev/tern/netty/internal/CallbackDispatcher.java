package dev.tern.netty.internal;

import dev.tern.Context;
import dev.tern.internal.SerializingExecutor;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Runs one call's listener callbacks: serialized, in submission order, on the call's executor, or
 * inline on the calling thread (the event loop) when the call has none ({@code directExecutor}).
 *
 * <p>Contract, shared by client and server calls:
 * <ul>
 *   <li>callbacks of one call never overlap and run in the order they were dispatched;
 *   <li>a callback that throws is the only failure path: the throwable goes to the call's
 *       {@code onThrow} handler (a client cancels, a server answers INTERNAL), once per
 *       throwing callback, and the transport is never disturbed;
 *   <li>after {@link #stop()} (called from a callback, typically the one that delivers the
 *       call's final status) later callbacks are dropped, so nothing follows {@code onClose};
 *       an {@link Owning} callback is told, to release what it holds;
 *   <li>with a {@link Context}, every callback runs with it attached (the server's call context).
 * </ul>
 *
 * <p>Thread-safe: {@link #dispatch} from any thread; the stop flag is written and read only by
 * the call's serialized callbacks (on the executor, or inline in {@link #runIfIdle}).
 */
final class CallbackDispatcher {
  /** A callback that owns resources: told when it is dropped instead of run. */
  interface Owning extends Runnable {
    /** The callback will never run (the listener was stopped): release what it holds. */
    void dropped();
  }

  private final SerializingExecutor serializing;
  private final Context context;
  private final Consumer<Throwable> onThrow;
  /** Set by a callback when the listener has heard its last event. Callback thread only. */
  private boolean stopped;

  /**
   * @param executor the call's executor, or null to run callbacks inline
   * @param context attached around each callback, or null
   * @param onThrow what a throwing callback means for the call
   */
  CallbackDispatcher(Executor executor, Context context, Consumer<Throwable> onThrow) {
    // The serializer runs each callback through runGuarded: no wrapper per callback.
    this.serializing =
        executor == null ? null : new SerializingExecutor(executor, this::runGuarded);
    this.context = context;
    this.onThrow = onThrow;
  }

  /** Whether callbacks run inline on the dispatching thread. */
  boolean isInline() {
    return serializing == null;
  }

  /** Runs {@code callback} after those dispatched before it, unless the listener was stopped. */
  void dispatch(Runnable callback) {
    if (serializing == null) {
      runGuarded(callback);
    } else {
      serializing.execute(callback);
    }
  }

  /**
   * Runs {@code callback} on the calling thread now if no callback of the call is queued or
   * running (callbacks dispatched meanwhile follow it), else does nothing and returns false. Only
   * for callbacks that may run on the dispatching thread (the event loop): no application code
   * that could block.
   */
  boolean runIfIdle(Runnable callback) {
    if (serializing == null) {
      runGuarded(callback);
      return true;
    }
    return serializing.runIfIdle(callback);
  }

  /** From a callback: drops every callback dispatched after this one. */
  void stop() {
    stopped = true;
  }

  /** From a callback: whether {@link #stop()} was called. */
  boolean isStopped() {
    return stopped;
  }

  private void runGuarded(Runnable callback) {
    if (stopped) {
      if (callback instanceof Owning) {
        ((Owning) callback).dropped();
      }
      return;
    }
    Context previous = context == null ? null : context.attach();
    try {
      callback.run();
    } catch (Throwable t) {
      // A throwing listener must not break the transport: the call decides what it means.
      onThrow.accept(t);
    } finally {
      if (context != null) {
        context.detach(previous);
      }
    }
  }
}
