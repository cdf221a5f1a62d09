package dev.tern.netty.internal;

import dev.tern.Metadata;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * Connect streaming (connectrpc.com docs/protocol.md "Streaming-Request"/"Streaming-Response"):
 * both bodies are enveloped messages like gRPC's (flag 0x01: compressed, per
 * {@code Connect-Content-Encoding}); the response is always HTTP 200 and ends with an end-stream
 * envelope (flag 0x02) holding the JSON {@code {"error": ..., "metadata": ...}}.
 *
 * <p>Not thread-safe: event loop only.
 */
final class ConnectStreamProtocol implements WebProtocol {
  /** docs/protocol.md "Streaming-Response": the end-stream envelope's flag. */
  static final int END_STREAM_FLAG = 0x02;
  static final AsciiString CONNECT_CONTENT_ENCODING =
      AsciiString.cached("connect-content-encoding");

  private final AsciiString contentType;
  private final String responseEncoding;

  /**
   * @param contentType the request's, echoed ({@code application/connect+proto|+json})
   * @param responseEncoding the response messages' encoding, or null for identity
   */
  ConnectStreamProtocol(String contentType, String responseEncoding) {
    this.contentType = AsciiString.of(contentType);
    this.responseEncoding = responseEncoding;
  }

  @Override
  public ByteBuf requestBytes(ByteBuf body) {
    return body;
  }

  @Override
  public ByteBuf requestEnded() {
    return Unpooled.EMPTY_BUFFER;
  }

  @Override
  public void writeHeaders(WebExchange exchange, Metadata headers) {
    Http2Headers head = new DefaultHttp2Headers(false).status(GrpcHeaders.STATUS_OK)
        .set(GrpcHeaders.CONTENT_TYPE, contentType);
    if (responseEncoding != null) {
      head.set(CONNECT_CONTENT_ENCODING, responseEncoding);
    }
    if (headers != null) {
      GrpcHeaders.addMetadata(headers, head);
    }
    exchange.writeHead(head, false);
  }

  @Override
  public void writeMessage(WebExchange exchange, ByteBuf frame, ChannelPromise promise) {
    exchange.writeBody(frame, false, promise);
  }

  @Override
  public void writeStatus(WebExchange exchange, boolean headersWritten, Status status,
      Metadata trailers) {
    if (!headersWritten) {
      writeHeaders(exchange, null);
    }
    byte[] json = ConnectErrors.endStreamJson(status, trailers).getBytes(StandardCharsets.UTF_8);
    ByteBuf end = exchange.context().alloc().buffer(5 + json.length)
        .writeByte(END_STREAM_FLAG).writeInt(json.length).writeBytes(json);
    exchange.writeBody(end, true, exchange.context().newPromise());
  }

  @Override
  public void release() {}
}
