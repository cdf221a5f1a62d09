package dev.tern.netty.internal;

import dev.tern.Attributes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The server side of one HTTP/1.1 connection (RFC 9112) carrying gRPC-Web and Connect requests,
 * one at a time. Limits, as for HTTP/2: the request line and header section are bounded by
 * {@code maxHeaderListSize} (431 / 414 otherwise); a body by what the request's protocol allows
 * (413); a connection with no request in progress closes after the idle timeout; a request that
 * has not arrived within the request timeout of its first byte gets 408. Malformed requests
 * (including both Content-Length and Transfer-Encoding, RFC 9112 §6.1) get 400. Every error
 * closes the connection. Pipelining is refused: a request sent before the previous response ended
 * closes the connection once that response is out, unanswered (RFC 9112 §9.3.2 lets a client retry
 * it).
 *
 * <p>Not thread-safe: runs on the connection's event loop.
 */
final class Http1Connection extends ChannelDuplexHandler {
  private static final System.Logger LOG = System.getLogger(Http1Connection.class.getName());

  /** Where the connection is; one exchange at a time. */
  enum State {
    /** Between requests: the idle timer runs (and the request timer once bytes arrive). */
    AWAITING_REQUEST,
    /** A request's body is arriving and its response is not finished. */
    RECEIVING,
    /** The response ended before the request body did: the rest of the body is discarded. */
    DRAINING_REQUEST,
    /** The request ended; its response is being written. */
    RESPONDING,
    /** A pipelined request arrived: the connection closes after the current response. */
    CLOSE_AFTER_RESPONSE,
    /** Closing: everything read is discarded. */
    CLOSING
  }

  private final ServerSettings settings;
  private final WebSettings web;
  private final WebDispatcher dispatcher;
  /** Which of the connection's timers runs. */
  private enum Timer {
    NONE,
    /** No request in progress: closes the connection when it fires. */
    IDLE,
    /** A request is arriving: 408 when it fires. */
    REQUEST
  }

  private ChannelHandlerContext ctx;
  private State state = State.AWAITING_REQUEST;
  private Timer timerKind = Timer.NONE;
  private Http1Exchange exchange;
  private ScheduledFuture<?> timer;
  /** Request bytes handed to the application and not yet consumed: reading pauses past a window. */
  private long unconsumed;
  private long bodyBytes;
  private long maxBodyBytes;
  private boolean keepAlive;
  private Attributes attributes = Attributes.EMPTY;

  private Http1Connection(ServerShared shared) {
    this.settings = shared.settings();
    this.web = shared.web();
    this.dispatcher = shared.webDispatcher();
  }

  /**
   * Installs the HTTP/1.1 codec and this handler after {@code after}; {@code attributes} are the
   * connection's (e.g. the TLS session).
   */
  static void install(ChannelPipeline pipeline, String after, ServerShared shared) {
    install(pipeline, after, shared, Attributes.EMPTY);
  }

  static void install(ChannelPipeline pipeline, String after, ServerShared shared,
      Attributes attributes) {
    ServerSettings settings = shared.settings();
    HttpDecoderConfig config = new HttpDecoderConfig()
        .setMaxInitialLineLength(settings.maxHeaderListSize())
        .setMaxHeaderSize(settings.maxHeaderListSize())
        .setMaxChunkSize(64 * 1024)
        // RFC 9112 §6.1/§6.3: Transfer-Encoding with Content-Length is an attack; reject it.
        .setUseRfc9112TransferEncoding(true)
        .setAllowDuplicateContentLengths(false)
        .setStrictLineParsing(true);
    Http1Connection handler = new Http1Connection(shared);
    handler.attributes = attributes;
    pipeline.addAfter(after, "http1-marker", new FirstByteMarker(handler));
    pipeline.addAfter("http1-marker", "http1-decoder", new HttpRequestDecoder(config));
    pipeline.addAfter("http1-decoder", "http1-encoder", new HttpResponseEncoder());
    // curl sends Expect: 100-continue for larger bodies (RFC 9110 §10.1.1).
    pipeline.addAfter("http1-encoder", "http1-continue", new HttpServerExpectContinueHandler());
    pipeline.addAfter("http1-continue", "http1", handler);
  }

  /** Starts the request timer on the first byte of a request (slow-request protection). */
  private static final class FirstByteMarker extends ChannelInboundHandlerAdapter {
    private final Http1Connection connection;

    FirstByteMarker(Http1Connection connection) {
      this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      connection.bytesArrived();
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (attributes.get(Attributes.REMOTE_ADDRESS) == null) {
      attributes = attributes.toBuilder()
          .set(Attributes.REMOTE_ADDRESS, ctx.channel().remoteAddress())
          .set(Attributes.LOCAL_ADDRESS, ctx.channel().localAddress())
          .build();
    }
    startTimer(web.http1IdleTimeoutNanos(), Timer.IDLE);
  }

  private void bytesArrived() {
    if (state == State.AWAITING_REQUEST && timerKind == Timer.IDLE) {
      startTimer(web.http1RequestTimeoutNanos(), Timer.REQUEST);
    }
  }

  private void startTimer(long nanos, Timer kind) {
    cancelTimer();
    timerKind = kind;
    timer = ctx.executor().schedule(() -> timedOut(kind), nanos, TimeUnit.NANOSECONDS);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    timerKind = Timer.NONE;
  }

  private void timedOut(Timer kind) {
    timer = null;
    timerKind = Timer.NONE;
    if (kind == Timer.IDLE) {
      ctx.close();
    } else if (state == State.AWAITING_REQUEST
        || (state == State.RECEIVING && !exchange.headWritten())) {
      // RFC 9110 §15.5.9: 408, and the connection closes.
      fail(HttpResponseStatus.REQUEST_TIMEOUT, "Request not received within "
          + TimeUnit.NANOSECONDS.toMillis(web.http1RequestTimeoutNanos()) + " ms");
    } else {
      ctx.close();
    }
  }

  // ---------------------------------------------------------------- reading

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpRequest request) {
        requestRead(request);
      }
      if (msg instanceof HttpContent content) {
        contentRead(content);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void requestRead(HttpRequest request) {
    switch (state) {
      case AWAITING_REQUEST -> { }
      case CLOSING, CLOSE_AFTER_RESPONSE -> {
        return;
      }
      default -> {
        // Pipelined (RFC 9112 §9.3.2): not answered; the client may retry it on a new connection.
        state = State.CLOSE_AFTER_RESPONSE;
        return;
      }
    }
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      HttpResponseStatus status = cause instanceof TooLongHttpLineException
          ? HttpResponseStatus.REQUEST_URI_TOO_LONG
          : cause instanceof TooLongHttpHeaderException
              ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
              : cause instanceof TooLongFrameException ? HttpResponseStatus.BAD_REQUEST
                  : HttpResponseStatus.BAD_REQUEST;
      fail(status, "Malformed HTTP/1.1 request: " + cause.getMessage());
      return;
    }
    if (request.protocolVersion() != HttpVersion.HTTP_1_1) {
      fail(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "Only HTTP/1.1 is supported");
      return;
    }
    if (!request.headers().contains(HttpHeaderNames.HOST)) {
      // RFC 9112 §3.2: a request without Host gets 400.
      fail(HttpResponseStatus.BAD_REQUEST, "Missing Host header");
      return;
    }
    Http2Headers headers;
    try {
      request.headers().set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(),
          ctx.pipeline().get(SslHandler.class) == null ? GrpcHeaders.HTTP : GrpcHeaders.HTTPS);
      headers = HttpConversionUtil.toHttp2Headers(request, false);
    } catch (Exception e) {
      fail(HttpResponseStatus.BAD_REQUEST, "Malformed HTTP/1.1 request: " + e.getMessage());
      return;
    }
    keepAlive = HttpUtil.isKeepAlive(request);
    state = State.RECEIVING;
    bodyBytes = 0;
    unconsumed = 0;
    exchange = new Http1Exchange(this, ctx, attributes, headers);
    long limit = dispatcher.dispatch(exchange);
    maxBodyBytes = limit;
    if (limit == Long.MAX_VALUE && timerKind == Timer.REQUEST) {
      // A stream of messages may last as long as its deadline: no request timeout on its body.
      cancelTimer();
    }
    long declared = HttpUtil.getContentLength(request, -1L);
    if (declared > maxBodyBytes) {
      tooLarge();
    }
  }

  private void contentRead(HttpContent content) {
    if (state != State.RECEIVING && state != State.DRAINING_REQUEST) {
      return;
    }
    if (content.decoderResult().isFailure()) {
      fail(HttpResponseStatus.BAD_REQUEST,
          "Malformed HTTP/1.1 body: " + content.decoderResult().cause().getMessage());
      return;
    }
    ByteBuf data = content.content();
    bodyBytes += data.readableBytes();
    if (bodyBytes > maxBodyBytes) {
      tooLarge();
      return;
    }
    if (state == State.RECEIVING && data.isReadable()) {
      unconsumed += data.readableBytes();
      exchange.bodyRead(data.retain());
      if (unconsumed > settings.flowControlWindow()) {
        // Back-pressure, like an HTTP/2 stream window: stop reading until the call consumes.
        ctx.channel().config().setAutoRead(false);
      }
    }
    if (content instanceof LastHttpContent) {
      if (state == State.RECEIVING) {
        state = State.RESPONDING;
        if (timerKind == Timer.REQUEST) {
          cancelTimer();
        }
        exchange.bodyEnded();
      } else {
        requestDone();
      }
    }
  }

  private void tooLarge() {
    fail(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "Request body exceeds the limit of "
        + maxBodyBytes + " bytes");
  }

  /** Request bytes of {@code from} consumed, if it is still the connection's exchange. */
  void consumed(Http1Exchange from, int bytes) {
    if (exchange == from) {
      consumed(bytes);
    }
  }

  void consumed(int bytes) {
    unconsumed -= bytes;
    if (unconsumed <= settings.flowControlWindow() / 2 && state != State.CLOSING
        && !ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  /** Whether the response now written closes the connection ({@code Connection: close}). */
  boolean closesAfterResponse() {
    return !keepAlive || state == State.CLOSE_AFTER_RESPONSE;
  }

  /** The response ended. */
  void responseDone() {
    switch (state) {
      case RECEIVING -> state = State.DRAINING_REQUEST;
      case RESPONDING -> requestDone();
      case CLOSE_AFTER_RESPONSE -> close();
      default -> { }
    }
  }

  /** Both the request and its response are complete: ready for the next one. */
  private void requestDone() {
    exchange = null;
    if (!keepAlive) {
      close();
      return;
    }
    state = State.AWAITING_REQUEST;
    ctx.channel().config().setAutoRead(true);
    startTimer(web.http1IdleTimeoutNanos(), Timer.IDLE);
  }

  /**
   * Answers with {@code status} and a plain-text reason, then closes; an exchange in progress is
   * cut short (its call cancelled).
   */
  private void fail(HttpResponseStatus status, String reason) {
    if (state == State.CLOSING) {
      return;
    }
    LOG.log(System.Logger.Level.DEBUG, () -> "HTTP/1.1 " + status + " to "
        + ctx.channel().remoteAddress() + ": " + reason);
    boolean canAnswer = exchange == null || !exchange.headWritten();
    state = State.CLOSING;
    cancelTimer();
    if (exchange != null) {
      exchange.closed();
    }
    if (canAnswer) {
      ByteBuf body = Unpooled.copiedBuffer(reason + "\n", StandardCharsets.UTF_8);
      HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
      response.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
          .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.write(response);
      ctx.writeAndFlush(new DefaultLastHttpContent(body))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.close();
    }
  }

  void close() {
    state = State.CLOSING;
    cancelTimer();
    ctx.flush();
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelTimer();
    state = State.CLOSING;
    if (exchange != null) {
      exchange.closed();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.log(System.Logger.Level.DEBUG, () -> "Closing HTTP/1.1 connection "
        + ctx.channel().remoteAddress() + ": " + cause);
    ctx.close();
  }

  /** Graceful shutdown: closes now if between requests, else after the current response. */
  void startGracefulShutdown() {
    switch (state) {
      case AWAITING_REQUEST -> close();
      case CLOSING -> { }
      default -> keepAlive = false;
    }
  }
}
