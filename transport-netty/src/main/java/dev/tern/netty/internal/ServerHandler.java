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
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2LocalFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;
import java.util.concurrent.Executor;

/**
 * The server side of one HTTP/2 connection: turns request streams into gRPC calls
 * (PROTOCOL-HTTP2.md "Requests") and writes their responses.
 *
 * <p>Not thread-safe: runs on the connection's event loop. Application threads reach it only
 * through {@link #writeQueue()} and {@link #runOnEventLoop}.
 */
public final class ServerHandler extends Http2ConnectionHandler implements Http2FrameListener {
  private static final AsciiString STATUS_UNSUPPORTED_MEDIA_TYPE = AsciiString.cached("415");
  private static final AsciiString STATUS_METHOD_NOT_ALLOWED = AsciiString.cached("405");
  private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");

  private final ServerSettings settings;
  private final Http2Connection.PropertyKey callKey;
  private WriteQueue writeQueue;
  private Attributes attributes = Attributes.EMPTY;
  private ChannelHandlerContext ctx;
  private boolean connectionWindowOpen;

  private ServerHandler(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
      Http2Settings initialSettings, ServerSettings settings) {
    super(decoder, encoder, initialSettings);
    this.settings = settings;
    this.callKey = encoder.connection().newKey();
    decoder.frameListener(this);
    encoder.connection().addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamClosed(Http2Stream stream) {
        ServerCallImpl<?, ?> call = stream.getProperty(callKey);
        if (call != null) {
          call.streamClosed();
        }
      }
    });
  }

  /** A handler for one accepted connection. */
  public static ServerHandler create(ServerSettings settings) {
    Http2Connection connection = new DefaultHttp2Connection(true);
    // The connection window is refilled as bytes arrive: each stream's own window, driven by
    // what its application consumes, bounds memory, so one stalled call cannot starve the others.
    connection.local().flowController(
        new DefaultHttp2LocalFlowController(connection, 0.5f, true));
    Http2Settings initial = new Http2Settings()
        .maxConcurrentStreams(settings.maxConcurrentStreams)
        .initialWindowSize(settings.flowControlWindow)
        .maxHeaderListSize(settings.maxHeaderListSize);
    return new Builder(settings).connection(connection).initialSettings(initial).build();
  }

  private static final class Builder
      extends AbstractHttp2ConnectionHandlerBuilder<ServerHandler, Builder> {
    private final ServerSettings settings;

    Builder(ServerSettings settings) {
      this.settings = settings;
    }

    @Override
    protected Builder connection(Http2Connection connection) {
      return super.connection(connection);
    }

    @Override
    protected Builder initialSettings(Http2Settings settings) {
      return super.initialSettings(settings);
    }

    @Override
    protected ServerHandler build() {
      return super.build();
    }

    @Override
    protected ServerHandler build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
        Http2Settings initialSettings) {
      return new ServerHandler(decoder, encoder, initialSettings, settings);
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    this.ctx = ctx;
    this.writeQueue = new WriteQueue(ctx.channel());
    this.attributes = Attributes.newBuilder()
        .set(Attributes.REMOTE_ADDRESS, ctx.channel().remoteAddress())
        .set(Attributes.LOCAL_ADDRESS, ctx.channel().localAddress())
        .build();
    super.handlerAdded(ctx);
    connectionWindowOpen = ConnectionWindow.open(this, ctx, settings.flowControlWindow);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    super.channelActive(ctx);
    if (!connectionWindowOpen) {
      connectionWindowOpen = ConnectionWindow.open(this, ctx, settings.flowControlWindow);
    }
  }

  WriteQueue writeQueue() {
    return writeQueue;
  }

  ChannelHandlerContext context() {
    return ctx;
  }

  ServerSettings settings() {
    return settings;
  }

  Attributes attributes() {
    return attributes;
  }

  /** Adds connection-level attributes (e.g. the TLS session once the handshake is done). */
  public void addAttributes(Attributes extra) {
    // Called on the event loop before any stream arrives.
    Attributes.Builder b = attributes.toBuilder();
    b.set(Attributes.SSL_SESSION, extra.get(Attributes.SSL_SESSION));
    attributes = b.build();
  }

  /** Runs {@code task} on the event loop, inline if already there. */
  void runOnEventLoop(Runnable task) {
    if (ctx.executor().inEventLoop()) {
      // Inside a read or a write-queue drain, which flush when they end.
      task.run();
    } else {
      ctx.executor().execute(() -> {
        task.run();
        ctx.flush();
      });
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    if (cause instanceof java.io.IOException) {
      // The peer went away (reset, broken pipe): the connection's calls fail as it closes.
      ctx.close();
      return;
    }
    super.exceptionCaught(ctx, cause);
  }

  /** Returns flow-control credit for bytes the application consumed. */
  void returnBytes(Http2Stream stream, int bytes) {
    try {
      if (decoder().flowController().consumeBytes(stream, bytes)) {
        // A WINDOW_UPDATE was written; a read-complete or write-queue flush may be far away.
        ctx.flush();
      }
    } catch (Http2Exception e) {
      onError(ctx, true, e);
    }
  }

  // ---------------------------------------------------------------- frames from the client

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
      int streamDependency, short weight, boolean exclusive, int padding, boolean endOfStream)
      throws Http2Exception {
    onHeadersRead(ctx, streamId, headers, padding, endOfStream);
  }

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
      int padding, boolean endOfStream) throws Http2Exception {
    Http2Stream stream = connection().stream(streamId);
    ServerCallImpl<?, ?> existing = stream.getProperty(callKey);
    if (existing != null) {
      // Trailers from a client: gRPC clients send none, but they end the request all the same.
      if (endOfStream) {
        existing.inboundEnded();
      }
      return;
    }
    if (stream.state() == Http2Stream.State.HALF_CLOSED_LOCAL) {
      // The request's trailers, after we answered it early (Trailers-Only or an HTTP error) and
      // before our RST_STREAM(NO_ERROR) reached the client: nothing to start, and answering
      // again would be a write on a half-closed stream, which Netty treats as a connection error.
      return;
    }
    startCall(stream, headers, endOfStream);
  }

  private void startCall(Http2Stream stream, Http2Headers headers, boolean endOfStream) {
    if (!GrpcHeaders.POST.contentEquals(headers.method())) {
      respondHttpError(stream, STATUS_METHOD_NOT_ALLOWED, Status.INTERNAL.withDescription(
          "Method '" + headers.method() + "' is not supported; gRPC requires POST"));
      return;
    }
    CharSequence contentType = headers.get(GrpcHeaders.CONTENT_TYPE);
    if (!GrpcHeaders.isGrpcContentType(contentType)) {
      // PROTOCOL-HTTP2.md: a non-gRPC content-type is answered with HTTP 415.
      respondHttpError(stream, STATUS_UNSUPPORTED_MEDIA_TYPE, Status.INTERNAL.withDescription(
          contentType == null
              ? "Missing content-type"
              : "Content-Type '" + contentType + "' is not supported"));
      return;
    }
    CharSequence path = headers.path();
    if (path == null || path.length() < 2 || path.charAt(0) != '/') {
      respondTrailersOnly(stream, Status.UNIMPLEMENTED.withDescription(
          "Malformed :path '" + path + "'"));
      return;
    }
    String pathString = path.toString();
    ServerMethodDefinition<?, ?> method = settings.methodsByPath.get(pathString);
    if (method == null) {
      respondTrailersOnly(stream, Status.UNIMPLEMENTED.withDescription(
          "Method not found: " + pathString.substring(1)));
      return;
    }
    Metadata metadata;
    try {
      metadata = GrpcHeaders.toMetadata(headers);
    } catch (IllegalArgumentException e) {
      // A bad header fails this call only; the connection and its HPACK state are fine.
      respondTrailersOnly(stream, Status.INTERNAL.withDescription(e.getMessage()));
      return;
    }
    Codec inboundCodec = null;
    CharSequence encoding = headers.get(GrpcHeaders.GRPC_ENCODING);
    if (encoding != null && !AsciiString.contentEquals(encoding, CodecRegistry.IDENTITY)) {
      inboundCodec = settings.codecs.lookup(encoding.toString());
      if (inboundCodec == null) {
        // PROTOCOL-HTTP2.md "Compression": UNIMPLEMENTED, telling the client what is accepted.
        Http2Headers response = trailersOnly(Status.UNIMPLEMENTED.withDescription(
            "Can't find decompressor for " + encoding));
        if (settings.codecs.acceptEncoding() != null) {
          response.set(GrpcHeaders.GRPC_ACCEPT_ENCODING, settings.codecs.acceptEncoding());
        }
        writeFinalHeaders(stream, response);
        return;
      }
    }
    ServerCallImpl<?, ?> call = ServerCallImpl.create(this, stream, method, headers, inboundCodec);
    stream.setProperty(callKey, call);
    call.start(metadata);
    if (endOfStream) {
      call.inboundEnded();
    }
  }

  @Override
  public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
      boolean endOfStream) throws Http2Exception {
    Http2Stream stream = connection().stream(streamId);
    ServerCallImpl<?, ?> call = stream == null ? null : stream.getProperty(callKey);
    if (call == null) {
      // A stream answered before its request ended (e.g. UNIMPLEMENTED): discard its bytes.
      return data.readableBytes() + padding;
    }
    call.inboundData(data.retain(), endOfStream);
    // Data bytes are returned to the window as the application consumes messages.
    return padding;
  }

  @Override
  public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
    // Netty closes the stream after this; streamClosed() cancels the call.
  }

  @Override
  public void onPriorityRead(ChannelHandlerContext ctx, int streamId, int streamDependency,
      short weight, boolean exclusive) {
    // PRIORITY is deprecated (RFC 9113 §5.3.2); ignored in O(1).
  }

  @Override
  public void onSettingsAckRead(ChannelHandlerContext ctx) {}

  @Override
  public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {}

  @Override
  public void onPingRead(ChannelHandlerContext ctx, long data) {}

  @Override
  public void onPingAckRead(ChannelHandlerContext ctx, long data) {}

  @Override
  public void onPushPromiseRead(ChannelHandlerContext ctx, int streamId, int promisedStreamId,
      Http2Headers headers, int padding) throws Http2Exception {
    throw Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR,
        "Clients must not send PUSH_PROMISE (RFC 9113 §8.4)");
  }

  @Override
  public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode,
      ByteBuf debugData) {}

  @Override
  public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
  }

  @Override
  public void onUnknownFrame(ChannelHandlerContext ctx, byte frameType, int streamId,
      io.netty.handler.codec.http2.Http2Flags flags, ByteBuf payload) {}

  // ---------------------------------------------------------------- early answers

  /** Answers a stream that never became a call with a Trailers-Only response. */
  private void respondTrailersOnly(Http2Stream stream, Status status) {
    writeFinalHeaders(stream, trailersOnly(status));
  }

  private static Http2Headers trailersOnly(Status status) {
    Http2Headers headers = new DefaultHttp2Headers(false)
        .status(GrpcHeaders.STATUS_OK)
        .set(GrpcHeaders.CONTENT_TYPE, GrpcHeaders.CONTENT_TYPE_GRPC);
    GrpcHeaders.addStatus(status, headers);
    return headers;
  }

  private void respondHttpError(Http2Stream stream, AsciiString httpStatus, Status status) {
    Http2Headers headers = new DefaultHttp2Headers(false)
        .status(httpStatus)
        .set(GrpcHeaders.CONTENT_TYPE, TEXT_PLAIN);
    GrpcHeaders.addStatus(status, headers);
    writeFinalHeaders(stream, headers);
  }

  /**
   * Writes the headers that end the response and then, once they are out, asks the client to
   * stop sending the request if it has not finished (RFC 9113 §8.1: RST_STREAM NO_ERROR after a
   * complete response), so an abandoned request costs no more reads. The reset waits for the
   * write because a reset discards whatever is still queued behind flow control.
   */
  void writeFinalHeaders(Http2Stream stream, Http2Headers headers) {
    ChannelPromise promise = ctx.newPromise();
    promise.addListener(f -> {
      if (f.isSuccess() && stream.state() == Http2Stream.State.HALF_CLOSED_LOCAL) {
        encoder().writeRstStream(ctx, stream.id(), Http2Error.NO_ERROR.code(), ctx.newPromise());
        ctx.flush();
      }
    });
    encoder().writeHeaders(ctx, stream.id(), headers, 0, true, promise);
  }

  Executor callbackExecutor() {
    return settings.executor;
  }
}
