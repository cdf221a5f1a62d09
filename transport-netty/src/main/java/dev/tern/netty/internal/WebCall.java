package dev.tern.netty.internal;

import dev.tern.netty.WebMessageFormat;
import dev.tern.Attributes;
import dev.tern.Codec;
import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.ServerMethodDefinition;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelPromise;

/**
 * The server side of one gRPC-Web or Connect call on a {@link WebExchange} (an HTTP/1.1 request
 * or an HTTP/2 stream): the {@link ServerCallCore} adapted to the exchange, with the wire format
 * left to a {@link WebProtocol}. The request body goes through the protocol (base64, a unary
 * body) into the core's reader; headers, messages and the status go out through the protocol.
 *
 * <p>Thread rule: as {@link ServerCallCore}, with the call's own {@link WriteQueue}; the
 * exchange-facing methods here run on the event loop.
 */
final class WebCall<ReqT, RespT> extends ServerCallCore<ReqT, RespT>
    implements WebExchange.Stream {
  private static final String CLIENT_GONE = "The client went away before the call completed";

  private final WebExchange exchange;
  private final WebProtocol protocol;
  /** Request bytes received and not yet given back to the exchange's receive window. */
  private long owed;

  WebCall(WebExchange exchange, WebProtocol protocol, ServerMethodDefinition<ReqT, RespT> def,
      WebMessageFormat format, ServerSettings settings, Codec inboundCodec, Codec outboundCodec,
      long timeoutNanos, ServerCallTracer tracer) {
    super(new Setting(exchange.context().executor(), exchange.context().alloc(), settings,
            settings.executor(), new WriteQueue(exchange.context().channel()), CLIENT_GONE, false),
        def, marshaller(format, def.getMethodDescriptor().getRequestMarshaller()),
        marshaller(format, def.getMethodDescriptor().getResponseMarshaller()), inboundCodec,
        timeoutNanos, tracer);
    this.exchange = exchange;
    this.protocol = protocol;
    writer.setCodec(outboundCodec);
  }

  private static <T> Marshaller<T> marshaller(WebMessageFormat format, Marshaller<T> binary) {
    return format == null ? binary : format.marshaller(binary);
  }

  // ---------------------------------------------------------------- the exchange (event loop)

  @Override
  void start(Metadata headers) {
    exchange.stream(this);
    super.start(headers);
  }

  @Override
  public void bodyRead(ByteBuf data) {
    int raw = data.readableBytes();
    owed += raw;
    if (state().isTerminated()) {
      data.release();
      giveBack(raw);
      return;
    }
    ByteBuf framed;
    try {
      framed = protocol.requestBytes(data);
    } catch (StatusRuntimeException e) {
      giveBack(raw);
      fail(e.getStatus());
      return;
    }
    // Bytes the protocol decoded away (base64) or holds (a unary body, bounded by it) are not
    // the reader's to return.
    giveBack(raw - framed.readableBytes());
    reader.deframe(framed);
  }

  @Override
  public void bodyEnded() {
    if (state().isTerminated()) {
      return;
    }
    try {
      reader.deframe(protocol.requestEnded());
    } catch (StatusRuntimeException e) {
      fail(e.getStatus());
      return;
    }
    reader.endOfStream();
  }

  /** MessageReader.Target: window credit for bytes the reader consumed. */
  @Override
  public void returnBytes(int bytes) {
    giveBack(bytes);
  }

  private void giveBack(int bytes) {
    int n = (int) Math.min(bytes, owed);
    if (n > 0) {
      owed -= n;
      exchange.returnBytes(n);
    }
  }

  /** The exchange is over: completed after our status, or cut short (client gone). */
  @Override
  public void exchangeClosed() {
    protocol.release();
    closed();
  }

  @Override
  void runOnEventLoop(Runnable task) {
    exchange.context().executor().execute(task);
  }

  // ---------------------------------------------------------------- ServerCall

  @Override
  public Attributes getAttributes() {
    return exchange.attributes();
  }

  @Override
  public String getAuthority() {
    CharSequence authority = exchange.requestHeaders().authority();
    return authority == null ? null : authority.toString();
  }

  // ---------------------------------------------------------------- event-loop writes

  @Override
  void writeResponseHeaders(Metadata metadata, Codec codec) {
    protocol.writeHeaders(exchange, metadata); // the protocol names the encoding itself
  }

  @Override
  boolean writeResponseStatus(boolean headersWritten, Status status, Metadata trailers) {
    protocol.writeStatus(exchange, headersWritten, status, trailers);
    return true;
  }

  /** Deadline (or context cancelled): the status goes out, the handler hears onCancel. */
  @Override
  boolean writeCutShort(boolean headersWritten, Status status) {
    return writeResponseStatus(headersWritten, status, new Metadata());
  }

  @Override
  public ChannelPromise newPromise() {
    return exchange.context().newPromise();
  }

  @Override
  public void writeData(ByteBuf data, boolean endOfStream, ChannelPromise promise) {
    protocol.writeMessage(exchange, data, promise);
  }

  @Override
  public int sendWindow() {
    return exchange.sendWindow();
  }
}
