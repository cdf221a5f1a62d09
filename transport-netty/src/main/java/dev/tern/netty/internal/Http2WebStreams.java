package dev.tern.netty.internal;

import dev.tern.Attributes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * The gRPC-Web and Connect requests of one HTTP/2 connection: each stream whose request
 * {@link WebDispatcher#handles} becomes a {@link WebExchange} handed to the connection's
 * {@link WebDispatcher}; its DATA, end and close are forwarded. Request body bytes go back to the
 * stream's window as the call consumes them, as for gRPC calls.
 *
 * <p>Not thread-safe: runs on the connection's event loop.
 */
final class Http2WebStreams {
  private final ServerHandler handler;
  private final Http2Connection.PropertyKey key;
  private final WebDispatcher dispatcher;

  Http2WebStreams(ServerHandler handler, Http2Connection connection, WebDispatcher dispatcher) {
    this.handler = handler;
    this.key = connection.newKey();
    this.dispatcher = dispatcher;
  }

  /** Whether {@code stream} carries a web exchange. */
  boolean owns(Http2Stream stream) {
    return stream != null && stream.getProperty(key) != null;
  }

  /** A new request stream for the dispatcher. */
  void open(Http2Stream stream, Http2Headers headers, boolean endOfStream) {
    Exchange exchange = new Exchange(stream, headers);
    stream.setProperty(key, exchange);
    dispatcher.dispatch(exchange);
    if (endOfStream) {
      exchange.bodyEnded();
    }
  }

  /** Trailers (or a HEADERS frame ending the request) on a web stream. */
  void headersRead(Http2Stream stream, boolean endOfStream) {
    if (endOfStream) {
      ((Exchange) stream.getProperty(key)).bodyEnded();
    }
  }

  /** DATA on a web stream; returns the bytes to give back to the window at once. */
  int dataRead(Http2Stream stream, ByteBuf data, int padding, boolean endOfStream) {
    Exchange exchange = stream.getProperty(key);
    int processed = padding;
    if (exchange.stream == null || exchange.closed) {
      processed += data.readableBytes();
    } else if (data.isReadable()) {
      exchange.stream.bodyRead(data.retain());
    }
    if (endOfStream) {
      exchange.bodyEnded();
    }
    return processed;
  }

  void streamClosed(Http2Stream stream) {
    Exchange exchange = stream.getProperty(key);
    if (exchange != null) {
      exchange.closed = true;
      if (exchange.stream != null) {
        exchange.stream.exchangeClosed();
      }
    }
  }

  /** One request stream. Event loop only. */
  private final class Exchange implements WebExchange {
    private final Http2Stream h2;
    private final Http2Headers requestHeaders;
    private Http2Headers extra;
    private Stream stream;
    private boolean closed;

    Exchange(Http2Stream h2, Http2Headers requestHeaders) {
      this.h2 = h2;
      this.requestHeaders = requestHeaders;
    }

    void bodyEnded() {
      if (stream != null && !closed) {
        stream.bodyEnded();
      }
    }

    @Override
    public ChannelHandlerContext context() {
      return handler.context();
    }

    @Override
    public Http2Headers requestHeaders() {
      return requestHeaders;
    }

    @Override
    public boolean isHttp2() {
      return true;
    }

    @Override
    public Attributes attributes() {
      return handler.attributes();
    }

    @Override
    public void stream(Stream stream) {
      this.stream = stream;
    }

    @Override
    public void extraResponseHeaders(Http2Headers headers) {
      this.extra = headers;
    }

    @Override
    public void writeHead(Http2Headers headers, boolean endOfStream) {
      if (!writable()) {
        return;
      }
      if (extra != null) {
        headers.add(extra);
      }
      ChannelHandlerContext ctx = handler.context();
      ChannelPromise promise = ctx.newPromise();
      if (endOfStream) {
        resetAfter(promise);
      }
      handler.encoder().writeHeaders(ctx, h2.id(), headers, 0, endOfStream, promise);
      ctx.flush();
    }

    @Override
    public void writeBody(ByteBuf data, boolean endOfStream, ChannelPromise promise) {
      if (!writable()) {
        data.release();
        promise.tryFailure(new IllegalStateException("stream closed"));
        return;
      }
      if (endOfStream) {
        resetAfter(promise);
      }
      ChannelHandlerContext ctx = handler.context();
      handler.encoder().writeData(ctx, h2.id(), data, 0, endOfStream, promise);
      ctx.flush();
    }

    private boolean writable() {
      Http2Stream.State s = h2.state();
      return !closed && (s == Http2Stream.State.OPEN || s == Http2Stream.State.HALF_CLOSED_REMOTE);
    }

    /**
     * RFC 9113 §8.1: once the response is complete, RST_STREAM(NO_ERROR) asks a client still
     * sending the request to stop.
     */
    private void resetAfter(ChannelPromise promise) {
      if (h2.state() == Http2Stream.State.HALF_CLOSED_REMOTE) {
        return;
      }
      promise.addListener(f -> {
        if (f.isSuccess() && h2.state() == Http2Stream.State.HALF_CLOSED_LOCAL) {
          ChannelHandlerContext ctx = handler.context();
          handler.encoder().writeRstStream(ctx, h2.id(), Http2Error.NO_ERROR.code(),
              ctx.newPromise());
          ctx.flush();
        }
      });
    }

    @Override
    public int sendWindow() {
      return h2.state() == Http2Stream.State.CLOSED
          ? 0 : handler.encoder().flowController().windowSize(h2);
    }

    @Override
    public void returnBytes(int bytes) {
      if (h2.state() != Http2Stream.State.CLOSED) {
        handler.returnBytes(h2, bytes);
      }
    }

    @Override
    public void abort() {
      if (h2.state() != Http2Stream.State.CLOSED) {
        ChannelHandlerContext ctx = handler.context();
        handler.resetStream(ctx, h2.id(), Http2Error.CANCEL.code(), ctx.newPromise());
        ctx.flush();
      }
    }
  }
}
