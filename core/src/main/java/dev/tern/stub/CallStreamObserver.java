package dev.tern.stub;

/**
 * A {@link StreamObserver} for the outbound side of a call, with control over flow: readiness to
 * send ({@link #isReady}, {@link #setOnReadyHandler}) and how many inbound messages to accept
 * ({@link #disableAutoRequest}, {@link #request}).
 *
 * <p>Sending with {@link #onNext} while {@link #isReady()} is false is allowed: the message waits
 * in the transport's memory, up to a per-call bound past which {@code onNext} blocks (see
 * {@link StreamObserver}). A streamer that must not block sends only while {@code isReady()} and
 * continues from the on-ready handler.
 *
 * <p>Not thread-safe, like {@link StreamObserver}, except {@link #isReady}, which any thread may
 * call.
 */
public abstract class CallStreamObserver<V> implements StreamObserver<V> {
  /**
   * Whether a message can be sent now without queueing beyond the transport's flow-control
   * window. The answer may change to false at any time, and to true only along with a call of the
   * on-ready handler.
   */
  public abstract boolean isReady();

  /**
   * Sets the code run each time {@link #isReady()} may have turned true. It runs on the call's
   * executor, never concurrently with the call's other callbacks. Spurious calls are possible:
   * the handler should re-check {@code isReady()} while sending.
   */
  public abstract void setOnReadyHandler(Runnable onReadyHandler);

  /**
   * Stops the automatic request of one inbound message at a time; the application then asks with
   * {@link #request}. Only allowed before the call starts delivering (on the client in
   * {@link ClientResponseObserver#beforeStart}, on the server while the service method runs).
   */
  public abstract void disableAutoRequest();

  /** Asks for {@code count} more inbound messages (after {@link #disableAutoRequest}). */
  public abstract void request(int count);

  /** Turns compression of later outbound messages on or off (if the call has an encoding). */
  public abstract void setMessageCompression(boolean enable);
}
