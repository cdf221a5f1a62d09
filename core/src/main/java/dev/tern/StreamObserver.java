package dev.tern;

/**
 * Receives a stream of values: any number of {@link #onNext}, then at most one of
 * {@link #onError} or {@link #onCompleted}. Generated stubs and {@link ClientCalls} /
 * {@link ServerCalls} use it for both directions of a call.
 *
 * <p>Not thread-safe: calls must not overlap; a caller using several threads synchronizes them.
 *
 * <p>Flow control: for an observer that <em>sends</em> (a request stream on the client, the
 * response stream on the server), {@code onNext} never blocks and never refuses a message; a
 * message sent while the call is not {@linkplain CallStreamObserver#isReady() ready} is queued in
 * the transport, in memory, without bound. A well-behaved streamer therefore casts the observer to
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
