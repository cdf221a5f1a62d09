package dev.tern.netty.internal;

import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2LocalFlowController;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * Builds a server connection's HTTP/2 codec: the connection and its flow controllers, the first
 * SETTINGS, the protections against abusive peers (from {@link ServerLimits}), and the
 * {@link ServerHandler} on top. Stateless; each call builds a handler for one connection.
 */
final class ServerCodec {
  private ServerCodec() {}

  /**
   * {@code addedInRead}: the handler joins the pipeline while the read that carried the client's
   * preface is handled (cleartext protocol detection), so that read's read-complete flush carries
   * the server's SETTINGS and connection WINDOW_UPDATE with the first answers (one write, not
   * three, per connection set up); otherwise they are flushed as soon as they are written.
   */
  static ServerHandler newHandler(ServerShared shared, boolean addedInRead) {
    ServerSettings settings = shared.settings();
    // One remote flow controller, set below (OutboundFlow's would only be replaced: each
    // controller and distributor listens to the connection and keeps state per stream).
    Http2Connection connection = new DefaultHttp2Connection(true);
    // The connection window is refilled as bytes arrive: each stream's own window, driven by
    // what its application consumes, bounds memory, so one stalled call cannot starve the others.
    connection.local().flowController(
        new DefaultHttp2LocalFlowController(connection, 0.5f, true));
    // PRIORITY is deprecated (RFC 9113 §5.3.2): a uniform distributor keeps no dependency tree,
    // so PRIORITY frames and priority fields in HEADERS cost O(1) and no memory; its 16 KiB
    // slices keep a message of up to 16 KiB in one DATA frame (OutboundFlow).
    // The enforcer hears of HEADERS and DATA as they leave (KeepAliveSignal's decorators).
    ServerLimits limits = settings.limits();
    KeepAliveEnforcer enforcer = new KeepAliveEnforcer(limits.permitKeepAliveWithoutCalls(),
        limits.permitKeepAliveTimeNanos());
    KeepAliveSignal signal = new KeepAliveSignal(enforcer);
    connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection,
        signal.distributor(OutboundFlow.distributor(connection))));
    // Advertised in the first SETTINGS; Netty's builder also applies MAX_CONCURRENT_STREAMS and
    // MAX_HEADER_LIST_SIZE to the connection at once, so they hold before the client's ACK
    // (RFC 9113 §5.1.2: excess streams get RST_STREAM(REFUSED_STREAM)).
    Http2Settings initial = new Http2Settings()
        .maxConcurrentStreams(settings.maxConcurrentStreams())
        .initialWindowSize(settings.flowControlWindow())
        .maxHeaderListSize(settings.maxHeaderListSize());
    return new Builder(shared, enforcer, signal, addedInRead).build(connection, initial);
  }

  private static final class Builder
      extends HandlerBuilder<ServerHandler, Builder> {
    private final ServerShared shared;
    private final KeepAliveEnforcer enforcer;
    private final KeepAliveSignal signal;
    private final boolean addedInRead;

    Builder(ServerShared shared, KeepAliveEnforcer enforcer, KeepAliveSignal signal,
        boolean addedInRead) {
      ServerSettings settings = shared.settings();
      this.shared = shared;
      this.enforcer = enforcer;
      this.signal = signal;
      this.addedInRead = addedInRead;
      // RFC 9113 §8.3.1: a request without :method, :scheme or :path is malformed (stream error).
      validateRequiredPseudoHeaders(true);
      if (settings.frameLogging()) {
        frameLogger(new FrameLogging());
      }
      limitAbuse(settings.limits());
      gracefulShutdownTimeoutMillis(GracefulDrain.CLOSE_TIMEOUT_MILLIS);
    }

    /** Netty's protections against known HTTP/2 denial-of-service patterns. */
    private void limitAbuse(ServerLimits limits) {
      // Rapid reset (CVE-2023-44487): resets the client sends.
      decoderEnforceMaxRstFramesPerWindow(limits.maxResetsReceived(),
          limits.resetsReceivedWindowSeconds());
      // MadeYouReset (CVE-2025-8671): resets the client provokes us into sending.
      encoderEnforceMaxRstFramesPerWindow(limits.maxResetsProvoked(),
          limits.resetsProvokedWindowSeconds());
      // PING/SETTINGS floods from a peer that does not read (CVE-2019-9512, -9515).
      encoderEnforceMaxQueuedControlFrames(limits.maxQueuedControlFrames());
      // Empty-frame floods (CVE-2019-9518).
      decoderEnforceMaxConsecutiveEmptyDataFrames(limits.maxConsecutiveEmptyDataFrames());
      // CONTINUATION floods (2024), including zero-length frames; the header block itself is
      // capped at 1.25 x SETTINGS_MAX_HEADER_LIST_SIZE while it accumulates.
      decoderEnforceMaxSmallContinuationFrames(limits.maxSmallContinuationFrames());
    }

    @Override
    ServerHandler newHandler(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
        Http2Settings initialSettings) {
      // Netty's decorating pattern: the stream-state rules wrap the decoder, the keepalive
      // signal the encoder.
      return new ServerHandler(new StreamStateDecoder(decoder), signal.encoder(encoder),
          initialSettings, shared, enforcer, addedInRead);
    }
  }
}
