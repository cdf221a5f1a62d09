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
import java.util.List;
import java.util.Map;

/**
 * gRPC-Web (grpc/grpc doc/PROTOCOL-WEB.md): the request and response bodies are gRPC
 * length-prefixed messages; the trailers travel as the last one, flagged 0x80, holding
 * {@code key: value\r\n} lines (lowercase keys); a status before any message is a Trailers-Only
 * response, the status in the headers. In text mode ({@code application/grpc-web-text}) both
 * bodies are base64: each response frame is encoded on its own (padding included), so every
 * chunk decodes independently, and the request is decoded padding-aware (see {@link Base64Text}).
 *
 * <p>Not thread-safe: event loop only.
 */
final class GrpcWebProtocol implements WebProtocol {
  /** PROTOCOL-WEB.md: the MSB of the flags byte marks the trailers frame. */
  static final int TRAILERS_FLAG = 0x80;

  private final AsciiString contentType;
  private final Base64Text.Decoder textDecoder;

  /**
   * @param contentType the request's content-type, echoed in the response
   * @param text whether bodies are base64 ({@code application/grpc-web-text})
   */
  GrpcWebProtocol(String contentType, boolean text) {
    this.contentType = AsciiString.of(contentType);
    this.textDecoder = text ? new Base64Text.Decoder() : null;
  }

  @Override
  public ByteBuf requestBytes(ByteBuf body) {
    return textDecoder == null ? body : textDecoder.decode(body);
  }

  @Override
  public ByteBuf requestEnded() {
    if (textDecoder != null) {
      textDecoder.end();
    }
    return Unpooled.EMPTY_BUFFER;
  }

  @Override
  public void writeHeaders(WebExchange exchange, Metadata headers) {
    Http2Headers head = head();
    if (headers != null) {
      GrpcHeaders.addMetadata(headers, head);
    }
    exchange.writeHead(head, false);
  }

  private Http2Headers head() {
    return new DefaultHttp2Headers(false).status(GrpcHeaders.STATUS_OK)
        .set(GrpcHeaders.CONTENT_TYPE, contentType);
  }

  @Override
  public void writeMessage(WebExchange exchange, ByteBuf frame, ChannelPromise promise) {
    exchange.writeBody(encode(frame), false, promise);
  }

  private ByteBuf encode(ByteBuf frame) {
    return textDecoder == null ? frame : Base64Text.encode(frame);
  }

  @Override
  public void writeStatus(WebExchange exchange, boolean headersWritten, Status status,
      Metadata trailers) {
    if (!headersWritten) {
      // Trailers-Only: the status and trailers in the response headers, no body.
      Http2Headers head = head();
      GrpcHeaders.addStatus(status, head);
      if (trailers != null) {
        GrpcHeaders.addMetadata(trailers, head);
      }
      exchange.writeHead(head, true);
      return;
    }
    Http2Headers fields = new DefaultHttp2Headers(false);
    GrpcHeaders.addStatus(status, fields);
    if (trailers != null) {
      GrpcHeaders.addMetadata(trailers, fields);
    }
    StringBuilder block = new StringBuilder();
    for (Map.Entry<CharSequence, CharSequence> e : fields) {
      block.append(e.getKey().toString().toLowerCase(java.util.Locale.ROOT)).append(": ")
          .append(e.getValue()).append("\r\n");
    }
    byte[] bytes = block.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuf frame = exchange.context().alloc().buffer(5 + bytes.length)
        .writeByte(TRAILERS_FLAG).writeInt(bytes.length).writeBytes(bytes);
    exchange.writeBody(encode(frame), true, exchange.context().newPromise());
  }

  @Override
  public void release() {
    if (textDecoder != null) {
      textDecoder.release();
    }
  }

  /** The content-types this protocol serves, by subtype suffix. */
  static final List<String> CONTENT_TYPES = List.of("application/grpc-web",
      "application/grpc-web-text");
}
