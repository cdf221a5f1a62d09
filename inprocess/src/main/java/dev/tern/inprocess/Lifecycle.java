package dev.tern.inprocess;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The lifecycle an in-process server and channel share: calls are admitted while running;
 * {@code shutdown} stops admitting and lets the calls in flight finish; termination comes when
 * the last of them ends. Thread-safe: guarded by this object's monitor.
 */
final class Lifecycle<C> {
  /** Where a server or channel is; the order is the only way through. */
  enum State {
    /** Built, not started (servers only). */
    NEW,
    /** Admitting calls. */
    RUNNING,
    /** Refusing new calls; waiting for the calls in flight to end. */
    SHUTDOWN,
    /** Shut down with no call left. */
    TERMINATED
  }

  private final Set<C> calls = new LinkedHashSet<>();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final Runnable onTerminated;
  private State state;

  Lifecycle(State initial, Runnable onTerminated) {
    this.state = initial;
    this.onTerminated = onTerminated;
  }

  synchronized State state() {
    return state;
  }

  /** NEW → RUNNING; false if already started or shut down. */
  synchronized boolean start() {
    if (state != State.NEW) {
      return false;
    }
    state = State.RUNNING;
    return true;
  }

  /** Admits {@code call} if running. */
  synchronized boolean add(C call) {
    if (state != State.RUNNING) {
      return false;
    }
    calls.add(call);
    return true;
  }

  /** {@code call} ended (or never started). */
  void remove(C call) {
    boolean terminate;
    synchronized (this) {
      terminate = calls.remove(call) && state == State.SHUTDOWN && calls.isEmpty();
      if (terminate) {
        state = State.TERMINATED;
      }
    }
    if (terminate) {
      terminated();
    }
  }

  /** Stops admitting calls; returns the calls still in flight. */
  List<C> shutdown() {
    boolean terminate;
    List<C> inFlight;
    synchronized (this) {
      if (state == State.NEW || state == State.RUNNING) {
        state = State.SHUTDOWN;
      }
      terminate = state == State.SHUTDOWN && calls.isEmpty();
      if (terminate) {
        state = State.TERMINATED;
      }
      inFlight = new ArrayList<>(calls);
    }
    if (terminate) {
      terminated();
    }
    return inFlight;
  }

  private void terminated() {
    try {
      onTerminated.run();
    } finally {
      terminated.countDown();
    }
  }

  synchronized boolean isShutdown() {
    return state == State.SHUTDOWN || state == State.TERMINATED;
  }

  synchronized boolean isTerminated() {
    return state == State.TERMINATED;
  }

  boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return terminated.await(timeout, unit);
  }

  synchronized int callsInFlight() {
    return calls.size();
  }
}
