package dev.tern.netty.internal;

import dev.tern.Attributes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.Map;

/**
 * One request and its response on an {@link Http1Connection}, as the browser-facing protocols
 * see it ({@link WebExchange}): the request body goes to the call's {@link WebExchange.Stream};
 * the response head becomes an HTTP/1.1 response (chunked unless its length is known, RFC 9112
 * §7.1), its body chunks, its end the last chunk.
 *
 * <p>Not thread-safe: event loop only.
 */
final class Http1Exchange implements WebExchange {
  private final Http1Connection connection;
  private final ChannelHandlerContext ctx;
  private final Attributes attributes;
  private final Http2Headers requestHeaders;
  private Http2Headers extra;
  private Stream stream;
  private boolean headWritten;
  private boolean closed;

  Http1Exchange(Http1Connection connection, ChannelHandlerContext ctx, Attributes attributes,
      Http2Headers requestHeaders) {
    this.connection = connection;
    this.ctx = ctx;
    this.attributes = attributes;
    this.requestHeaders = requestHeaders;
  }

  /** Whether the response head was written (an error can no longer be answered). */
  boolean headWritten() {
    return headWritten;
  }

  void bodyRead(ByteBuf data) {
    if (stream == null || closed) {
      connection.consumed(data.readableBytes());
      data.release();
    } else {
      stream.bodyRead(data);
    }
  }

  void bodyEnded() {
    if (stream != null && !closed) {
      stream.bodyEnded();
    }
  }

  void closed() {
    if (!closed) {
      closed = true;
      if (stream != null) {
        stream.exchangeClosed();
      }
    }
  }

  @Override
  public ChannelHandlerContext context() {
    return ctx;
  }

  @Override
  public Http2Headers requestHeaders() {
    return requestHeaders;
  }

  @Override
  public boolean isHttp2() {
    return false;
  }

  @Override
  public Attributes attributes() {
    return attributes;
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
    if (closed || headWritten) {
      return;
    }
    headWritten = true;
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(Integer.parseInt(headers.status().toString())));
    copy(headers, response);
    if (extra != null) {
      copy(extra, response);
    }
    if (endOfStream) {
      if (response.status().code() != HttpResponseStatus.NO_CONTENT.code()) {
        // RFC 9110 §8.6: no Content-Length in a 204.
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
      }
    } else if (!response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
      response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    if (connection.closesAfterResponse()) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    if (endOfStream) {
      ctx.write(response);
      writeBody(Unpooled.EMPTY_BUFFER, true, ctx.newPromise());
    } else {
      ctx.writeAndFlush(response);
    }
  }

  private void copy(Http2Headers from, HttpResponse to) {
    for (Map.Entry<CharSequence, CharSequence> e : from) {
      if (e.getKey().length() > 0 && e.getKey().charAt(0) != ':') {
        to.headers().add(e.getKey(), e.getValue());
      }
    }
  }

  @Override
  public void writeBody(ByteBuf data, boolean endOfStream, ChannelPromise promise) {
    if (closed) {
      data.release();
      promise.tryFailure(new IllegalStateException("exchange closed"));
      return;
    }
    if (endOfStream) {
      closed = true;
      promise.addListener(f -> {
        if (stream != null) {
          stream.exchangeClosed();
        }
        if (f.isSuccess()) {
          connection.responseDone();
        }
      });
      ctx.writeAndFlush(new DefaultLastHttpContent(data), promise);
    } else if (!data.isReadable()) {
      // An empty chunk would end a chunked body (RFC 9112 §7.1): nothing to write.
      data.release();
      promise.trySuccess();
    } else {
      ctx.writeAndFlush(new DefaultHttpContent(data), promise);
    }
  }

  @Override
  public int sendWindow() {
    return (int) Math.min(Integer.MAX_VALUE, ctx.channel().bytesBeforeUnwritable());
  }

  @Override
  public void returnBytes(int bytes) {
    connection.consumed(this, bytes);
  }

  @Override
  public void abort() {
    if (!closed) {
      closed();
      connection.close();
    }
  }
}
