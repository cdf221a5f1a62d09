package dev.tern.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.List;
import java.util.function.Consumer;

/**
 * The inbound side of a raw {@link RawHttp2Connection}: Netty's frame reader parses the bytes
 * (HPACK included) and each frame goes to {@code record} as it is, with no reply; a parse error
 * goes to {@code errors} and closes the connection.
 *
 * <p>Not thread-safe: runs on the connection's event loop.
 */
final class RawFrameReader extends ByteToMessageDecoder {
  private final Consumer<RawFrame> record;
  private final Consumer<Throwable> errors;
  private final DefaultHttp2FrameReader reader =
      new DefaultHttp2FrameReader(new DefaultHttp2HeadersDecoder(false, 1L << 20));
  private final Http2FrameListener listener = new Http2FrameListener() {
    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
        boolean endOfStream) {
      record.accept(RawFrame.builder(RawFrame.Type.DATA, streamId)
          .payload(ByteBufUtil.getBytes(data)).endStream(endOfStream).build());
      return data.readableBytes() + padding;
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
        int padding, boolean endOfStream) {
      record.accept(RawFrame.builder(RawFrame.Type.HEADERS, streamId).headers(headers)
          .endStream(endOfStream).build());
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
        int streamDependency, short weight, boolean exclusive, int padding,
        boolean endOfStream) {
      onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    @Override
    public void onPriorityRead(ChannelHandlerContext ctx, int streamId, int streamDependency,
        short weight, boolean exclusive) {
      record.accept(RawFrame.builder(RawFrame.Type.PRIORITY, streamId).build());
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
      record.accept(RawFrame.builder(RawFrame.Type.RST_STREAM, streamId).errorCode(errorCode)
          .build());
    }

    @Override
    public void onSettingsAckRead(ChannelHandlerContext ctx) {
      record.accept(RawFrame.builder(RawFrame.Type.SETTINGS_ACK, 0).build());
    }

    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
      record.accept(RawFrame.builder(RawFrame.Type.SETTINGS, 0).settings(settings).build());
    }

    @Override
    public void onPingRead(ChannelHandlerContext ctx, long data) {
      record.accept(RawFrame.builder(RawFrame.Type.PING, 0).ping(data, false).build());
    }

    @Override
    public void onPingAckRead(ChannelHandlerContext ctx, long data) {
      record.accept(RawFrame.builder(RawFrame.Type.PING, 0).ping(data, true).build());
    }

    @Override
    public void onPushPromiseRead(ChannelHandlerContext ctx, int streamId,
        int promisedStreamId, Http2Headers headers, int padding) {
      record.accept(RawFrame.builder(RawFrame.Type.PUSH_PROMISE, streamId).headers(headers)
          .build());
    }

    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode,
        ByteBuf debugData) {
      record.accept(RawFrame.builder(RawFrame.Type.GOAWAY, 0).errorCode(errorCode)
          .lastStreamId(lastStreamId).payload(ByteBufUtil.getBytes(debugData)).build());
    }

    @Override
    public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId,
        int windowSizeIncrement) {
      record.accept(RawFrame.builder(RawFrame.Type.WINDOW_UPDATE, streamId)
          .windowIncrement(windowSizeIncrement).build());
    }

    @Override
    public void onUnknownFrame(ChannelHandlerContext ctx, byte frameType, int streamId,
        Http2Flags flags, ByteBuf payload) {
      record.accept(RawFrame.builder(RawFrame.Type.UNKNOWN, streamId)
          .payload(ByteBufUtil.getBytes(payload)).build());
    }
  };

  RawFrameReader(Consumer<RawFrame> record, Consumer<Throwable> errors) {
    this.record = record;
    this.errors = errors;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws Exception {
    reader.readFrame(ctx, in, listener);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    errors.accept(cause);
    ctx.close();
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    reader.close();
  }
}
