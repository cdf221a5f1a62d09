package dev.tern.stub;

/**
 * The request observer of a client call: returned by client- and bidi-streaming calls and given
 * to {@link ClientResponseObserver#beforeStart}. Adds {@link #cancel} to
 * {@link CallStreamObserver}.
 *
 * <p>Not thread-safe, like {@link StreamObserver}, except {@link #isReady} and {@link #cancel},
 * which any thread may call.
 */
public abstract class ClientCallStreamObserver<V> extends CallStreamObserver<V> {
  /**
   * Cancels the call: the server is told and the response observer receives
   * {@link StreamObserver#onError} with CANCELLED, unless the call already ended. At least one of
   * {@code message} and {@code cause} should be non-null, to say why.
   */
  public abstract void cancel(String message, Throwable cause);
}
