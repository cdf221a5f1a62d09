package dev.tern.netty.internal;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DecoratingHttp2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.StreamByteDistributor;

/**
 * Tells a server's {@link KeepAliveEnforcer} whenever HEADERS or DATA leave: a client may PING in
 * reply to what it receives (grpc doc/keepalive.md, e.g. to measure BDP), so those frames reset
 * the strikes. It must happen as each frame leaves, not when a message is queued: a large message
 * leaves in many frames over time, each inviting a PING.
 *
 * <p>Two of Netty's decorators, as the frames take two paths: {@link #distributor} wraps the
 * remote flow controller's {@link StreamByteDistributor}, whose writer is called as flow control
 * lets each stream's DATA (and HEADERS queued behind it) out; {@link #encoder} wraps the
 * connection encoder for HEADERS written at once.
 *
 * <p>Not thread-safe: runs on the connection's event loop.
 */
final class KeepAliveSignal {
  private final KeepAliveEnforcer enforcer;

  KeepAliveSignal(KeepAliveEnforcer enforcer) {
    this.enforcer = enforcer;
  }

  /** {@code delegate}, telling the enforcer whenever it lets a stream's frames out. */
  StreamByteDistributor distributor(StreamByteDistributor delegate) {
    return new Distributor(delegate);
  }

  /** {@code delegate}, telling the enforcer whenever HEADERS are written. */
  Http2ConnectionEncoder encoder(Http2ConnectionEncoder delegate) {
    return new Encoder(delegate);
  }

  private final class Distributor implements StreamByteDistributor, StreamByteDistributor.Writer {
    private final StreamByteDistributor delegate;
    /** The flow controller's writer during {@link #distribute}. */
    private Writer writer;

    Distributor(StreamByteDistributor delegate) {
      this.delegate = delegate;
    }

    @Override
    public void updateStreamableBytes(StreamState state) {
      delegate.updateStreamableBytes(state);
    }

    @Override
    public void updateDependencyTree(int childStreamId, int parentStreamId, short weight,
        boolean exclusive) {
      delegate.updateDependencyTree(childStreamId, parentStreamId, weight, exclusive);
    }

    @Override
    public boolean distribute(int maxBytes, Writer writer) throws Http2Exception {
      this.writer = writer;
      return delegate.distribute(maxBytes, this);
    }

    @Override
    public void write(Http2Stream stream, int numBytes) {
      enforcer.resetCounters();
      writer.write(stream, numBytes);
    }
  }

  private final class Encoder extends DecoratingHttp2ConnectionEncoder {
    Encoder(Http2ConnectionEncoder delegate) {
      super(delegate);
    }

    @Override
    public ChannelFuture writeHeaders(ChannelHandlerContext ctx, int streamId,
        Http2Headers headers, int padding, boolean endStream, ChannelPromise promise) {
      enforcer.resetCounters();
      return super.writeHeaders(ctx, streamId, headers, padding, endStream, promise);
    }

    @Override
    public ChannelFuture writeHeaders(ChannelHandlerContext ctx, int streamId,
        Http2Headers headers, int streamDependency, short weight, boolean exclusive, int padding,
        boolean endStream, ChannelPromise promise) {
      enforcer.resetCounters();
      return super.writeHeaders(ctx, streamId, headers, streamDependency, weight, exclusive,
          padding, endStream, promise);
    }
  }
}
