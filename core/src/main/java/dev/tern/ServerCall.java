package dev.tern;

/**
 * One call from the server's side. The handler sends headers, messages and finally closes the call
 * with a status and trailers; it asks for request messages with {@link #request}.
 *
 * <p>Threading: the methods of a call are not thread-safe and must be called by one thread at a
 * time (any thread), except {@link #isCancelled} and {@link #isReady}. Listener callbacks are
 * never run concurrently for one call.
 */
public abstract class ServerCall<ReqT, RespT> {

  /** Receives the events of a call. Callbacks for one call never run concurrently. */
  public abstract static class Listener<T> {
    /** A request message arrived; one is delivered per unit of {@link ServerCall#request}. */
    public void onMessage(T message) {}

    /** The client half-closed: no more messages will arrive. */
    public void onHalfClose() {}

    /**
     * The call was cancelled (client cancel, deadline, connection loss) before it completed. No
     * other callback follows; the call's {@link Context} is cancelled too.
     */
    public void onCancel() {}

    /** The call completed: its status and trailers were handed to the transport. */
    public void onComplete() {}

    /** {@link ServerCall#isReady()} may have changed to true. */
    public void onReady() {}
  }

  /** Asks for up to {@code numMessages} more request messages. */
  public abstract void request(int numMessages);

  /** Sends the response headers; optional, at most once, before any message. */
  public abstract void sendHeaders(Metadata headers);

  /**
   * Sends one response message; sends empty headers first if none were sent. The message is
   * queued and written as the client's flow-control window allows; see {@link #isReady()} for
   * what sending faster than the client reads costs.
   */
  public abstract void sendMessage(RespT message);

  /** Ends the call with {@code status} and {@code trailers}. Called once, last. */
  public abstract void close(Status status, Metadata trailers);

  /** Whether the call was cancelled by the client, a deadline or the connection. Thread-safe. */
  public abstract boolean isCancelled();

  /**
   * Whether a message can be sent now without waiting in memory: true while little of this
   * call's output (32 KiB in Tern's transport) still waits for the client's HTTP/2 window or the
   * socket. {@link Listener#onReady} is called when it turns true again. Thread-safe.
   *
   * <p>What a handler that ignores it costs: each message sent while not ready waits in memory
   * until the client reads. Tern bounds this per call (the server's send buffer limit, 1 MiB by
   * default, plus one message): beyond it {@link #sendMessage} blocks the handler's thread until
   * the client catches up or the call ends, and on an event-loop thread, which must never block,
   * the call fails with RESOURCE_EXHAUSTED instead. A streaming handler should send while ready
   * and continue from {@code onReady}.
   */
  public boolean isReady() {
    return true;
  }

  /** Turns per-message compression on or off for later messages. */
  public void setMessageCompression(boolean enabled) {}

  /**
   * Chooses the response encoding ({@code "gzip"}, {@code "identity"}); must be called before
   * {@link #sendHeaders}. Ignored if the client does not accept it.
   */
  public void setCompression(String compressor) {}

  /** The method being called. */
  public abstract MethodDescriptor<ReqT, RespT> getMethodDescriptor();

  /** Transport properties: peer and local address, TLS session. */
  public Attributes getAttributes() {
    return Attributes.EMPTY;
  }

  /** The {@code :authority} the client sent, or null. */
  public String getAuthority() {
    return null;
  }
}
