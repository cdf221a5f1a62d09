package dev.tern.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
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
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.ReadOnlyHttp2Headers;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;

/**
 * The client side of one HTTP/2 connection: opens a stream per call and routes frames to the
 * calls (PROTOCOL-HTTP2.md "Responses").
 *
 * <p>Not thread-safe: runs on the connection's event loop; application threads reach it only
 * through {@link #writeQueue()}.
 */
public final class ClientHandler extends Http2ConnectionHandler implements Http2FrameListener {
  private final ClientSettings settings;
  /** Grows the receive windows to the connection's BDP; null when auto flow control is off. */
  private final BdpEstimator bdp;
  /** Read-only request headers of calls that add none, by :path. Event loop only. */
  private final java.util.Map<String, Http2Headers> plainRequestHeaders = new java.util.HashMap<>();
  private final AsciiString scheme;
  private final IntObjectMap<ClientCallImpl<?, ?>> calls = new IntObjectHashMap<>();
  private WriteQueue writeQueue;
  private volatile ChannelHandlerContext ctx;
  private volatile boolean goAwayReceived;
  private boolean settingsReceived;
  private volatile String closeReason;

  private ClientHandler(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
      Http2Settings initialSettings, ClientSettings settings, AsciiString scheme) {
    super(decoder, encoder, initialSettings);
    this.settings = settings;
    this.bdp = settings.autoFlowControl
        ? new BdpEstimator(settings.flowControlWindow, BdpEstimator.DEFAULT_MAX_WINDOW,
            System::nanoTime)
        : null;
    this.scheme = scheme;
    decoder.frameListener(this);
    encoder.connection().addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamClosed(Http2Stream stream) {
        ClientCallImpl<?, ?> call = calls.remove(stream.id());
        if (call != null) {
          call.streamClosed();
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
    Http2Connection connection = new DefaultHttp2Connection(false);
    OutboundFlow.configure(connection);
    connection.local().flowController(
        new DefaultHttp2LocalFlowController(connection, 0.5f, true));
    Http2Settings initial = new Http2Settings()
        .pushEnabled(false)
        .initialWindowSize(settings.flowControlWindow)
        .maxHeaderListSize(settings.maxHeaderListSize);
    return new Builder(settings, tls ? GrpcHeaders.HTTPS : GrpcHeaders.HTTP)
        .connection(connection).initialSettings(initial).build();
  }

  private static final class Builder
      extends AbstractHttp2ConnectionHandlerBuilder<ClientHandler, Builder> {
    private final ClientSettings settings;
    private final AsciiString scheme;

    Builder(ClientSettings settings, AsciiString scheme) {
      this.settings = settings;
      this.scheme = scheme;
      // Streams beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS wait instead of failing.
      encoderEnforceMaxConcurrentStreams(true);
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
    protected ClientHandler build() {
      return super.build();
    }

    @Override
    protected ClientHandler build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
        Http2Settings initialSettings) {
      return new ClientHandler(decoder, encoder, initialSettings, settings, scheme);
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    this.ctx = ctx;
    this.writeQueue = new WriteQueue(ctx.channel());
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

  /** Whether new calls may use this connection. Thread-safe. */
  public boolean isUsable() {
    ChannelHandlerContext c = ctx;
    return !goAwayReceived && c != null && c.channel().isActive();
  }

  /** Registers a call on a newly allocated stream id; returns the id. */
  int newStream(ClientCallImpl<?, ?> call) throws Http2Exception {
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
    if (closeReason == null) {
      closeReason = "Connection failed: " + TlsHandlers.describe(cause) + setupHint();
    }
    if (cause instanceof java.io.IOException) {
      // The peer went away (reset, broken pipe): the connection's calls fail as it closes.
      ctx.close();
      return;
    }
    super.exceptionCaught(ctx, cause);
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

  /** Returns flow-control credit for bytes a call consumed. */
  void returnBytes(int streamId, int bytes) {
    Http2Stream stream = connection().stream(streamId);
    if (stream == null) {
      return;
    }
    try {
      if (bdp != null) {
        bdp.bytesConsumed(bytes);
      }
      if (decoder().flowController().consumeBytes(stream, bytes)) {
        ctx.flush();
      }
    } catch (Http2Exception e) {
      onError(ctx, true, e);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    goAwayReceived = true;
    if (closeReason == null && !settingsReceived) {
      closeReason = "Connection closed" + setupHint();
    }
    super.channelInactive(ctx);
    // Calls whose streams were never created (still buffered) are not closed by Netty.
    if (!calls.isEmpty()) {
      for (ClientCallImpl<?, ?> call : calls.values().toArray(new ClientCallImpl<?, ?>[0])) {
        call.streamClosed();
      }
      calls.clear();
    }
  }

  // ---------------------------------------------------------------- frames from the server

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
      int streamDependency, short weight, boolean exclusive, int padding, boolean endOfStream) {
    onHeadersRead(ctx, streamId, headers, padding, endOfStream);
  }

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
      int padding, boolean endOfStream) {
    ClientCallImpl<?, ?> call = calls.get(streamId);
    if (call != null) {
      call.inboundHeaders(headers, endOfStream);
    }
  }

  @Override
  public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
      boolean endOfStream) {
    if (bdp != null) {
      bdp.onDataRead(this, ctx);
    }
    ClientCallImpl<?, ?> call = calls.get(streamId);
    if (call == null) {
      return data.readableBytes() + padding;
    }
    call.inboundData(data.retain(), endOfStream);
    return padding;
  }

  @Override
  public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
    ClientCallImpl<?, ?> call = calls.get(streamId);
    if (call != null) {
      call.inboundReset(errorCode);
    }
  }

  @Override
  public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode,
      ByteBuf debugData) {
    // Netty closes streams above lastStreamId; they fail as UNAVAILABLE (never processed).
    goAwayReceived = true;
  }

  @Override
  public void onPriorityRead(ChannelHandlerContext ctx, int streamId, int streamDependency,
      short weight, boolean exclusive) {}

  @Override
  public void onSettingsAckRead(ChannelHandlerContext ctx) {}

  @Override
  public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
    settingsReceived = true;
  }

  @Override
  public void onPingRead(ChannelHandlerContext ctx, long data) {}

  @Override
  public void onPingAckRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
    if (bdp != null) {
      bdp.onPingAck(this, ctx, data);
    }
  }

  @Override
  public void onPushPromiseRead(ChannelHandlerContext ctx, int streamId, int promisedStreamId,
      Http2Headers headers, int padding) throws Http2Exception {
    throw Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR,
        "PUSH_PROMISE received although SETTINGS_ENABLE_PUSH is 0");
  }

  @Override
  public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
  }

  @Override
  public void onUnknownFrame(ChannelHandlerContext ctx, byte frameType, int streamId,
      Http2Flags flags, ByteBuf payload) {}
}
