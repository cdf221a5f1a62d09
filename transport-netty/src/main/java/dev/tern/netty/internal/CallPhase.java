package dev.tern.netty.internal;

/**
 * Where a call is in its life, from the application's side, the same for client and server
 * calls. Replaces the scattered flags ({@code cancelled}, {@code finished}, {@code halfClosed},
 * {@code sendFailed}...) with one value whose every transition is in {@link #next}:
 *
 * <pre>
 * phase \ event | START | HALF_CLOSE  | CANCEL    | CLOSE
 * --------------+-------+-------------+-----------+-------
 * IDLE          | OPEN  | (illegal)   | CANCELLED | CLOSED
 * OPEN          | (ill.)| HALF_CLOSED | CANCELLED | CLOSED
 * HALF_CLOSED   | (ill.)| (illegal)   | CANCELLED | CLOSED
 * CANCELLED     | (ill.)| CANCELLED   | CANCELLED | CLOSED
 * CLOSED        | (ill.)| CLOSED      | CLOSED    | CLOSED
 * </pre>
 *
 * <p>HALF_CLOSE means the local side sent its last message (a client's {@code halfClose}, a
 * server's status); CANCEL that the call is being ended early (application cancel, deadline,
 * a send that cannot proceed) and its outcome is not delivered yet; CLOSE that the outcome is
 * decided. Illegal transitions are the application's misuse and throw
 * {@link IllegalStateException}. Immutable; the owner keeps the current phase in one field and
 * says which thread (or lock) moves it.
 */
enum CallPhase {
  IDLE, OPEN, HALF_CLOSED, CANCELLED, CLOSED;

  /** What happens to a call. */
  enum Event { START, HALF_CLOSE, CANCEL, CLOSE }

  /** The phase after {@code event}; this phase itself when the event changes nothing. */
  CallPhase next(Event event) {
    switch (event) {
      case START:
        if (this != IDLE) {
          throw new IllegalStateException("already started");
        }
        return OPEN;
      case HALF_CLOSE:
        switch (this) {
          case OPEN:
            return HALF_CLOSED;
          case IDLE:
            throw new IllegalStateException("not started");
          case HALF_CLOSED:
            throw new IllegalStateException("already half-closed");
          default:
            return this; // ending anyway: nothing left to close
        }
      case CANCEL:
        return this == CLOSED ? CLOSED : CANCELLED;
      case CLOSE:
        return CLOSED;
      default:
        throw new AssertionError(event);
    }
  }

  /** Whether the call is being or has been ended: sends are dropped. */
  boolean isEnding() {
    return this == CANCELLED || this == CLOSED;
  }
}
