package dev.tern.services;

import dev.tern.services.health.v1.HealthCheckResponse.ServingStatus;
import dev.tern.services.health.v1.HealthCheckResponse;
import dev.tern.stub.ServerCallStreamObserver;

/**
 * One {@code Watch} call: sends the latest status whenever the stream can take a message, and
 * ends it when the server enters its terminal state. A
 * slow client never builds a queue: a status that could not be sent yet is replaced by the next
 * one, so it sees at most one stale status before the current one (doc/health-checking.md only
 * promises the latest). Thread-safe: {@link #offer} runs on threads that change statuses,
 * {@link #drain} also on the call's executor (its on-ready handler); one lock serializes both,
 * and sending under it only queues a message for the transport, never blocks.
 */
final class HealthWatcher {
  /** The watch's lifecycle: the first status, any later ones, and the call's end. */
  private enum State {
    /** Nothing sent yet: the first status goes out whether or not the stream is ready. */
    NEW,
    WATCHING,
    /** Cancelled by the client, or ended by the server's terminal state: nothing more is sent. */
    CLOSED
  }

  private final ServerCallStreamObserver<HealthCheckResponse> out;
  private State state = State.NEW;
  private long seenVersion = -1;
  private ServingStatus pending;
  private ServingStatus lastSent;

  HealthWatcher(ServerCallStreamObserver<HealthCheckResponse> out) {
    this.out = out;
  }

  /** A status as of {@code version}; older versions than one already seen are dropped. */
  synchronized void offer(long version, ServingStatus status) {
    if (state == State.CLOSED || version < seenVersion) {
      return;
    }
    seenVersion = version;
    pending = status;
    drain();
  }

  /** Sends the pending status if the stream can take it; called again on each on-ready. */
  synchronized void drain() {
    if (pending == null || state == State.CLOSED) {
      return;
    }
    if (state == State.WATCHING && !out.isReady()) {
      return; // the on-ready handler calls back; meanwhile newer statuses replace this one
    }
    ServingStatus s = pending;
    pending = null;
    if (s == lastSent) {
      return;
    }
    state = State.WATCHING;
    lastSent = s;
    out.onNext(HealthCheckResponse.newBuilder().setStatus(s).build());
  }

  /**
   * The server's terminal state: sends {@code status} (unless a newer one was seen or it was
   * already sent), ready or not, then ends the call with OK so that it does not hold the
   * server's drain open; health-checking.md has clients retry a Watch that ends.
   */
  synchronized void end(long version, ServingStatus status) {
    if (state == State.CLOSED) {
      return;
    }
    ServingStatus last = version >= seenVersion ? status : pending != null ? pending : lastSent;
    state = State.CLOSED;
    pending = null;
    if (last != null && last != lastSent) {
      lastSent = last;
      out.onNext(HealthCheckResponse.newBuilder().setStatus(last).build());
    }
    out.onCompleted();
  }

  synchronized void close() {
    state = State.CLOSED;
    pending = null;
  }
}
