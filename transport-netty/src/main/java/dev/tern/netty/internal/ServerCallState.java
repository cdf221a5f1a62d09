package dev.tern.netty.internal;

/**
 * The stream's side of one server call ({@link ServerCallCore}). Every transition is in
 * {@link #canMoveTo}:
 *
 * <pre>
 * state \ event | handler   | headers      | app close   | server ends | deadline  | stream
 *               | started   | written      | (status)    | (error)     | (cut)     | closed
 * --------------+-----------+--------------+-------------+-------------+-----------+----------
 * NEW           | STARTED   |              |             |             | REJECTED  |
 * STARTED       |           | HEADERS_SENT | STATUS_SENT | FAILED      | CUT_SHORT | CANCELLED
 * HEADERS_SENT  |           |              | STATUS_SENT | FAILED      | CUT_SHORT | CANCELLED
 * STATUS_SENT   |           |              |             |             |           | COMPLETE
 * FAILED        |           |              |             |             |           | CANCELLED
 * CUT_SHORT     |           |              |             |             |           | CANCELLED
 * REJECTED      |           |              |             |             |           | CANCELLED
 * </pre>
 *
 * Events in an empty cell are ignored (the call has moved on). COMPLETE and CANCELLED are
 * final; a call that reaches CANCELLED from anywhere but REJECTED hears onCancel, one that
 * reaches COMPLETE hears onComplete.
 *
 * <p>Immutable; its owner keeps the current state in one volatile field written only on the
 * stream's event loop.
 */
enum ServerCallState {
  /** Created; the handler has not been started. */
  NEW,
  /** The handler was started; no response headers written. */
  STARTED,
  /** Response headers written. */
  HEADERS_SENT,
  /** The application's status written; the stream is closing. */
  STATUS_SENT,
  /** The server ended the call with an error status (bad input, handler failure). */
  FAILED,
  /** The deadline passed (or the context was cancelled): status and RST_STREAM written. */
  CUT_SHORT,
  /** The deadline had passed on arrival: answered without starting the handler. */
  REJECTED,
  /** The stream closed after the application's status. */
  COMPLETE,
  /** The stream closed otherwise: the client reset it, the connection dropped, or we ended it. */
  CANCELLED;

  /** Whether the call's outcome is decided: nothing more is written. */
  boolean isTerminated() {
    return this != NEW && this != STARTED && this != HEADERS_SENT;
  }

  /** What {@link ServerCall#isCancelled()} says. */
  boolean isCancelled() {
    return this == CUT_SHORT || this == REJECTED || this == CANCELLED;
  }

  boolean isClosed() {
    return this == COMPLETE || this == CANCELLED;
  }

  /** Whether the table has a transition from this state to {@code next}. */
  boolean canMoveTo(ServerCallState next) {
    return switch (next) {
      case STARTED, REJECTED -> this == NEW;
      case HEADERS_SENT -> this == STARTED;
      case STATUS_SENT, FAILED, CUT_SHORT -> this == STARTED || this == HEADERS_SENT;
      case COMPLETE -> this == STATUS_SENT;
      case CANCELLED -> !isClosed() && this != STATUS_SENT;
      case NEW -> false;
    };
  }
}
