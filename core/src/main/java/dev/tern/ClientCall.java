package dev.tern;

/**
 * One call from the client's side. The application starts it, sends messages, half-closes, and
 * asks for responses with {@link #request}; the {@link Listener} hears headers, messages and the
 * final status.
 *
 * <p>Threading: the methods of a call are not thread-safe and must be called by one thread at a
 * time (any thread), except {@link #cancel}, which may be called from any thread at any time.
 * Listener callbacks are never run concurrently for one call.
 */
public abstract class ClientCall<ReqT, RespT> {

  /** Receives the events of a call. Callbacks for one call never run concurrently. */
  public abstract static class Listener<T> {
    /** The server's response headers arrived (not called for a Trailers-Only response). */
    public void onHeaders(Metadata headers) {}

    /** A response message arrived; one is delivered per unit of {@link #request}. */
    public void onMessage(T message) {}

    /** The call ended. Called exactly once; no other callback follows. */
    public void onClose(Status status, Metadata trailers) {}

    /** {@link ClientCall#isReady()} may have changed to true. */
    public void onReady() {}
  }

  /** Starts the call: sends the request headers. Must be called first, once. */
  public abstract void start(Listener<RespT> responseListener, Metadata headers);

  /** Asks for up to {@code numMessages} more responses to be delivered to the listener. */
  public abstract void request(int numMessages);

  /**
   * Cancels the call. The server is told (RST_STREAM CANCEL) and the listener is closed with
   * CANCELLED unless the call already ended. Safe from any thread, any number of times.
   */
  public abstract void cancel(String message, Throwable cause);

  /** No more messages will be sent. */
  public abstract void halfClose();

  /** Sends one request message. */
  public abstract void sendMessage(ReqT message);

  /**
   * Whether a message can be sent without buffering beyond the transport's limit. Sending when
   * not ready is allowed but queues memory; streaming senders should wait for
   * {@link Listener#onReady()}.
   */
  public boolean isReady() {
    return true;
  }

  /** Turns per-message compression on or off for later messages (if the call has an encoding). */
  public void setMessageCompression(boolean enabled) {}

  /** Transport properties of the call (peer address, TLS session); empty before start. */
  public Attributes getAttributes() {
    return Attributes.EMPTY;
  }
}
