package dev.tern.netty.internal;

import dev.tern.Attributes;
import dev.tern.Status;
import dev.tern.internal.InternalAttributes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * The server side of one HTTP/2 connection: turns request streams into gRPC calls
 * (PROTOCOL-HTTP2.md "Requests") and writes their responses. Its concerns live in collaborators:
 * {@link ServerCodec} builds it (codec and DoS limits), {@link MethodRouter} routes requests,
 * {@link EarlyAnswers} answers streams that never become calls, {@link ServerLifecycle} runs the
 * connection's timers, {@link GracefulDrain} its graceful shutdown, and {@link ConnectionSupport}
 * what it shares with {@link ClientHandler}.
 *
 * <p>Not thread-safe: runs on the connection's event loop. Application threads reach it only
 * through {@link #writeQueue()} and {@link #runOnEventLoop}.
 */
public final class ServerHandler extends Http2ConnectionHandler
    implements FrameListenerDefaults {
  private final ServerSettings settings;
  private final ConnectionSupport support;
  private final MethodRouter router;
  private final EarlyAnswers earlyAnswers;
  /** The connection's gRPC-Web and Connect streams. */
  private final Http2WebStreams web;
  private final KeepAliveEnforcer keepAliveEnforcer;
  private final Http2Connection.PropertyKey callKey;
  /** The response headers of a call that adds none: built once per server, read-only. */
  private final Http2Headers plainResponseHeaders;
  private WriteQueue writeQueue;
  private ServerCallInbound.Setting callSetting;
  private Attributes attributes = Attributes.EMPTY;
  private ChannelHandlerContext ctx;
  private GracefulDrain drain;
  private ServerLifecycle lifecycle;
  /** Whether the read being handled when this handler was added flushes its setup frames. */
  private final boolean addedInRead;
  private boolean connectionWindowOpen;

  /** {@code addedInRead}: see {@link ServerCodec#newHandler(ServerShared, boolean)}. */
  ServerHandler(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
      Http2Settings initialSettings, ServerShared shared, KeepAliveEnforcer keepAliveEnforcer,
      boolean addedInRead) {
    // Netty flushes the preface (SETTINGS) on its own unless the read-complete flush will.
    super(decoder, encoder, initialSettings, false, !addedInRead);
    this.addedInRead = addedInRead;
    this.settings = shared.settings();
    this.plainResponseHeaders = shared.plainResponseHeaders();
    this.support = new ConnectionSupport(this, settings.autoFlowControl(),
        settings.flowControlWindow());
    this.router = shared.router();
    this.callKey = encoder.connection().newKey();
    this.earlyAnswers = new EarlyAnswers(this, encoder.connection());
    this.web = new Http2WebStreams(this, encoder.connection(), shared.webDispatcher());
    this.keepAliveEnforcer = keepAliveEnforcer;
    decoder.frameListener(this);
    encoder.connection().addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamActive(Http2Stream stream) {
        lifecycle.onStreamActive();
      }

      @Override
      public void onStreamClosed(Http2Stream stream) {
        ServerCallImpl<?, ?> call = stream.getProperty(callKey);
        if (call != null) {
          call.streamClosed();
        } else {
          web.streamClosed(stream);
        }
        if (connection().numActiveStreams() == 0) {
          lifecycle.onNoActiveStreams();
        }
      }
    });
  }

  /** A handler for one accepted connection. */
  public static ServerHandler create(ServerSettings settings) {
    return create(settings, WebSettings.defaults());
  }

  /** A handler for one accepted connection that also serves gRPC-Web and Connect. */
  public static ServerHandler create(ServerSettings settings, WebSettings web) {
    return create(ServerShared.of(settings, web));
  }

  /** A handler for one accepted connection of the server that built {@code shared}. */
  static ServerHandler create(ServerShared shared) {
    return ServerCodec.newHandler(shared, false);
  }

  /**
   * A handler added while the read that carried the client's preface is handled: its SETTINGS
   * and connection WINDOW_UPDATE leave with that read's read-complete flush.
   */
  static ServerHandler createInRead(ServerShared shared) {
    return ServerCodec.newHandler(shared, true);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    this.ctx = ctx;
    this.writeQueue = new WriteQueue(ctx.channel());
    this.callSetting = new ServerCallInbound.Setting(ctx.executor(), ctx.alloc(), settings,
        settings.executor(), writeQueue, "Connection closed before the call completed", true);
    this.attributes = Attributes.newBuilder()
        .set(Attributes.REMOTE_ADDRESS, ctx.channel().remoteAddress())
        .set(Attributes.LOCAL_ADDRESS, ctx.channel().localAddress())
        .set(InternalAttributes.APPLICATION_EXECUTOR, settings.executor())
        .build();
    support.attach(ctx);
    drain = new GracefulDrain(this, ctx);
    lifecycle = new ServerLifecycle(settings.limits(), support, drain, ctx,
        () -> connection().numActiveStreams());
    super.handlerAdded(ctx);
    connectionWindowOpen = ConnectionWindow.open(this, ctx, settings.connectionFlowControlWindow(),
        !addedInRead);
    lifecycle.start();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    super.channelActive(ctx);
    if (!connectionWindowOpen) {
      connectionWindowOpen = ConnectionWindow.open(this, ctx, settings.connectionFlowControlWindow());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    support.onRead();
    // Handlers running inline (directExecutor) answer within the read: their writes run as it
    // ends, without a write-queue task, and go out with the read-complete flush
    // (Http2ConnectionHandler's).
    writeQueue.readStarted();
    try {
      super.channelRead(ctx, msg);
    } finally {
      writeQueue.readEnded();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    lifecycle.stop();
    drain.channelInactive();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    if (!support.closedOnPeerGone(cause)) {
      super.exceptionCaught(ctx, cause);
    }
  }

  // ---------------------------------------------------------------- connection lifecycle

  /**
   * Starts a graceful shutdown (see {@link GracefulDrain}); the connection closes when its last
   * stream ends, or after {@code graceNanos} (ServerLimits.NEVER: no limit). Event loop only.
   */
  public void startGracefulShutdown(long graceNanos) {
    lifecycle.startDrain(graceNanos);
  }

  /** Closes the connection now, cancelling its calls; waits at most {@code millis} for GOAWAY. */
  public void closeNow(long millis) {
    drain.closeNow(millis);
  }

  /** Where the graceful shutdown is. Event loop only (tests). */
  GracefulDrain.State drainState() {
    return drain.state();
  }

  /** Whether a graceful shutdown has begun. Event loop only. */
  boolean isDraining() {
    return drain.isDraining();
  }

  // ---------------------------------------------------------------- frames from the client

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
    if (web.owns(stream)) {
      web.headersRead(stream, endOfStream);
      return;
    }
    if (drain.refuses(streamId)) {
      // Opened after our final GOAWAY: not processed, so the client may retry it elsewhere.
      earlyAnswers.answer(stream, new EarlyAnswer.Refused(), endOfStream);
      return;
    }
    if (earlyAnswers.onFrame(stream, endOfStream)) {
      // Trailers of a request answered without a call.
      return;
    }
    if (stream.state() == Http2Stream.State.HALF_CLOSED_LOCAL) {
      // The request's trailers, after we answered it early (Trailers-Only or an HTTP error):
      // nothing to start, and answering again would be a write on a half-closed stream, which
      // Netty treats as a connection error.
      return;
    }
    if (WebDispatcher.handles(headers)) {
      // gRPC-Web, Connect, CORS preflights: same methods and interceptors, other framing.
      web.open(stream, headers, endOfStream);
      return;
    }
    MethodRouter.Route route = router.route(headers);
    if (route instanceof MethodRouter.AnswerRoute answer) {
      earlyAnswers.answer(stream, answer.answer(), endOfStream);
    } else if (route instanceof MethodRouter.CallRoute call) {
      startCall(stream, headers, call, endOfStream);
    }
  }

  private void startCall(Http2Stream stream, Http2Headers headers, MethodRouter.CallRoute route,
      boolean endOfStream) {
    ServerCallTracer tracer = ServerCallTracer.create(settings.tracerFactories(),
        route.method().getMethodDescriptor().getFullMethodName(), route.metadata());
    ServerCallImpl<?, ?> call = ServerCallImpl.create(this, stream, route.method(), headers,
        route.inboundCodec(), route.timeoutNanos(), route.contentType(), tracer);
    stream.setProperty(callKey, call);
    call.start(route.metadata());
    if (endOfStream) {
      call.inboundEnded();
    }
  }

  @Override
  public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
      boolean endOfStream) throws Http2Exception {
    support.dataRead(data.readableBytes() + padding);
    Http2Stream stream = connection().stream(streamId);
    ServerCallImpl<?, ?> call = stream == null ? null : stream.getProperty(callKey);
    if (call == null && web.owns(stream)) {
      return web.dataRead(stream, data, padding, endOfStream);
    }
    if (call == null) {
      // A stream answered without a call (e.g. UNIMPLEMENTED): discard its bytes.
      if (stream != null) {
        earlyAnswers.onFrame(stream, endOfStream);
      }
      return data.readableBytes() + padding;
    }
    call.inboundData(data.retain(), endOfStream);
    // Data bytes are returned to the window as the application consumes messages.
    return padding;
  }

  @Override
  public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
    // Netty closes the stream after this; streamClosed() cancels the call with this cause.
    Http2Stream stream = connection().stream(streamId);
    ServerCallImpl<?, ?> call = stream == null ? null : stream.getProperty(callKey);
    if (call != null) {
      call.resetByClient(errorCode);
    }
  }

  @Override
  public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
    lifecycle.onSettingsRead();
  }

  @Override
  public void onPingRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
    // Netty has already queued the ACK; its queued-control-frame limit bounds unread ACKs.
    if (!keepAliveEnforcer.pingAcceptable(ctx.executor().ticker().nanoTime(),
        connection().numActiveStreams() > 0)) {
      // grpc doc/keepalive.md: GOAWAY(ENHANCE_YOUR_CALM) with debug data "too_many_pings".
      throw Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM, "too_many_pings");
    }
  }

  @Override
  public void onPingAckRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
    if (!support.bdpPingAcked(data)) {
      drain.onPingAck(data);
    }
  }

  @Override
  public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode,
      ByteBuf debugData) {}

  /**
   * Trailers-Only RESOURCE_EXHAUSTED for a request whose header list exceeded
   * SETTINGS_MAX_HEADER_LIST_SIZE after decoding (Netty's default is an HTTP 431 that gRPC clients
   * map to UNKNOWN). The HPACK state is intact; Netty resets the stream afterwards.
   */
  @Override
  protected void handleServerHeaderDecodeSizeError(ChannelHandlerContext ctx, Http2Stream stream) {
    earlyAnswers.answer(stream, new EarlyAnswer.TrailersOnly(Status.RESOURCE_EXHAUSTED
        .withDescription("Header list exceeds SETTINGS_MAX_HEADER_LIST_SIZE of "
            + settings.maxHeaderListSize() + " bytes")), false);
  }

  // ---------------------------------------------------------------- for the calls

  /**
   * Writes the headers that end the response. Nothing follows them on the stream, not even the
   * RST_STREAM(NO_ERROR) RFC 9113 §8.1 allows after a complete response to a request that has not
   * ended: the client's END_STREAM may already be on its way, and then the stream is closed
   * (§5.1) by the time the reset arrives. nginx reuses such a connection for its next request and
   * fails that one with 502 ("upstream sent frame for unknown stream"). A gRPC client that
   * receives the status before it has finished sending resets the stream itself (as grpc-java's
   * and Tern's do); until then its DATA is discarded.
   */
  void writeFinalHeaders(Http2Stream stream, Http2Headers headers) {
    encoder().writeHeaders(ctx, stream.id(), headers, 0, true, ctx.newPromise());
  }

  /** Returns flow-control credit for bytes the application consumed. */
  void returnBytes(Http2Stream stream, int bytes) {
    support.returnBytes(stream, bytes);
  }

  /** Runs {@code task} on the event loop, inline if already there. Thread-safe. */
  void runOnEventLoop(Runnable task) {
    support.runOnEventLoop(task);
  }

  WriteQueue writeQueue() {
    return writeQueue;
  }

  ChannelHandlerContext context() {
    return ctx;
  }

  /** Read-only response headers for a call with no metadata and no grpc-encoding to add. */
  Http2Headers plainResponseHeaders() {
    return plainResponseHeaders;
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

  /** What the connection's calls share (ServerCallImpl). Event loop only, once added. */
  ServerCallInbound.Setting callSetting() {
    return callSetting;
  }
}
