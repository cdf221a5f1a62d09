package dev.tern.netty.internal;

import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.WeightedFairQueueByteDistributor;

/**
 * How a connection shares its send window among streams.
 *
 * <p>Netty's default distributor hands out the window in 1 KiB slices when several streams have
 * data queued, so a typical 1 KiB message plus its 5-byte gRPC prefix leaves as two DATA frames
 * (RFC 9113 §6.1 allows any split) and the receiver must join them again. Slices of 16 KiB, the
 * default SETTINGS_MAX_FRAME_SIZE (RFC 9113 §6.5.2), keep each message of up to 16 KiB in one
 * frame while still interleaving large messages fairly.
 *
 * <p>Stateless; called while building a connection's handler.
 */
final class OutboundFlow {
  static final int ALLOCATION_QUANTUM = 16 * 1024;

  private OutboundFlow() {}

  static void configure(Http2Connection connection) {
    WeightedFairQueueByteDistributor distributor =
        new WeightedFairQueueByteDistributor(connection);
    distributor.allocationQuantum(ALLOCATION_QUANTUM);
    connection.remote().flowController(
        new DefaultHttp2RemoteFlowController(connection, distributor));
  }
}
