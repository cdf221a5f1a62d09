package dev.tern.netty.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The one replay buffer of a call (gRFC A6 "Buffered RPCs"): the framed request messages sent so
 * far and whether the call half-closed, so that every new attempt (retry, hedge, transparent
 * retry) starts with what the others were sent. Messages are kept as framed bytes (the buffer
 * owns one reference; each replay writes a retained duplicate: nothing is copied), counted
 * against one limit for all attempts together. Released, for good, when the call commits.
 *
 * <p>Not thread-safe: used under the engine's ({@link RetriableCall}) monitor.
 */
final class ReplayBuffer {
  private final long limit;
  private List<MessageWriter.Framed> messages = new ArrayList<>(2);
  private long bytes;
  private boolean halfClosed;

  ReplayBuffer(long limit) {
    this.limit = limit;
  }

  /** Whether messages are still kept (not released). */
  boolean isOpen() {
    return messages != null;
  }

  /**
   * Keeps {@code message} (taking its reference); returns whether the buffer is now over its
   * limit, which commits the call.
   */
  boolean add(MessageWriter.Framed message) {
    messages.add(message);
    bytes += message.frame().readableBytes();
    return bytes > limit;
  }

  void halfClose() {
    halfClosed = true;
  }

  /** Writes everything kept so far to a new attempt, then its half-close if there was one. */
  void replayInto(ClientAttempt attempt) {
    if (messages != null) {
      for (MessageWriter.Framed m : messages) {
        // Already counted by the send buffer when first sent: replays count nothing.
        attempt.write(m.frame().retainedDuplicate(), m.uncompressedSize(), 0);
      }
    }
    if (halfClosed) {
      attempt.halfClose();
    }
  }

  /** Drops the kept messages: no attempt will need them. Idempotent. */
  void release() {
    if (messages != null) {
      for (MessageWriter.Framed m : messages) {
        m.frame().release();
      }
      messages = null;
      bytes = 0;
    }
  }
}
