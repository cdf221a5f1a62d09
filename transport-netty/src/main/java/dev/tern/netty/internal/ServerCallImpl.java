package dev.tern.netty.internal;

import dev.tern.Attributes;
import dev.tern.Codec;
import dev.tern.CodecRegistry;
import dev.tern.Metadata;
import dev.tern.ServerMethodDefinition;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;

/**
 * The server side of one gRPC call on one HTTP/2 stream: the {@link ServerCallCore} adapted to
 * the stream — request DATA into the core's reader, response headers, messages and the status as
 * HTTP/2 HEADERS and DATA frames (PROTOCOL-HTTP2.md), a client's RST_STREAM as the call's end.
 *
 * <p>Thread rule: as {@link ServerCallCore}; the stream-facing methods here run on the event loop.
 */
final class ServerCallImpl<ReqT, RespT> extends ServerCallCore<ReqT, RespT> {
  private final ServerHandler handler;
  private final Http2Stream stream;
  private final String authority;
  /** The client's grpc-accept-encoding, or null. */
  private final String acceptEncoding;
  /** The response's content-type when not plain {@code application/grpc} (e.g. +json). */
  private final AsciiString contentType;

  private ServerCallImpl(ServerHandler handler, Http2Stream stream,
      ServerMethodDefinition<ReqT, RespT> definition, CharSequence authority, Codec inboundCodec,
      CharSequence acceptEncoding, long timeoutNanos, AsciiString contentType,
      ServerCallTracer tracer) {
    super(handler.callSetting(), definition,
        definition.getMethodDescriptor().getRequestMarshaller(),
        definition.getMethodDescriptor().getResponseMarshaller(), inboundCodec, timeoutNanos,
        tracer);
    this.handler = handler;
    this.contentType = contentType;
    this.stream = stream;
    this.authority = authority == null ? null : authority.toString();
    this.acceptEncoding = acceptEncoding == null ? null : acceptEncoding.toString();
  }

  /**
   * {@code timeoutNanos} is the decoded {@code grpc-timeout}, or -1 for none. Runs on the event
   * loop, where the deadline timer is scheduled: the timer then resets the stream without a hop.
   */
  static ServerCallImpl<?, ?> create(ServerHandler handler, Http2Stream stream,
      ServerMethodDefinition<?, ?> definition, Http2Headers headers, Codec inboundCodec,
      long timeoutNanos, AsciiString contentType, ServerCallTracer tracer) {
    return new ServerCallImpl<>(handler, stream, definition, headers.authority(), inboundCodec,
        headers.get(GrpcHeaders.GRPC_ACCEPT_ENCODING), timeoutNanos, contentType, tracer);
  }

  // ---------------------------------------------------------------- the stream (event loop)

  void inboundData(ByteBuf data, boolean endOfStream) {
    reader.deframe(data);
    if (endOfStream) {
      reader.endOfStream();
    }
  }

  void inboundEnded() {
    reader.endOfStream();
  }

  /** The client reset the stream; Netty closes it next (streamClosed). */
  void resetByClient(long errorCode) {
    if (!state().isTerminated()) {
      endedByClient(callContext.resetCause(errorCode));
    }
  }

  /** The HTTP/2 stream closed: the call either completed or was cut short. */
  void streamClosed() {
    closed();
  }

  @Override
  public void returnBytes(int bytes) {
    handler.returnBytes(stream, bytes);
  }

  @Override
  void runOnEventLoop(Runnable task) {
    handler.runOnEventLoop(task);
  }

  // ---------------------------------------------------------------- ServerCall

  /**
   * Uses {@code compressor} for the response if the client's {@code grpc-accept-encoding} lists
   * it; otherwise the response stays uncompressed (PROTOCOL-HTTP2.md: a server must not use an
   * encoding the client did not accept).
   *
   * @throws IllegalArgumentException if the server has no codec of that name
   * @throws IllegalStateException after headers or a message were sent
   */
  @Override
  public void setCompression(String compressor) {
    if (outbound == Outbound.HEADERS_SENT || outbound == Outbound.SEND_FAILED) {
      throw new IllegalStateException("setCompression must be called before sending headers");
    }
    if (CodecRegistry.IDENTITY.equals(compressor)) {
      writer.setCodec(null);
      return;
    }
    Codec codec = handler.settings().codecs().lookup(compressor);
    if (codec == null) {
      throw new IllegalArgumentException("Unable to find compressor by name " + compressor);
    }
    if (GrpcHeaders.listContains(acceptEncoding, compressor)) {
      writer.setCodec(codec);
    }
  }

  @Override
  public Attributes getAttributes() {
    return handler.attributes();
  }

  @Override
  public String getAuthority() {
    return authority;
  }

  // ---------------------------------------------------------------- event-loop writes

  @Override
  void writeResponseHeaders(Metadata metadata, Codec codec) {
    Http2Headers headers;
    if (codec == null && contentType == null && (metadata == null || metadata.isEmpty())) {
      headers = handler.plainResponseHeaders();
    } else {
      headers = responseHeaders();
      if (codec != null) {
        headers.set(GrpcHeaders.GRPC_ENCODING, codec.encoding());
      }
      if (metadata != null) {
        GrpcHeaders.addMetadata(metadata, headers);
      }
    }
    ChannelHandlerContext ctx = handler.context();
    handler.encoder().writeHeaders(ctx, stream.id(), headers, 0, false, ctx.newPromise());
  }

  @Override
  boolean writeResponseStatus(boolean headersWritten, Status status, Metadata trailers) {
    if (stream.state() == Http2Stream.State.CLOSED) {
      return false;
    }
    Http2Headers headers;
    if (headersWritten && status.isOk() && status.getDescription() == null
        && (trailers == null || trailers.isEmpty())) {
      headers = GrpcHeaders.OK_TRAILERS;
    } else {
      headers = headersWritten ? new DefaultHttp2Headers(false) : responseHeaders();
      GrpcHeaders.addStatus(status, headers);
      if (trailers != null) {
        GrpcHeaders.addMetadata(trailers, headers);
      }
    }
    handler.writeFinalHeaders(stream, headers);
    return true;
  }

  /**
   * The status goes to the client if the stream can still carry it, then RST_STREAM(CANCEL)
   * stops the request side too.
   */
  @Override
  boolean writeCutShort(boolean headersWritten, Status status) {
    ChannelHandlerContext ctx = handler.context();
    Http2Stream.State streamState = stream.state();
    boolean written = false;
    if (streamState == Http2Stream.State.OPEN
        || streamState == Http2Stream.State.HALF_CLOSED_REMOTE) {
      Http2Headers headers = headersWritten ? new DefaultHttp2Headers(false) : responseHeaders();
      GrpcHeaders.addStatus(status, headers);
      handler.encoder().writeHeaders(ctx, stream.id(), headers, 0, true, ctx.newPromise());
      written = true;
    }
    if (stream.state() != Http2Stream.State.CLOSED) {
      // If the status is still queued behind flow control, the reset drops it: with the deadline
      // gone, a prompt end matters more than the status (the client's own timer reports it).
      handler.encoder().writeRstStream(ctx, stream.id(), Http2Error.CANCEL.code(),
          ctx.newPromise());
    }
    ctx.flush();
    return written;
  }

  @Override
  public ChannelPromise newPromise() {
    return handler.context().newPromise();
  }

  @Override
  public void writeData(ByteBuf data, boolean endOfStream, ChannelPromise promise) {
    handler.encoder().writeData(handler.context(), stream.id(), data, 0, endOfStream, promise);
  }

  /** What the client's window lets this stream send now (RFC 9113 §6.9). */
  @Override
  public int sendWindow() {
    return stream.state() == Http2Stream.State.CLOSED
        ? 0 : handler.encoder().flowController().windowSize(stream);
  }

  private Http2Headers responseHeaders() {
    Http2Headers headers = new DefaultHttp2Headers(false)
        .status(GrpcHeaders.STATUS_OK)
        .set(GrpcHeaders.CONTENT_TYPE,
            contentType == null ? GrpcHeaders.CONTENT_TYPE_GRPC : contentType);
    String accept = handler.settings().codecs().acceptEncoding();
    if (accept != null) {
      headers.set(GrpcHeaders.GRPC_ACCEPT_ENCODING, accept);
    }
    return headers;
  }
}
