package dev.tern.netty.internal;

import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;

/**
 * How a connection shares its send window among streams.
 *
 * <p>Evenly: PRIORITY is deprecated (RFC 9113 §5.3.2), so a uniform distributor, which keeps no
 * dependency tree, does the job with less per stream than Netty's default weighted fair queue
 * (one small state object per stream instead of a state and its own priority queue, and no
 * state retained for closed streams): the allocation of every call's stream.
 *
 * <p>Netty's distributors hand out the window in 1 KiB slices by default when several streams
 * have data queued, so a typical 1 KiB message plus its 5-byte gRPC prefix would leave as two
 * DATA frames (RFC 9113 §6.1 allows any split) and the receiver must join them again. Slices of
 * at least 16 KiB, the default SETTINGS_MAX_FRAME_SIZE (RFC 9113 §6.5.2), keep each message of
 * up to 16 KiB in one frame while still interleaving large messages fairly.
 *
 * <p>Stateless; called while building a connection's handler.
 */
final class OutboundFlow {
  static final int ALLOCATION_QUANTUM = 16 * 1024;

  private OutboundFlow() {}

  static void configure(Http2Connection connection) {
    connection.remote().flowController(
        new DefaultHttp2RemoteFlowController(connection, distributor(connection)));
  }

  /** The uniform distributor with {@link #ALLOCATION_QUANTUM} slices, for a side to decorate. */
  static UniformStreamByteDistributor distributor(Http2Connection connection) {
    UniformStreamByteDistributor distributor = new UniformStreamByteDistributor(connection);
    distributor.minAllocationChunk(ALLOCATION_QUANTUM);
    return distributor;
  }
}
