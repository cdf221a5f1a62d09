package dev.tern.netty.internal;

import dev.tern.Attributes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * One HTTP request and its response as the browser-facing protocols (gRPC-Web, Connect) see it,
 * whether it travels on an HTTP/1.1 connection or an HTTP/2 stream: request headers in, a response
 * head and body out. None of these protocols uses HTTP trailers, so none are offered.
 *
 * <p>Not thread-safe: event loop only.
 */
interface WebExchange {
  /** Receives the request body and the exchange's end. Event loop only. */
  interface Stream {
    /** Request body bytes, owned by the callee. */
    void bodyRead(ByteBuf data);

    /** The request body ended. */
    void bodyEnded();

    /** The exchange is over: the response's end was written, or the client went away. */
    void exchangeClosed();
  }

  /** The connection's handler context (allocator, event loop, promises). */
  ChannelHandlerContext context();

  /** The request's headers, with the HTTP/2 pseudo-headers (also for HTTP/1.1). */
  Http2Headers requestHeaders();

  /** Whether the exchange is an HTTP/2 stream (bidirectional streaming needs it). */
  boolean isHttp2();

  Attributes attributes();

  /** Sets who receives the request body; until set, it is discarded. */
  void stream(Stream stream);

  /**
   * Headers added to the response head (CORS), set before it is written.
   */
  void extraResponseHeaders(Http2Headers headers);

  /**
   * Writes the response head ({@code :status} and fields). A {@code content-length} fixes the
   * body's length; without one an HTTP/1.1 body is chunked.
   */
  void writeHead(Http2Headers headers, boolean endOfStream);

  /** Writes body bytes (owned by the callee); {@code endOfStream} ends the response. */
  void writeBody(ByteBuf data, boolean endOfStream, ChannelPromise promise);

  /** Bytes that can be written now without queueing (flow control, socket buffer). */
  int sendWindow();

  /** Gives back receive credit for {@code bytes} of request body the application consumed. */
  void returnBytes(int bytes);

  /** Ends the exchange abruptly (HTTP/2: RST_STREAM CANCEL; HTTP/1.1: closes the connection). */
  void abort();
}
