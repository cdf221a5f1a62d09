package dev.tern.stub;

import dev.tern.StatusException;

/**
 * The request messages of a blocking server handler (client- and bidi-streaming). {@link #next}
 * asks the client for one message and blocks until it arrives: at most one message is buffered,
 * so a handler that reads slowly slows the client down through HTTP/2 flow control.
 *
 * <pre>{@code
 * for (Point p; (p = points.next()) != null; ) {
 *   count++;
 * }
 * }</pre>
 *
 * <p>Not thread-safe: read from one thread at a time (it may be another thread than the one
 * sending responses).
 */
public interface MessageSource<T> {
  /**
   * Waits for the next message; null once the client half-closed (sent its last message).
   *
   * @throws StatusException CANCELLED or DEADLINE_EXCEEDED when the call ended early (client
   *     cancel, deadline, connection loss, the handler's thread interrupted)
   */
  T next() throws StatusException;
}
