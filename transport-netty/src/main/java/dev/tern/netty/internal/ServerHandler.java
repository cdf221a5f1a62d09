package dev.tern.netty.internal;

import dev.tern.Attributes;
import dev.tern.Codec;
import dev.tern.CodecRegistry;
import dev.tern.Metadata;
import dev.tern.ServerMethodDefinition;
import dev.tern.Status;
import dev.tern.internal.GrpcTimeout;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2LocalFlowController;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
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
import io.netty.handler.codec.http2.ReadOnlyHttp2Headers;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The server side of one HTTP/2 connection: turns request streams into gRPC calls
 * (PROTOCOL-HTTP2.md "Requests") and writes their responses.
 *
 * <p>Besides Netty's protections (configured from {@link ServerLimits} in {@link #create}), it owns
 * the connection's lifecycle: the handshake timeout, keepalive (its own PINGs and the policing of
 * the client's), max connection idle and age (gRFC A9) and graceful shutdown (GOAWAY with
 * last-stream-id 2^31-1 and a PING, then the true last stream id once the PING is answered, then
 * close when the last call ends).
 *
 * <p>Not thread-safe: runs on the connection's event loop. Application threads reach it only
 * through {@link #writeQueue()} and {@link #runOnEventLoop}.
 */
public final class ServerHandler extends Http2ConnectionHandler implements Http2FrameListener {
  private static final AsciiString STATUS_UNSUPPORTED_MEDIA_TYPE = AsciiString.cached("415");
  private static final AsciiString STATUS_METHOD_NOT_ALLOWED = AsciiString.cached("405");
  private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");
  /** Opaque data of the PING that follows the first GOAWAY of a graceful shutdown. */
  private static final Object ANSWERED = new Object();
  static final long DRAIN_PING_DATA = 0x7465726e647261L; // "terndra"
  /** How long the drain PING may go unanswered before the final GOAWAY is sent anyway. */
  static final long DRAIN_PING_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** Bound on the time Netty waits for a GOAWAY to be written before closing. */
  static final long CLOSE_TIMEOUT_MILLIS = 1_000;

  private static final int DRAIN_NONE = 0;
  private static final int DRAIN_PING_SENT = 1;
  private static final int DRAIN_FINAL_GOAWAY_SENT = 2;

  private final ServerSettings settings;
  /** Grows the receive windows to the connection's BDP; null when auto flow control is off. */
  private final BdpEstimator bdp;
  private final Http2Connection.PropertyKey callKey;
  // A stream answered without a call: ANSWERED, or the answer waiting for the request to end.
  private final Http2Connection.PropertyKey earlyAnswerKey;
  private WriteQueue writeQueue;
  private Attributes attributes = Attributes.EMPTY;
  /** Registered methods by decoded :path, filled on first use. Event loop only. */
  private final java.util.Map<AsciiString, ServerMethodDefinition<?, ?>> methodsByAsciiPath =
      new java.util.HashMap<>();
  /** The response headers of a call that adds none: built once, shared read-only by calls. */
  private final Http2Headers plainResponseHeaders;
  private ChannelHandlerContext ctx;
  private boolean connectionWindowOpen;

  // Lifecycle state (event loop).
  private final KeepAliveEnforcer keepAliveEnforcer;
  private KeepAlivePinger keepAlivePinger;
  private ScheduledFuture<?> handshakeTimer;
  private ScheduledFuture<?> idleTimer;
  private ScheduledFuture<?> ageTimer;
  private ScheduledFuture<?> graceTimer;
  private ScheduledFuture<?> drainPingTimer;
  private boolean handshakeDone;
  private int drainState = DRAIN_NONE;
  private int finalLastStreamId = Integer.MAX_VALUE;

  private ServerHandler(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
      Http2Settings initialSettings, ServerSettings settings, FrameHooks hooks) {
    super(decoder, encoder, initialSettings);
    this.settings = settings;
    String accept = settings.codecs().acceptEncoding();
    this.plainResponseHeaders = accept == null
        ? ReadOnlyHttp2Headers.serverHeaders(false, GrpcHeaders.STATUS_OK,
            GrpcHeaders.CONTENT_TYPE, GrpcHeaders.CONTENT_TYPE_GRPC)
        : ReadOnlyHttp2Headers.serverHeaders(false, GrpcHeaders.STATUS_OK,
            GrpcHeaders.CONTENT_TYPE, GrpcHeaders.CONTENT_TYPE_GRPC,
            GrpcHeaders.GRPC_ACCEPT_ENCODING, AsciiString.of(accept));
    this.bdp = settings.autoFlowControl()
        ? new BdpEstimator(settings.flowControlWindow(), BdpEstimator.DEFAULT_MAX_WINDOW,
            System::nanoTime)
        : null;
    this.callKey = encoder.connection().newKey();
    this.earlyAnswerKey = encoder.connection().newKey();
    ServerLimits limits = settings.limits();
    this.keepAliveEnforcer = new KeepAliveEnforcer(limits.permitKeepAliveWithoutCalls(),
        limits.permitKeepAliveTimeNanos());
    hooks.onOutboundHeadersOrData(keepAliveEnforcer::resetCounters);
    decoder.frameListener(this);
    encoder.connection().addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamActive(Http2Stream stream) {
        if (idleTimer != null) {
          idleTimer.cancel(false);
          idleTimer = null;
        }
        if (keepAlivePinger != null) {
          keepAlivePinger.onStreamOpened();
        }
      }

      @Override
      public void onStreamClosed(Http2Stream stream) {
        ServerCallImpl<?, ?> call = stream.getProperty(callKey);
        if (call != null) {
          call.streamClosed();
        }
        if (connection().numActiveStreams() == 0) {
          if (drainState == DRAIN_FINAL_GOAWAY_SENT) {
            closeNow(CLOSE_TIMEOUT_MILLIS);
          } else {
            scheduleIdleTimer();
          }
        }
      }
    });
  }

  /** A handler for one accepted connection. */
  public static ServerHandler create(ServerSettings settings) {
    Http2Connection connection = new DefaultHttp2Connection(true);
    OutboundFlow.configure(connection);
    // The connection window is refilled as bytes arrive: each stream's own window, driven by
    // what its application consumes, bounds memory, so one stalled call cannot starve the others.
    connection.local().flowController(
        new DefaultHttp2LocalFlowController(connection, 0.5f, true));
    // PRIORITY is deprecated (RFC 9113 §5.3.2): a uniform distributor keeps no dependency tree,
    // so PRIORITY frames and priority fields in HEADERS cost O(1) and no memory.
    connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection,
        new UniformStreamByteDistributor(connection)));
    // Advertised in the first SETTINGS; Netty's builder also applies MAX_CONCURRENT_STREAMS and
    // MAX_HEADER_LIST_SIZE to the connection at once, so they hold before the client's ACK
    // (RFC 9113 §5.1.2: excess streams get RST_STREAM(REFUSED_STREAM)).
    Http2Settings initial = new Http2Settings()
        .maxConcurrentStreams(settings.maxConcurrentStreams())
        .initialWindowSize(settings.flowControlWindow())
        .maxHeaderListSize(settings.maxHeaderListSize());
    FrameHooks hooks = new FrameHooks(connection);
    return new Builder(settings, hooks).connection(connection).initialSettings(initial).build();
  }

  private static final class Builder
      extends AbstractHttp2ConnectionHandlerBuilder<ServerHandler, Builder> {
    private final ServerSettings settings;
    private final FrameHooks hooks;

    Builder(ServerSettings settings, FrameHooks hooks) {
      this.settings = settings;
      this.hooks = hooks;
      ServerLimits limits = settings.limits();
      // RFC 9113 §8.3.1: a request without :method, :scheme or :path is malformed (stream error).
      validateRequiredPseudoHeaders(true);
      frameLogger(hooks);
      // Rapid reset (CVE-2023-44487): resets the client sends.
      decoderEnforceMaxRstFramesPerWindow(limits.maxResetsReceived(),
          limits.resetsReceivedWindowSeconds());
      // MadeYouReset (CVE-2025-8671): resets the client provokes us into sending.
      encoderEnforceMaxRstFramesPerWindow(limits.maxResetsProvoked(),
          limits.resetsProvokedWindowSeconds());
      // PING/SETTINGS floods from a peer that does not read (CVE-2019-9512, -9515).
      encoderEnforceMaxQueuedControlFrames(limits.maxQueuedControlFrames());
      // Empty-frame floods (CVE-2019-9518).
      decoderEnforceMaxConsecutiveEmptyDataFrames(limits.maxConsecutiveEmptyDataFrames());
      // CONTINUATION floods (2024), including zero-length frames; the header block itself is
      // capped at 1.25 x SETTINGS_MAX_HEADER_LIST_SIZE while it accumulates.
      decoderEnforceMaxSmallContinuationFrames(limits.maxSmallContinuationFrames());
      gracefulShutdownTimeoutMillis(CLOSE_TIMEOUT_MILLIS);
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
      return new ServerHandler(decoder, encoder, initialSettings, settings, hooks);
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
    connectionWindowOpen = ConnectionWindow.open(this, ctx, settings.connectionFlowControlWindow());
    startLifecycleTimers();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    super.channelActive(ctx);
    if (!connectionWindowOpen) {
      connectionWindowOpen = ConnectionWindow.open(this, ctx, settings.connectionFlowControlWindow());
    }
  }

  // ---------------------------------------------------------------- connection lifecycle

  private void startLifecycleTimers() {
    ServerLimits limits = settings.limits();
    if (limits.handshakeTimeoutNanos() != ServerLimits.NEVER) {
      handshakeTimer = schedule(this::handshakeTimedOut, limits.handshakeTimeoutNanos());
    }
    if (limits.maxConnectionAgeNanos() != ServerLimits.NEVER) {
      // gRFC A9: ±10% jitter spreads the reconnections of clients that connected together.
      long age = limits.maxConnectionAgeNanos();
      long jitter = (long) (age * 0.1 * (ThreadLocalRandom.current().nextDouble() * 2 - 1));
      ageTimer = schedule(() -> startGracefulShutdown(limits.maxConnectionAgeGraceNanos()),
          Math.max(0, age + jitter));
    }
    scheduleIdleTimer();
    if (limits.keepAliveTimeNanos() != ServerLimits.NEVER) {
      keepAlivePinger = new KeepAlivePinger(ctx.executor(), new KeepAlivePinger.Connection() {
        @Override
        public void sendPing(long data) {
          encoder().writePing(ctx, false, data, ctx.newPromise());
          ctx.flush();
        }

        @Override
        public boolean hasOpenStreams() {
          return connection().numActiveStreams() > 0;
        }

        @Override
        public void pingTimedOut() {
          closeNow(0);
        }
      }, limits.keepAliveTimeNanos(), limits.keepAliveTimeoutNanos(), true);
      keepAlivePinger.start();
    }
  }

  private ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
    return ctx.executor().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void scheduleIdleTimer() {
    long idle = settings.limits().maxConnectionIdleNanos();
    if (idle == ServerLimits.NEVER || idleTimer != null || drainState != DRAIN_NONE
        || ctx == null) {
      return;
    }
    idleTimer = schedule(() -> {
      idleTimer = null;
      if (connection().numActiveStreams() == 0) {
        startGracefulShutdown(ServerLimits.NEVER);
      }
    }, idle);
  }

  private void handshakeTimedOut() {
    handshakeTimer = null;
    if (!handshakeDone) {
      // No preface and SETTINGS in time: nothing to say to such a peer.
      closeNow(0);
    }
  }

  /**
   * Starts a graceful shutdown (grpc PROTOCOL-HTTP2.md, gRFC A9): GOAWAY with last-stream-id
   * 2^31-1 and a PING, so that streams the client sent before it saw the GOAWAY are still
   * accepted; once the PING is answered, GOAWAY with the true last stream id (streams above it
   * were never processed and the client may retry them); the connection closes when its last
   * stream ends, or after {@code graceNanos} (ServerLimits.NEVER: no limit). Event loop only.
   */
  public void startGracefulShutdown(long graceNanos) {
    if (graceNanos != ServerLimits.NEVER && ctx.channel().isActive()) {
      if (graceTimer == null || graceTimer.getDelay(TimeUnit.NANOSECONDS) > graceNanos) {
        if (graceTimer != null) {
          graceTimer.cancel(false);
        }
        graceTimer = schedule(() -> closeNow(0), graceNanos);
      }
    }
    if (drainState != DRAIN_NONE) {
      return;
    }
    drainState = DRAIN_PING_SENT;
    cancelTimer(idleTimer);
    idleTimer = null;
    cancelTimer(ageTimer);
    ageTimer = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    goAway(ctx, Integer.MAX_VALUE, Http2Error.NO_ERROR.code(), ctx.alloc().buffer(0),
        ctx.newPromise());
    encoder().writePing(ctx, false, DRAIN_PING_DATA, ctx.newPromise());
    ctx.flush();
    drainPingTimer = schedule(this::sendFinalGoAway, DRAIN_PING_TIMEOUT_NANOS);
  }

  private void sendFinalGoAway() {
    if (drainState != DRAIN_PING_SENT) {
      return;
    }
    drainState = DRAIN_FINAL_GOAWAY_SENT;
    cancelTimer(drainPingTimer);
    drainPingTimer = null;
    finalLastStreamId = connection().remote().lastStreamCreated();
    // Written past Netty's connection state, which keeps the first GOAWAY's 2^31-1: Netty would
    // otherwise drop HEADERS above the last stream id and then fail the whole connection on their
    // DATA. onHeadersRead refuses such streams explicitly instead (RFC 9113 §8.7: REFUSED_STREAM
    // means not processed).
    frameWriter().writeGoAway(ctx, finalLastStreamId, Http2Error.NO_ERROR.code(),
        Unpooled.EMPTY_BUFFER, ctx.newPromise());
    ctx.flush();
    if (connection().numActiveStreams() == 0) {
      closeNow(CLOSE_TIMEOUT_MILLIS);
    }
  }

  /** Closes the connection now, cancelling its calls; waits at most {@code millis} for GOAWAY. */
  public void closeNow(long millis) {
    gracefulShutdownTimeoutMillis(millis);
    ctx.close();
  }

  /** Whether a graceful shutdown has begun. Event loop only. */
  boolean isDraining() {
    return drainState != DRAIN_NONE;
  }

  private static void cancelTimer(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (keepAlivePinger != null) {
      keepAlivePinger.onRead();
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelTimer(handshakeTimer);
    cancelTimer(idleTimer);
    cancelTimer(ageTimer);
    cancelTimer(graceTimer);
    cancelTimer(drainPingTimer);
    if (keepAlivePinger != null) {
      keepAlivePinger.stop();
    }
    super.channelInactive(ctx);
  }

  WriteQueue writeQueue() {
    return writeQueue;
  }

  ChannelHandlerContext context() {
    return ctx;
  }

  /**
   * The method registered at {@code path}. Decoded paths are AsciiStrings, often the same
   * instance from the HPACK dynamic table: found by them, a known method costs no String copy.
   */
  private ServerMethodDefinition<?, ?> lookUpMethod(CharSequence path) {
    if (!(path instanceof AsciiString)) {
      return settings.methodsByPath().get(path.toString());
    }
    ServerMethodDefinition<?, ?> method = methodsByAsciiPath.get(path);
    if (method == null) {
      method = settings.methodsByPath().get(path.toString());
      if (method != null) {
        // Only registered paths are remembered: the map cannot grow past the registry.
        methodsByAsciiPath.put((AsciiString) path, method);
      }
    }
    return method;
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

  /** Runs {@code task} on the event loop, inline if already there. */
  void runOnEventLoop(Runnable task) {
    if (ctx.executor().inEventLoop()) {
      // Inside a read or a write-queue drain, which flush when they end.
      task.run();
    } else {
      ctx.executor().execute(() -> {
        task.run();
        // This handler's flush, not ctx.flush(): it first writes what the flow controller holds
        // (DATA and trailers queued behind the window), which ctx.flush() would skip.
        flush(ctx);
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
      if (bdp != null) {
        bdp.bytesConsumed(bytes);
      }
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
    if (streamId > finalLastStreamId) {
      // Opened after our final GOAWAY: not processed, so the client may retry it elsewhere.
      resetStream(ctx, streamId, Http2Error.REFUSED_STREAM.code(), ctx.newPromise());
      return;
    }
    Object early = stream.getProperty(earlyAnswerKey);
    if (early != null) {
      // Trailers of a request answered without a call: an HTTP error waiting for the end of
      // the request goes out now; anything else was already answered.
      if (endOfStream && early instanceof Runnable) {
        stream.setProperty(earlyAnswerKey, ANSWERED);
        ((Runnable) early).run();
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
      respondHttpError(stream, endOfStream, STATUS_METHOD_NOT_ALLOWED,
          Status.INTERNAL.withDescription(
              "Method '" + headers.method() + "' is not supported; gRPC requires POST"));
      return;
    }
    CharSequence contentType = headers.get(GrpcHeaders.CONTENT_TYPE);
    if (!GrpcHeaders.isGrpcContentType(contentType)) {
      // PROTOCOL-HTTP2.md: a non-gRPC content-type is answered with HTTP 415.
      respondHttpError(stream, endOfStream, STATUS_UNSUPPORTED_MEDIA_TYPE,
          Status.INTERNAL.withDescription(
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
    ServerMethodDefinition<?, ?> method = lookUpMethod(path);
    if (method == null) {
      respondTrailersOnly(stream, Status.UNIMPLEMENTED.withDescription(
          "Method not found: " + path.toString().substring(1)));
      return;
    }
    long timeoutNanos = -1;
    CharSequence timeout = headers.get(GrpcHeaders.GRPC_TIMEOUT);
    if (timeout != null) {
      try {
        timeoutNanos = GrpcTimeout.decodeNanos(timeout);
      } catch (IllegalArgumentException e) {
        // PROTOCOL-HTTP2.md gives no status for a malformed timeout; INTERNAL, as grpc-go
        // answers. Like any bad header it fails this call only.
        respondTrailersOnly(stream, Status.INTERNAL.withDescription(e.getMessage()));
        return;
      }
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
      inboundCodec = settings.codecs().lookup(encoding.toString());
      if (inboundCodec == null) {
        // PROTOCOL-HTTP2.md "Compression": UNIMPLEMENTED, telling the client what is accepted.
        Http2Headers response = trailersOnly(Status.UNIMPLEMENTED.withDescription(
            "Can't find decompressor for " + encoding));
        if (settings.codecs().acceptEncoding() != null) {
          response.set(GrpcHeaders.GRPC_ACCEPT_ENCODING, settings.codecs().acceptEncoding());
        }
        writeFinalHeaders(stream, response);
        return;
      }
    }
    ServerCallTracer tracer = ServerCallTracer.create(settings.tracerFactories(),
        method.getMethodDescriptor().getFullMethodName(), metadata);
    ServerCallImpl<?, ?> call = ServerCallImpl.create(this, stream, method, headers, inboundCodec,
        timeoutNanos, tracer);
    stream.setProperty(callKey, call);
    call.start(metadata);
    if (endOfStream) {
      call.inboundEnded();
    }
  }

  @Override
  public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
      boolean endOfStream) throws Http2Exception {
    if (bdp != null) {
      bdp.onDataRead(this, ctx, data.readableBytes() + padding);
    }
    Http2Stream stream = connection().stream(streamId);
    ServerCallImpl<?, ?> call = stream == null ? null : stream.getProperty(callKey);
    if (call == null) {
      // A stream answered without a call (e.g. UNIMPLEMENTED): discard its bytes.
      Object early = stream == null ? null : stream.getProperty(earlyAnswerKey);
      if (endOfStream && early instanceof Runnable) {
        stream.setProperty(earlyAnswerKey, ANSWERED);
        ((Runnable) early).run();
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
  public void onPriorityRead(ChannelHandlerContext ctx, int streamId, int streamDependency,
      short weight, boolean exclusive) {
    // PRIORITY is deprecated (RFC 9113 §5.3.2); ignored in O(1).
  }

  @Override
  public void onSettingsAckRead(ChannelHandlerContext ctx) {}

  @Override
  public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
    if (!handshakeDone) {
      // The preface and the first SETTINGS arrived (Netty rejects anything else first).
      handshakeDone = true;
      cancelTimer(handshakeTimer);
      handshakeTimer = null;
    }
  }

  @Override
  public void onPingRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
    // Netty has already queued the ACK; its queued-control-frame limit bounds unread ACKs.
    if (!keepAliveEnforcer.pingAcceptable(System.nanoTime(),
        connection().numActiveStreams() > 0)) {
      // grpc doc/keepalive.md: GOAWAY(ENHANCE_YOUR_CALM) with debug data "too_many_pings".
      throw Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM, "too_many_pings");
    }
  }

  @Override
  public void onPingAckRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
    if (bdp != null && bdp.onPingAck(this, ctx, data)) {
      return;
    }
    if (data == DRAIN_PING_DATA) {
      sendFinalGoAway();
    }
  }

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
    stream.setProperty(earlyAnswerKey, ANSWERED);
    writeFinalHeaders(stream, trailersOnly(status));
  }

  private static Http2Headers trailersOnly(Status status) {
    Http2Headers headers = new DefaultHttp2Headers(false)
        .status(GrpcHeaders.STATUS_OK)
        .set(GrpcHeaders.CONTENT_TYPE, GrpcHeaders.CONTENT_TYPE_GRPC);
    GrpcHeaders.addStatus(status, headers);
    return headers;
  }

  /**
   * Answers a request that is not gRPC with an HTTP error whose body says why (as grpc-java does),
   * so plain HTTP/2 tools get a readable answer. The answer waits for the end of the request: no
   * gRPC client sends such a request, and an HTTP/2 peer's malformed later frames (trailers with
   * pseudo-headers, a wrong content-length) then still get the stream error RFC 9113 §8.1.1 asks
   * for instead of being dropped after an early reset.
   */
  private void respondHttpError(Http2Stream stream, boolean requestEnded, AsciiString httpStatus,
      Status status) {
    if (!requestEnded) {
      stream.setProperty(earlyAnswerKey,
          (Runnable) () -> writeHttpError(stream, httpStatus, status));
      return;
    }
    stream.setProperty(earlyAnswerKey, ANSWERED);
    writeHttpError(stream, httpStatus, status);
  }

  private void writeHttpError(Http2Stream stream, AsciiString httpStatus, Status status) {
    if (stream.state() == Http2Stream.State.CLOSED) {
      return;
    }
    Http2Headers headers = new DefaultHttp2Headers(false)
        .status(httpStatus)
        .set(GrpcHeaders.CONTENT_TYPE, TEXT_PLAIN);
    GrpcHeaders.addStatus(status, headers);
    encoder().writeHeaders(ctx, stream.id(), headers, 0, false, ctx.newPromise());
    ByteBuf body = ctx.alloc().buffer();
    body.writeCharSequence(status.getDescription() + "\n", StandardCharsets.UTF_8);
    encoder().writeData(ctx, stream.id(), body, 0, true, resetAfterResponse(stream));
  }

  /**
   * Trailers-Only RESOURCE_EXHAUSTED for a request whose header list exceeded
   * SETTINGS_MAX_HEADER_LIST_SIZE after decoding (Netty's default is an HTTP 431 that gRPC clients
   * map to UNKNOWN). The HPACK state is intact; Netty resets the stream afterwards.
   */
  @Override
  protected void handleServerHeaderDecodeSizeError(ChannelHandlerContext ctx, Http2Stream stream) {
    respondTrailersOnly(stream, Status.RESOURCE_EXHAUSTED.withDescription(
        "Header list exceeds SETTINGS_MAX_HEADER_LIST_SIZE of " + settings.maxHeaderListSize()
            + " bytes"));
  }

  /**
   * Writes the headers that end the response and then, once they are out, asks the client to
   * stop sending the request if it has not finished (RFC 9113 §8.1: RST_STREAM NO_ERROR after a
   * complete response), so an abandoned request costs no more reads. The reset waits for the
   * write because a reset discards whatever is still queued behind flow control.
   */
  void writeFinalHeaders(Http2Stream stream, Http2Headers headers) {
    // A request that has ended (every unary call) needs no reset: skip the listener.
    ChannelPromise promise = stream.state() == Http2Stream.State.HALF_CLOSED_REMOTE
        ? ctx.newPromise() : resetAfterResponse(stream);
    encoder().writeHeaders(ctx, stream.id(), headers, 0, true, promise);
  }

  /** A promise for the last frame of a response that then resets a still-open request. */
  private ChannelPromise resetAfterResponse(Http2Stream stream) {
    ChannelPromise promise = ctx.newPromise();
    promise.addListener(f -> {
      if (f.isSuccess() && stream.state() == Http2Stream.State.HALF_CLOSED_LOCAL) {
        encoder().writeRstStream(ctx, stream.id(), Http2Error.NO_ERROR.code(), ctx.newPromise());
        ctx.flush();
      }
    });
    return promise;
  }

  Executor callbackExecutor() {
    return settings.executor();
  }
}
