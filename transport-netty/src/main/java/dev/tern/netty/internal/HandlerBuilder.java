package dev.tern.netty.internal;

import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2ConnectionDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2FrameReader;
import io.netty.handler.codec.http2.Http2InboundFrameLogger;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * Netty's handler builder as both sides use it: on a connection they configured themselves
 * (flow controllers, stream distributor), announcing their first SETTINGS, with received header
 * blocks decoded into {@link InboundHeaders}. Netty keeps these steps protected; this is the one
 * place that opens them. Not thread-safe; one use.
 *
 * <p>Netty's builder makes its own header decoder and offers no way to replace it, and its
 * protections against abusive peers are package-private decorators it applies only as it builds.
 * So the build runs in two stages: Netty builds the encoder side (frame writer and its limits:
 * queued control frames, provoked resets) as always; then, instead of its decoder, a decoder with
 * {@link InboundHeadersDecoder} goes through a second builder ({@link Stage2}), which applies the
 * decoder-side protections (empty DATA floods, reset floods) as Netty does, and builds the handler.
 */
abstract class HandlerBuilder<T extends Http2ConnectionHandler, B extends HandlerBuilder<T, B>>
    extends AbstractHttp2ConnectionHandlerBuilder<T, B> {
  /** As set by {@link #decoderEnforceMaxRstFramesPerWindow}; null: Netty's default. */
  private Integer maxResetsReceived;
  private int resetsReceivedWindowSeconds;

  /** Builds the handler on {@code connection}, announcing {@code initial}. */
  final T build(Http2Connection connection, Http2Settings initial) {
    return connection(connection).initialSettings(initial).build();
  }

  /** Makes the handler on its finished decoder and encoder. */
  abstract T newHandler(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
      Http2Settings initialSettings);

  @Override
  protected B decoderEnforceMaxRstFramesPerWindow(int maxRstFramesPerWindow,
      int secondsPerWindow) {
    maxResetsReceived = maxRstFramesPerWindow;
    resetsReceivedWindowSeconds = secondsPerWindow;
    return super.decoderEnforceMaxRstFramesPerWindow(maxRstFramesPerWindow, secondsPerWindow);
  }

  /**
   * Netty's first stage is done: {@code encoder} is complete; its decoder is replaced by one that
   * reads header blocks into {@link InboundHeaders}, and the second stage builds the handler.
   */
  @Override
  protected final T build(Http2ConnectionDecoder nettyDecoder, Http2ConnectionEncoder encoder,
      Http2Settings initialSettings) {
    // Netty's own decoder is never used: only its frame reader holds anything, nothing to free.
    nettyDecoder.close();
    Long maxHeaderListSize = initialSettings.maxHeaderListSize();
    Http2FrameReader reader = new DefaultHttp2FrameReader(new InboundHeadersDecoder(
        isValidateHeaders(),
        maxHeaderListSize == null ? Http2CodecUtil.DEFAULT_HEADER_LIST_SIZE : maxHeaderListSize),
        decoderEnforceMaxSmallContinuationFrames());
    if (frameLogger() != null) {
      reader = new Http2InboundFrameLogger(reader, frameLogger());
    }
    Http2ConnectionDecoder decoder = new DefaultHttp2ConnectionDecoder(connection(), encoder,
        reader, promisedRequestVerifier(), isAutoAckSettingsFrame(), isAutoAckPingFrame(),
        isValidateHeaders(), isValidateRequiredPseudoHeaders());
    // Netty accepts these only before the codec is given.
    Stage2<T> second = new Stage2<>(this);
    second.initialSettings(initialSettings)
        .gracefulShutdownTimeoutMillis(gracefulShutdownTimeoutMillis())
        .decoderEnforceMaxConsecutiveEmptyDataFrames(
            decoderEnforceMaxConsecutiveEmptyDataFrames());
    if (maxResetsReceived != null) {
      second.decoderEnforceMaxRstFramesPerWindow(maxResetsReceived, resetsReceivedWindowSeconds);
    }
    second.codec(decoder, encoder);
    return second.build();
  }

  /**
   * The second stage: Netty's builder given the finished codec, so that it decorates the decoder
   * with its protections; the handler itself is made by the first stage's {@link #newHandler}.
   */
  private static final class Stage2<T extends Http2ConnectionHandler>
      extends AbstractHttp2ConnectionHandlerBuilder<T, Stage2<T>> {
    private final HandlerBuilder<T, ?> first;

    Stage2(HandlerBuilder<T, ?> first) {
      this.first = first;
    }

    @Override
    protected Stage2<T> codec(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder) {
      return super.codec(decoder, encoder);
    }

    @Override
    protected Stage2<T> initialSettings(Http2Settings settings) {
      return super.initialSettings(settings);
    }

    @Override
    protected Stage2<T> gracefulShutdownTimeoutMillis(long millis) {
      return super.gracefulShutdownTimeoutMillis(millis);
    }

    @Override
    protected Stage2<T> decoderEnforceMaxConsecutiveEmptyDataFrames(int max) {
      return super.decoderEnforceMaxConsecutiveEmptyDataFrames(max);
    }

    @Override
    protected Stage2<T> decoderEnforceMaxRstFramesPerWindow(int max, int seconds) {
      return super.decoderEnforceMaxRstFramesPerWindow(max, seconds);
    }

    @Override
    protected T build() {
      return super.build();
    }

    @Override
    protected T build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
        Http2Settings initialSettings) {
      return first.newHandler(decoder, encoder, initialSettings);
    }
  }
}
