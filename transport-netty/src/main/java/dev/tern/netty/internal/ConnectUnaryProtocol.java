package dev.tern.netty.internal;

import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.internal.MessageDeframer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Connect unary (connectrpc.com docs/protocol.md "Unary-Request"/"Unary-Response"): the request
 * body is one unframed message ({@code Content-Encoding} says if it is compressed), collected and
 * framed for the reader; the response is held until the status, then written as one body of known
 * length with the headers and the trailers as {@code trailer-}-prefixed headers, or, for an error,
 * the HTTP status of its code and the JSON error body.
 *
 * <p>Not thread-safe: event loop only.
 */
final class ConnectUnaryProtocol implements WebProtocol {
  static final AsciiString CONTENT_ENCODING = AsciiString.cached("content-encoding");
  private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
  private static final AsciiString JSON = AsciiString.cached("application/json");
  private static final String TRAILER_PREFIX = "trailer-";

  private final AsciiString contentType;
  private final boolean requestCompressed;
  private final String responseEncoding;
  private final int maxRequestBytes;
  private CompositeByteBuf request;
  /** A GET's message, from its query: the request body is ignored. */
  private ByteBuf getBody;
  private Metadata headers;
  private ByteBuf response;

  /**
   * @param contentType the response's content-type, the request's ({@code application/proto} or
   *     {@code application/json})
   * @param requestCompressed whether the body is compressed ({@code Content-Encoding})
   * @param responseEncoding the {@code Content-Encoding} of a compressed response
   * @param maxRequestBytes the limit on the body as received
   */
  ConnectUnaryProtocol(String contentType, boolean requestCompressed, String responseEncoding,
      int maxRequestBytes) {
    this.contentType = AsciiString.of(contentType);
    this.requestCompressed = requestCompressed;
    this.responseEncoding = responseEncoding;
    this.maxRequestBytes = maxRequestBytes;
  }

  /** For a GET, whose message {@code body} comes from the query. */
  static ConnectUnaryProtocol forGet(String contentType, boolean compressed,
      String responseEncoding, ByteBuf body, int maxRequestBytes) {
    ConnectUnaryProtocol p = new ConnectUnaryProtocol(contentType, compressed, responseEncoding,
        maxRequestBytes);
    p.getBody = body;
    return p;
  }

  @Override
  public ByteBuf requestBytes(ByteBuf body) {
    if (getBody != null) {
      body.release();
      return Unpooled.EMPTY_BUFFER;
    }
    if (request == null) {
      request = body.alloc().compositeBuffer(Integer.MAX_VALUE);
    }
    request.addComponent(true, body);
    if (request.readableBytes() > maxRequestBytes) {
      throw Status.RESOURCE_EXHAUSTED.withDescription("Request body of more than "
          + maxRequestBytes + " bytes exceeds the limit").asRuntimeException();
    }
    return Unpooled.EMPTY_BUFFER;
  }

  @Override
  public ByteBuf requestEnded() {
    ByteBuf body = getBody != null ? getBody : request == null ? Unpooled.EMPTY_BUFFER : request;
    request = null;
    getBody = null;
    ByteBuf prefix = body.alloc().buffer(MessageDeframer.HEADER_LENGTH)
        .writeByte(requestCompressed ? 1 : 0).writeInt(body.readableBytes());
    return Unpooled.wrappedBuffer(prefix, body);
  }

  @Override
  public void writeHeaders(WebExchange exchange, Metadata headers) {
    this.headers = headers;
  }

  @Override
  public void writeMessage(WebExchange exchange, ByteBuf frame, ChannelPromise promise) {
    if (response != null) {
      response.release();
    }
    response = frame;
    promise.setSuccess();
  }

  @Override
  public void writeStatus(WebExchange exchange, boolean headersWritten, Status status,
      Metadata trailers) {
    if (status.isOk() && response == null) {
      status = Status.UNIMPLEMENTED.withDescription(
          "The unary method completed without a response message");
    }
    Http2Headers head = new DefaultHttp2Headers(false);
    if (headers != null) {
      GrpcHeaders.addMetadata(headers, head);
    }
    ByteBuf body;
    if (status.isOk()) {
      boolean compressed = response.getByte(response.readerIndex()) == 1;
      body = response.skipBytes(MessageDeframer.HEADER_LENGTH);
      response = null;
      head.status(GrpcHeaders.STATUS_OK).set(GrpcHeaders.CONTENT_TYPE, contentType);
      if (compressed) {
        head.set(CONTENT_ENCODING, responseEncoding);
      }
      addTrailers(trailers, head, false);
    } else {
      release();
      body = Unpooled.copiedBuffer(ConnectErrors.errorJson(status, trailers),
          StandardCharsets.UTF_8);
      head.status(AsciiString.of(Integer.toString(ConnectErrors.httpStatus(status.getCode()))))
          .set(GrpcHeaders.CONTENT_TYPE, JSON);
      addTrailers(trailers, head, true);
    }
    head.setInt(CONTENT_LENGTH, body.readableBytes());
    exchange.writeHead(head, false);
    exchange.writeBody(body, true, exchange.context().newPromise());
  }

  /** The trailers as {@code trailer-} headers; the error details already sit in the body. */
  private static void addTrailers(Metadata trailers, Http2Headers head, boolean error) {
    for (Map.Entry<String, List<String>> e : ConnectErrors.textValues(trailers).entrySet()) {
      if (error && ConnectErrors.DETAILS_KEY.equals(e.getKey())) {
        continue;
      }
      for (String v : e.getValue()) {
        head.add(AsciiString.of(TRAILER_PREFIX + e.getKey()), v);
      }
    }
  }

  @Override
  public void release() {
    if (getBody != null) {
      getBody.release();
      getBody = null;
    }
    if (request != null) {
      request.release();
      request = null;
    }
    if (response != null) {
      response.release();
      response = null;
    }
  }
}
