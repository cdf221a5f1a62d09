package dev.tern.netty.internal;

import dev.tern.Metadata;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;

/**
 * What a {@link ClientAttempt} tells its call's engine ({@link RetriableCall}).
 *
 * <p>Thread rule: called on the attempt's event loop (or, for an attempt that never had a
 * connection, on the thread that ended it), never under the attempt's monitor.
 */
interface AttemptEvents {
  void streamCreated(ClientAttempt attempt);

  void headersReceived(ClientAttempt attempt, Metadata headers);

  /**
   * A response message, requested or read ahead; the receiver owns and must release
   * {@code message}. See {@link EngineListener#onMessage} for {@code credit}.
   */
  void messageReceived(ClientAttempt attempt, ByteBuf message, boolean compressed,
      int wireSize, int seqNo, int credit, boolean readAhead);

  void ready(ClientAttempt attempt);

  /**
   * Runs {@code task} after the messages this attempt delivered have been handed to the
   * application (they are decoded, and traced, on the callback thread), even if the call ends
   * first.
   */
  void afterDelivered(ClientAttempt attempt, Runnable task);

  /** Exactly once per attempt, last. */
  void closed(ClientAttempt attempt, Status status, Metadata trailers, ClientAttempt.Reach reach);
}
