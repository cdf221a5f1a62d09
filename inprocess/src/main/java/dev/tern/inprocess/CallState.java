package dev.tern.inprocess;

/**
 * Where one in-process call is, from the client's start to the client hearing its end. The only
 * state of a call: which side may still send, and whether the end was delivered, all follow
 * from it. Moved under the call's lock only ({@link InProcessStream}).
 */
enum CallState {
  /** Created by the channel, not started. */
  NEW,
  /** Started: the server's handler has the call and both sides may send. */
  OPEN,
  /** The client half-closed; the server may still send. */
  HALF_CLOSED,
  /** The server closed; its status waits behind the responses the client has not taken yet. */
  SERVER_CLOSED,
  /** The client was handed the server's status. Terminal. */
  DONE,
  /**
   * Ended early: the client cancelled, the deadline passed, a limit was crossed or a server was
   * shut down now. Both sides are told at once; nothing queued is delivered. Terminal.
   */
  CANCELLED;

  /** Whether the call has ended for both sides. */
  boolean isTerminal() {
    return this == DONE || this == CANCELLED;
  }

  /** Whether the client may still send messages or half-close. */
  boolean clientMaySend() {
    return this == OPEN;
  }

  /** Whether the server's handler still has the call: it may send, and hears its callbacks. */
  boolean serverLive() {
    return this == OPEN || this == HALF_CLOSED;
  }

  /** Whether moving to {@code next} is allowed. */
  boolean canMoveTo(CallState next) {
    return switch (this) {
      case NEW -> next == OPEN || next == DONE || next == CANCELLED;
      case OPEN -> next == HALF_CLOSED || next == SERVER_CLOSED || next == CANCELLED;
      case HALF_CLOSED -> next == SERVER_CLOSED || next == CANCELLED;
      case SERVER_CLOSED -> next == DONE || next == CANCELLED;
      case DONE, CANCELLED -> false;
    };
  }
}
