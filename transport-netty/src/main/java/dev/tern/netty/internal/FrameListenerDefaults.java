package dev.tern.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * What a gRPC connection does with the frames neither side acts on, once for
 * {@link ClientHandler} and {@link ServerHandler} (which extend Netty's connection handler and so
 * cannot extend Netty's frame adapter). Netty's decoder has already validated and applied each
 * frame (flow control, SETTINGS) before these run. Stateless.
 */
interface FrameListenerDefaults extends Http2FrameListener {
  /** Priority fields are deprecated (RFC 9113 §5.3.2): HEADERS is read without them. */
  @Override
  default void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
      int streamDependency, short weight, boolean exclusive, int padding, boolean endOfStream)
      throws Http2Exception {
    onHeadersRead(ctx, streamId, headers, padding, endOfStream);
  }

  /** PRIORITY is deprecated (RFC 9113 §5.3.2); ignored in O(1). */
  @Override
  default void onPriorityRead(ChannelHandlerContext ctx, int streamId, int streamDependency,
      short weight, boolean exclusive) {}

  @Override
  default void onSettingsAckRead(ChannelHandlerContext ctx) {}

  /** Applied by Netty's flow controller. */
  @Override
  default void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId,
      int windowSizeIncrement) {}

  /** RFC 9113 §5.5: frames of unknown types are ignored. */
  @Override
  default void onUnknownFrame(ChannelHandlerContext ctx, byte frameType, int streamId,
      Http2Flags flags, ByteBuf payload) {}

  /**
   * gRPC uses no server push: a client announces SETTINGS_ENABLE_PUSH 0, and a client must not
   * push at all (RFC 9113 §8.4), so PUSH_PROMISE is a connection error of type PROTOCOL_ERROR.
   */
  @Override
  default void onPushPromiseRead(ChannelHandlerContext ctx, int streamId, int promisedStreamId,
      Http2Headers headers, int padding) throws Http2Exception {
    throw Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR,
        "PUSH_PROMISE is not allowed on a gRPC connection (RFC 9113 §8.4)");
  }
}
