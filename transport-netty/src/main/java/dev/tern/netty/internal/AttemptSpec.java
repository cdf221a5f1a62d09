package dev.tern.netty.internal;

import dev.tern.CodecRegistry;
import dev.tern.Deadline;
import dev.tern.Status;

/**
 * What every {@link ClientAttempt} of one call shares. Immutable.
 *
 * @param path the method's {@code :path}
 * @param deadline the call's deadline, or null
 * @param startNanos when the call started (for the deadline's description)
 * @param maxInboundMessageSize the response size limit
 * @param codecs the channel's codecs, for the response's grpc-encoding
 * @param writer the call's message writer (send buffer accounting, readiness)
 * @param readAhead how many whole response messages an attempt may hand to the call before they
 *     are requested (0: none; see {@link AttemptResponse})
 */
record AttemptSpec(String path, Deadline deadline, long startNanos, int maxInboundMessageSize,
    CodecRegistry codecs, MessageWriter writer, int readAhead) {
  Status deadlineExceeded() {
    return Status.DEADLINE_EXCEEDED.withDescription(
        "deadline exceeded after " + ClientCallImpl.seconds(System.nanoTime() - startNanos));
  }
}
