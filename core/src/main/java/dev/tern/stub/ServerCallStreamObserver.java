package dev.tern.stub;

/**
 * The response observer a service method receives (cast the {@link StreamObserver} to reach it):
 * adds cancellation and compression to {@link CallStreamObserver}.
 *
 * <p>Not thread-safe, like {@link StreamObserver}, except {@link #isReady} and
 * {@link #isCancelled}, which any thread may call.
 */
public abstract class ServerCallStreamObserver<V> extends CallStreamObserver<V> {
  /**
   * Whether the client cancelled the call, its deadline passed or the connection was lost. Once
   * true, further responses are discarded.
   */
  public abstract boolean isCancelled();

  /**
   * Sets the code run when the call is cancelled before it completed. It runs on the call's
   * executor. Must be set while the service method runs (not later). Once a handler is set,
   * {@link #onNext} on a cancelled call discards the message instead of throwing.
   */
  public abstract void setOnCancelHandler(Runnable onCancelHandler);

  /**
   * Chooses the response encoding ({@code "gzip"}, {@code "identity"}); must be called before the
   * first {@link #onNext}. Ignored if the client does not accept the encoding.
   */
  public abstract void setCompression(String compression);
}
