package dev.tern.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2LocalFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionPrefaceAndSettingsFrameWrittenEvent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.ReadOnlyHttp2Headers;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.concurrent.CompletableFuture;

/**
 * The client side of one HTTP/2 connection: opens a stream per call and routes frames to the
 * calls (PROTOCOL-HTTP2.md "Responses").
 *
 * <p>Reports its lifecycle to its channel ({@link Lifecycle}): ready once the server's first
 * SETTINGS arrived, GOAWAY as soon as it arrives (before Netty closes the streams above its
 * last-stream-id, so that no new call picks this connection again). Sends keepalive PINGs when
 * configured ({@link KeepAlivePinger}).
 *
 * <p>Not thread-safe: runs on the connection's event loop; application threads reach it only
 * through {@link #writeQueue()}. The few methods documented as thread-safe are.
 */
public final class ClientHandler extends Http2ConnectionHandler
    implements FrameListenerDefaults {
  /** What the channel learns from a connection. Called on the connection's event loop. */
  public interface Lifecycle {
    /** The server's first SETTINGS arrived: the connection may carry calls. */
    void ready(ClientHandler handler);

    /** The server sent GOAWAY: no new streams on this connection. */
    void goAway(ClientHandler handler, long errorCode, String debugData);

    /** The connection, which had been active, closed (its calls have been told). */
    void closed(ClientHandler handler);
  }

  private static final Lifecycle NO_LIFECYCLE = new Lifecycle() {
    @Override
    public void ready(ClientHandler handler) {}

    @Override
    public void goAway(ClientHandler handler, long errorCode, String debugData) {}

    @Override
    public void closed(ClientHandler handler) {}
  };

  private final ClientSettings settings;
  /** Event-loop hand-off, window credit, keepalive and peer-gone handling, shared with the server. */
  private final ConnectionSupport support;
  /** Read-only request headers of calls that add none, by :path. Event loop only. */
  private final java.util.Map<String, Http2Headers> plainRequestHeaders = new java.util.HashMap<>();
  private final AsciiString scheme;
  private final IntObjectMap<AttemptResponse> calls = new IntObjectHashMap<>();
  private WriteQueue writeQueue;
  private volatile ChannelHandlerContext ctx;
  private volatile boolean goAwayReceived;
  private boolean settingsReceived;
  private volatile String closeReason;
  private final Lifecycle lifecycle;
  private final long keepAliveTimeNanos;
  private final long keepAliveTimeoutNanos;
  private final boolean keepAliveWithoutCalls;
  private volatile boolean ready;
  private volatile boolean sawActive;
  private volatile CompletableFuture<ClientHandler> asFuture;
  /** The Netty channel this handler is for, set when connecting starts. */
  private volatile io.netty.channel.Channel channel;
  /** Why the connection failed before it was ready (TCP, TLS, timeout); thread-safe. */
  private volatile String connectFailure;

  private ClientHandler(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
      Http2Settings initialSettings, ClientSettings settings, AsciiString scheme,
      Lifecycle lifecycle, long keepAliveTimeNanos, long keepAliveTimeoutNanos,
      boolean keepAliveWithoutCalls) {
    super(decoder, encoder, initialSettings);
    this.settings = settings;
    this.support = new ConnectionSupport(this, settings.autoFlowControl,
        settings.flowControlWindow);
    this.scheme = scheme;
    this.lifecycle = lifecycle;
    this.keepAliveTimeNanos = keepAliveTimeNanos;
    this.keepAliveTimeoutNanos = keepAliveTimeoutNanos;
    this.keepAliveWithoutCalls = keepAliveWithoutCalls;
    decoder.frameListener(this);
    encoder.connection().addListener(new Http2ConnectionAdapter() {
      @Override
      public void onGoAwayReceived(int lastStreamId, long errorCode, ByteBuf debugData) {
        // Runs before Netty closes the streams above lastStreamId, whose calls then look for
        // another connection: this one must already be out of use.
        goAwayReceived = true;
        lifecycle.goAway(ClientHandler.this, errorCode,
            debugData.toString(java.nio.charset.StandardCharsets.UTF_8));
      }

      @Override
      public void onStreamActive(Http2Stream stream) {
        support.onStreamActive();
      }

      @Override
      public void onStreamClosed(Http2Stream stream) {
        AttemptResponse call = calls.remove(stream.id());
        if (call != null) {
          call.streamClosed(ClientHandler.this);
        }
      }
    });
  }

  /** A handler for one new plaintext connection. */
  public static ClientHandler create(ClientSettings settings) {
    return create(settings, false);
  }

  /** A handler for one new connection; {@code tls} makes requests say {@code :scheme https}. */
  public static ClientHandler create(ClientSettings settings, boolean tls) {
    return create(settings, tls, NO_LIFECYCLE, Long.MAX_VALUE, 0, false);
  }

  /**
   * A handler for one new connection of a channel: reports to {@code lifecycle} and, unless
   * {@code keepAliveTimeNanos} is Long.MAX_VALUE, sends keepalive PINGs.
   */
  public static ClientHandler create(ClientSettings settings, boolean tls, Lifecycle lifecycle,
      long keepAliveTimeNanos, long keepAliveTimeoutNanos, boolean keepAliveWithoutCalls) {
    Http2Connection connection = new DefaultHttp2Connection(false);
    OutboundFlow.configure(connection);
    connection.local().flowController(
        new DefaultHttp2LocalFlowController(connection, 0.5f, true));
    Http2Settings initial = new Http2Settings()
        .pushEnabled(false)
        .initialWindowSize(settings.flowControlWindow)
        .maxHeaderListSize(settings.maxHeaderListSize);
    return new Builder(settings, tls ? GrpcHeaders.HTTPS : GrpcHeaders.HTTP, lifecycle,
        keepAliveTimeNanos, keepAliveTimeoutNanos, keepAliveWithoutCalls)
        .build(connection, initial);
  }

  private static final class Builder
      extends HandlerBuilder<ClientHandler, Builder> {
    private final ClientSettings settings;
    private final AsciiString scheme;
    private final Lifecycle lifecycle;
    private final long keepAliveTimeNanos;
    private final long keepAliveTimeoutNanos;
    private final boolean keepAliveWithoutCalls;

    Builder(ClientSettings settings, AsciiString scheme, Lifecycle lifecycle,
        long keepAliveTimeNanos, long keepAliveTimeoutNanos, boolean keepAliveWithoutCalls) {
      this.settings = settings;
      this.scheme = scheme;
      this.lifecycle = lifecycle;
      this.keepAliveTimeNanos = keepAliveTimeNanos;
      this.keepAliveTimeoutNanos = keepAliveTimeoutNanos;
      this.keepAliveWithoutCalls = keepAliveWithoutCalls;
      // Streams beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS wait instead of failing.
      encoderEnforceMaxConcurrentStreams(true);
      if (settings.frameLogging) {
        frameLogger(new FrameLogging());
      }
    }

    @Override
    ClientHandler newHandler(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
        Http2Settings initialSettings) {
      return new ClientHandler(decoder, encoder, initialSettings, settings, scheme, lifecycle,
          keepAliveTimeNanos, keepAliveTimeoutNanos, keepAliveWithoutCalls);
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    this.ctx = ctx;
    if (ctx.channel().isActive()) {
      // Added after TLS: channelActive has come and gone; channelInactive will follow.
      sawActive = true;
    }
    this.writeQueue = new WriteQueue(ctx.channel());
    support.attach(ctx);
    super.handlerAdded(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof Http2ConnectionPrefaceAndSettingsFrameWrittenEvent) {
      // Fired by Netty on the client right after the preface and SETTINGS are written.
      ConnectionWindow.open(this, ctx, settings.connectionFlowControlWindow);
    }
    super.userEventTriggered(ctx, evt);
  }

  public WriteQueue writeQueue() {
    return writeQueue;
  }

  ChannelHandlerContext context() {
    return ctx;
  }

  ClientSettings settings() {
    return settings;
  }

  /** {@code :scheme} of this connection's requests. */
  /**
   * The request headers every call to {@code path} sends, built once per connection and shared
   * read-only (their HPACK encoding still happens per request). Event loop only.
   */
  Http2Headers plainRequestHeaders(String path) {
    Http2Headers headers = plainRequestHeaders.get(path);
    if (headers == null) {
      String accept = settings.codecs.acceptEncoding();
      AsciiString[] others = accept == null
          ? new AsciiString[] {
              GrpcHeaders.CONTENT_TYPE, GrpcHeaders.CONTENT_TYPE_GRPC,
              GrpcHeaders.TE, GrpcHeaders.TE_TRAILERS,
              GrpcHeaders.USER_AGENT, AsciiString.of(settings.userAgent)}
          : new AsciiString[] {
              GrpcHeaders.CONTENT_TYPE, GrpcHeaders.CONTENT_TYPE_GRPC,
              GrpcHeaders.TE, GrpcHeaders.TE_TRAILERS,
              GrpcHeaders.USER_AGENT, AsciiString.of(settings.userAgent),
              GrpcHeaders.GRPC_ACCEPT_ENCODING, AsciiString.of(accept)};
      headers = ReadOnlyHttp2Headers.clientHeaders(false, GrpcHeaders.POST, AsciiString.of(path),
          scheme, AsciiString.of(settings.authority), others);
      if (plainRequestHeaders.size() < 1024) {
        plainRequestHeaders.put(path, headers);
      }
    }
    return headers;
  }

  AsciiString scheme() {
    return scheme;
  }

  /** Why the connection failed, if it failed rather than closed normally; else null. */
  String closeReason() {
    return closeReason;
  }

  /** Whether the server said GOAWAY: new calls must use another connection. Thread-safe. */
  public boolean isGoAwayReceived() {
    return goAwayReceived;
  }

  /** This handler as a completed future, made once for all calls. Thread-safe (a race: two). */
  CompletableFuture<ClientHandler> asFuture() {
    CompletableFuture<ClientHandler> f = asFuture;
    if (f == null) {
      f = CompletableFuture.completedFuture(this);
      asFuture = f;
    }
    return f;
  }

  /** Whether new calls may use this connection. Thread-safe. */
  public boolean isUsable() {
    ChannelHandlerContext c = ctx;
    return !goAwayReceived && c != null && c.channel().isActive();
  }

  /** Whether the server's first SETTINGS arrived. Thread-safe. */
  public boolean isReady() {
    return ready;
  }

  /** The channel this handler will be (or is) in; for closing it before it is. Thread-safe. */
  void channel(io.netty.channel.Channel channel) {
    this.channel = channel;
  }

  /** Records why the connection failed before it was ready. Thread-safe. */
  void connectFailed(String reason) {
    if (connectFailure == null) {
      connectFailure = reason;
    }
  }

  /** Why this connection never became ready, for the calls that waited for it. Thread-safe. */
  String failureDescription(String target) {
    String reason = connectFailure != null ? connectFailure : closeReason;
    if (reason != null) {
      return reason;
    }
    return sawActive ? "Connection to " + target + " closed" + setupHint()
        : "Connection to " + target + " closed before it was ready";
  }

  /**
   * Closes the connection: gracefully (GOAWAY, then close once the calls in flight end) or,
   * with {@code now}, at once, failing them. Thread-safe.
   */
  void close(boolean now) {
    ChannelHandlerContext c = ctx;
    if (c == null) {
      // Not in a pipeline yet (connecting, or in the TLS handshake): close the socket itself.
      io.netty.channel.Channel ch = channel;
      if (ch != null) {
        ch.close();
      }
      return;
    }
    c.executor().execute(() -> {
      if (now) {
        gracefulShutdownTimeoutMillis(0);
      }
      c.close();
    });
  }

  /**
   * Whether the server certainly did not process stream {@code streamId}: its HEADERS never
   * left (still queued behind SETTINGS_MAX_CONCURRENT_STREAMS), or it is above the last-stream-id
   * of a GOAWAY (RFC 9113 §6.8). Such a call may be retried elsewhere (gRFC A6). Event loop only.
   */
  boolean neverProcessed(int streamId) {
    return !wasSent(streamId) || goAwayAbove(streamId);
  }

  /** Whether stream {@code streamId}'s HEADERS were handed to the socket. Event loop only. */
  boolean wasSent(int streamId) {
    return streamId <= connection().local().lastStreamCreated();
  }

  private boolean goAwayAbove(int streamId) {
    Http2Connection c = connection();
    return c.goAwayReceived() && streamId > c.local().lastStreamKnownByPeer();
  }

  /** Registers a call on a newly allocated stream id; returns the id. */
  int newStream(AttemptResponse call) throws Http2Exception {
    int id = connection().local().incrementAndGetNextStreamId();
    if (id < 0) {
      throw Http2Exception.connectionError(Http2Error.REFUSED_STREAM,
          "Stream ids exhausted on this connection");
    }
    calls.put(id, call);
    return id;
  }

  void forgetStream(int id) {
    calls.remove(id);
  }

  /** Runs {@code task} on the event loop, inline if already there. Thread-safe. */
  void runOnEventLoop(Runnable task) {
    support.runOnEventLoop(task);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    if (closeReason == null) {
      closeReason = "Connection failed: " + TlsHandlers.describe(cause) + setupHint();
    }
    if (!support.closedOnPeerGone(cause)) {
      super.exceptionCaught(ctx, cause);
    }
  }

  /**
   * RFC 9113 §3.4: a server's first frame is SETTINGS. A peer that fails or hangs up before
   * sending one is no HTTP/2 server on this scheme, typically a TLS port reached without TLS.
   */
  private String setupHint() {
    if (settingsReceived) {
      return "";
    }
    return " before the server's HTTP/2 SETTINGS arrived"
        + (scheme == GrpcHeaders.HTTP ? " (does the server require TLS?)" : "");
  }

  /** The receive window of stream {@code streamId} (0 once it is gone). Event loop. */
  int receiveWindow(int streamId) {
    Http2Stream stream = connection().stream(streamId);
    return stream == null ? 0 : decoder().flowController().windowSize(stream);
  }

  /** Returns flow-control credit for bytes a call consumed. */
  void returnBytes(int streamId, int bytes) {
    Http2Stream stream = connection().stream(streamId);
    if (stream == null) {
      return;
    }
    support.returnBytes(stream, bytes);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    sawActive = true;
    super.channelActive(ctx);
  }

  /**
   * Whether this handler saw its connection active, and so will see channelInactive (and report
   * {@link Lifecycle#closed}). Thread-safe.
   */
  boolean sawActive() {
    return sawActive;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    support.onRead();
    super.channelRead(ctx, msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    goAwayReceived = true;
    support.stop();
    if (closeReason == null && !settingsReceived) {
      closeReason = "Connection closed" + setupHint();
    }
    super.channelInactive(ctx);
    // Calls whose streams were never created (still buffered) are not closed by Netty.
    if (!calls.isEmpty()) {
      for (AttemptResponse call : calls.values().toArray(new AttemptResponse[0])) {
        call.streamClosed(this);
      }
      calls.clear();
    }
    // Last: closeReason is final by now, for calls still waiting for a connection.
    lifecycle.closed(this);
  }

  // ---------------------------------------------------------------- frames from the server

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
      int padding, boolean endOfStream) {
    AttemptResponse call = calls.get(streamId);
    if (call != null) {
      call.inboundHeaders(headers, endOfStream);
    }
    if (endOfStream) {
      Http2Stream stream = connection().stream(streamId);
      if (stream != null && stream.state() == Http2Stream.State.OPEN) {
        // The response ended before the request did: the server no longer reads it, and it
        // sends no RST_STREAM(NO_ERROR) to close its side (a reset after END_STREAM may cross
        // the request's end and reach a proxy after it reused the connection). Closing the
        // stream is the client's job, as grpc-java's does: RST_STREAM(CANCEL) (RFC 9113 §8.1).
        resetStream(ctx, streamId, Http2Error.CANCEL.code(), ctx.newPromise());
      }
    }
  }

  @Override
  public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
      boolean endOfStream) {
    support.dataRead(data.readableBytes() + padding);
    AttemptResponse call = calls.get(streamId);
    if (call == null) {
      return data.readableBytes() + padding;
    }
    call.inboundData(data.retain(), endOfStream);
    return padding;
  }

  @Override
  public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
    AttemptResponse call = calls.get(streamId);
    if (call != null) {
      call.inboundReset(errorCode);
    }
  }

  @Override
  public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode,
      ByteBuf debugData) {
    // Handled in onGoAwayReceived (the connection listener), which runs earlier.
    goAwayReceived = true;
  }

  @Override
  public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
    if (settingsReceived) {
      return;
    }
    settingsReceived = true;
    ready = true;
    if (keepAliveTimeNanos != Long.MAX_VALUE) {
      support.startKeepAlive(keepAliveTimeNanos, keepAliveTimeoutNanos, keepAliveWithoutCalls,
          () -> {
            closeReason = "Keepalive failed: nothing received within "
                + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(keepAliveTimeoutNanos)
                + " ms of a PING; the connection is likely gone";
            support.closeNow(0);
          });
    }
    lifecycle.ready(this);
  }

  @Override
  public void onPingRead(ChannelHandlerContext ctx, long data) {}

  @Override
  public void onPingAckRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
    support.bdpPingAcked(data);
  }
}
