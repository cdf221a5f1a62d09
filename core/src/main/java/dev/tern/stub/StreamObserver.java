package dev.tern.stub;

import dev.tern.ServerCall;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.StatusRuntimeException;

/**
 * Receives a stream of values: any number of {@link #onNext}, then at most one of
 * {@link #onError} or {@link #onCompleted}. Generated stubs and {@link ClientCalls} /
 * {@link ServerCalls} use it for both directions of a call.
 *
 * <p>Not thread-safe: calls must not overlap; a caller using several threads synchronizes them.
 *
 * <p>Flow control: for an observer that <em>sends</em> (a request stream on the client, the
 * response stream on the server), a message sent while the call is not
 * {@linkplain CallStreamObserver#isReady() ready} waits in the transport's memory until the peer
 * reads. That memory is bounded per call (the transport's send buffer limit, 1 MiB by default):
 * beyond it {@code onNext} blocks until the peer catches up or the call ends, or, on an
 * event-loop thread, which cannot block, fails the call with RESOURCE_EXHAUSTED (see
 * {@link ServerCall#isReady()}). So a simple loop of {@code onNext} calls is safe against a slow
 * peer, at the price of a blocked thread. A streamer that must not block casts the observer to
 * {@link CallStreamObserver} ({@link ClientCallStreamObserver} / {@link ServerCallStreamObserver}),
 * sends while {@code isReady()} is true, and resumes from the handler given to
 * {@link CallStreamObserver#setOnReadyHandler}.
 */
public interface StreamObserver<V> {
  /** The next value. Not called after {@link #onError} or {@link #onCompleted}. */
  void onNext(V value);

  /**
   * The stream ended with an error; nothing follows. A {@link StatusRuntimeException} or
   * {@link StatusException} carries the status (and trailers) to send or that was received; any
   * other throwable is mapped with {@link Status#fromThrowable}.
   */
  void onError(Throwable t);

  /** The stream ended successfully; nothing follows. */
  void onCompleted();
}
