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

  /**
   * Sends one request message. It is queued and written as the server's flow-control window
   * allows; see {@link #isReady()} for what sending faster than the server reads costs.
   */
  public abstract void sendMessage(ReqT message);

  /**
   * Whether a message can be sent now without waiting in memory: true while little of this
   * call's output (32 KiB in Tern's transport) still waits for the server's HTTP/2 window or the
   * socket. {@link Listener#onReady()} is called when it turns true again.
   *
   * <p>What a sender that ignores it costs: each message sent while not ready waits in memory
   * until the server reads. Tern bounds this per call (the channel's send buffer limit, 1 MiB by
   * default, plus one message): beyond it {@link #sendMessage} blocks the sending thread until
   * the server catches up or the call ends, and on an event-loop thread, which must never block,
   * the call is cancelled with RESOURCE_EXHAUSTED instead. Streaming senders should send while
   * ready and continue from {@code onReady}.
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
