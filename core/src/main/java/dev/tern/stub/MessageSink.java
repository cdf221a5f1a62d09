package dev.tern.stub;

import dev.tern.StatusException;

/**
 * The response messages of a blocking server handler (server- and bidi-streaming).
 * {@link #send} blocks while the transport is not ready (the client is not reading, or its
 * HTTP/2 window is closed), so a fast handler never buffers more than a little per call.
 *
 * <p>Not thread-safe: send from one thread at a time (it may be another thread than the one
 * reading requests).
 */
public interface MessageSink<T> {
  /**
   * Waits until the call is ready for a message, then sends {@code message}.
   *
   * @throws StatusException CANCELLED or DEADLINE_EXCEEDED when the call ended early (client
   *     cancel, deadline, connection loss, the handler's thread interrupted)
   */
  void send(T message) throws StatusException;
}
