package dev.tern.netty.internal;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The one replay buffer of a call (gRFC A6 "Buffered RPCs"): the framed request messages sent so
 * far and whether the call half-closed, so that every new attempt (retry, hedge, transparent
 * retry) starts with what the others were sent. Counted against one limit for all attempts
 * together; released, for good, when the call commits.
 *
 * <p>Nothing is copied: the buffer holds one reference to each framed message (the very buffer
 * the first attempt writes) with the message's position in it, and each replay writes a retained
 * slice of that position, unaffected by how far Netty has read the original. The first message
 * is kept in fields, so a unary call's buffer allocates nothing.
 *
 * <p>Not thread-safe: used under the engine's ({@link RetriableCall}) monitor.
 */
final class ReplayBuffer {
  /** Per message in {@link #more}: reader index, length, uncompressed size. */
  private static final int MARKS = 3;

  private final long limit;
  private boolean open = true;
  private long bytes;
  private boolean halfClosed;

  // The first message.
  private ByteBuf first;
  private int firstIndex;
  private int firstLength;
  private int firstUncompressed;
  // Later messages (streaming requests), allocated on the second.
  private ByteBuf[] more;
  private int[] marks;
  private int moreCount;

  ReplayBuffer(long limit) {
    this.limit = limit;
  }

  /** Whether messages are still kept (not released). */
  boolean isOpen() {
    return open;
  }

  /**
   * Keeps a reference to {@code frame} (retaining it: the caller still writes its own) at its
   * current position; returns whether the buffer is now over its limit, which commits the call.
   */
  boolean add(ByteBuf frame, int uncompressedSize) {
    int index = frame.readerIndex();
    int length = frame.readableBytes();
    frame.retain();
    if (first == null) {
      first = frame;
      firstIndex = index;
      firstLength = length;
      firstUncompressed = uncompressedSize;
    } else {
      if (more == null) {
        more = new ByteBuf[4];
        marks = new int[4 * MARKS];
      } else if (moreCount == more.length) {
        more = Arrays.copyOf(more, moreCount * 2);
        marks = Arrays.copyOf(marks, moreCount * 2 * MARKS);
      }
      more[moreCount] = frame;
      marks[moreCount * MARKS] = index;
      marks[moreCount * MARKS + 1] = length;
      marks[moreCount * MARKS + 2] = uncompressedSize;
      moreCount++;
    }
    bytes += length;
    return bytes > limit;
  }

  void halfClose() {
    halfClosed = true;
  }

  /** Writes everything kept so far to a new attempt, then its half-close if there was one. */
  void replayInto(ClientAttempt attempt) {
    if (open && first != null) {
      // Already counted by the send buffer when first sent: replays count nothing.
      attempt.write(first.retainedSlice(firstIndex, firstLength), firstUncompressed, 0);
      for (int i = 0; i < moreCount; i++) {
        int m = i * MARKS;
        attempt.write(more[i].retainedSlice(marks[m], marks[m + 1]), marks[m + 2], 0);
      }
    }
    if (halfClosed) {
      attempt.halfClose();
    }
  }

  /** Drops the kept messages: no attempt will need them. Idempotent. */
  void release() {
    if (!open) {
      return;
    }
    open = false;
    bytes = 0;
    if (first != null) {
      first.release();
      first = null;
    }
    for (int i = 0; i < moreCount; i++) {
      more[i].release();
      more[i] = null;
    }
    moreCount = 0;
  }
}
