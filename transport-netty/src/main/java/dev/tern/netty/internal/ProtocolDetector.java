package dev.tern.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tells a cleartext connection's protocol from its first bytes: the HTTP/2 client connection
 * preface (RFC 9113 §3.4, "prior knowledge") or anything else, taken as an HTTP/1.1 request line
 * (RFC 9112 §3), whose parser then judges it. It installs the chosen pipeline and removes itself;
 * the bytes read so far are handed to the new handlers. h2c upgrade ({@code Upgrade: h2c}) is not
 * offered: RFC 9113 §3.1 deprecates it.
 *
 * <p>Not thread-safe: runs on the connection's event loop.
 */
final class ProtocolDetector extends ByteToMessageDecoder {
  /** RFC 9113 §3.4: the client connection preface. */
  private static final byte[] HTTP2_PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final Consumer<ChannelHandlerContext> http2;
  private final ServerShared shared;
  private final long timeoutMillis;
  private ScheduledFuture<?> timeout;

  /**
   * @param http2 installs the HTTP/2 handler after the given context once the preface is seen
   * @param timeoutMillis how long the first bytes may take before the connection is closed
   */
  ProtocolDetector(Consumer<ChannelHandlerContext> http2, ServerShared shared,
      long timeoutMillis) {
    this.http2 = http2;
    this.shared = shared;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    timeout = ctx.executor().schedule(() -> {
      ctx.close();
    }, timeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    if (timeout != null) {
      timeout.cancel(false);
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int n = Math.min(in.readableBytes(), HTTP2_PREFACE.length);
    for (int i = 0; i < n; i++) {
      if (in.getByte(in.readerIndex() + i) != HTTP2_PREFACE[i]) {
        Http1Connection.install(ctx.pipeline(), ctx.name(), shared);
        ctx.pipeline().remove(this);
        return;
      }
    }
    if (n == HTTP2_PREFACE.length) {
      http2.accept(ctx);
      ctx.pipeline().remove(this);
    }
  }
}
