package dev.tern.benchmarks;

import dev.tern.netty.internal.EventLoops;
import io.grpc.benchmarks.proto.BenchmarkServiceTern;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2EventAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The transport's ceiling: a raw Netty HTTP/2 echo with no gRPC layer. The server answers each
 * request stream with HEADERS, then echoes each DATA frame as it arrives, then trailers
 * ({@code grpc-status: 0}) when the request ends, so that a gRPC client sees a valid response;
 * on the StreamingFromServer path it sends 1 KiB DATA frames back to back while flow control
 * allows. The client writes the same headers and bytes a gRPC client would.
 */
public final class RawHttp2 {
  static final int WINDOW = 1024 * 1024;
  static final AsciiString STREAM_PATH =
      AsciiString.cached("/" + BenchmarkServiceTern.getStreamingFromServerMethod().getFullMethodName());

  private static final Http2Headers RESPONSE_HEADERS = new DefaultHttp2Headers()
      .status("200").set("content-type", "application/grpc");
  private static final Http2Headers TRAILERS = new DefaultHttp2Headers().set("grpc-status", "0");

  private RawHttp2() {}

  /** gRPC-like request headers for {@code method}, built once and shared read-only. */
  static Http2Headers requestHeaders(String fullMethodName, String authority) {
    return new DefaultHttp2Headers()
        .method("POST").scheme("http").path("/" + fullMethodName).authority(authority)
        .set("content-type", "application/grpc").set("te", "trailers")
        .set("user-agent", "raw-netty-http2");
  }

  /** The echo server. Thread-safe. */
  public static final class Server implements AutoCloseable {
    private final Channel channel;

    public Server(int port, EventLoopGroup boss, EventLoopGroup workers, ByteBuf streamFrame)
        throws InterruptedException {
      channel = new ServerBootstrap()
          .group(boss, workers)
          .channel(EventLoops.serverChannelType())
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ServerListener listener = new ServerListener(streamFrame);
              ch.pipeline().addLast(new Http2ConnectionHandlerBuilder()
                  .server(true)
                  .initialSettings(new Http2Settings().initialWindowSize(WINDOW))
                  .frameListener(listener)
                  .build());
            }
          })
          .bind("127.0.0.1", port).sync().channel();
    }

    public int port() {
      return ((java.net.InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
      channel.close().syncUninterruptibly();
    }
  }

  /** One connection's server side. Event loop only. */
  private static final class ServerListener extends Http2EventAdapter {
    private final ByteBuf streamFrame;
    private final IntObjectMap<Boolean> answered = new IntObjectHashMap<>();
    private Http2ConnectionHandler handler;
    private ChannelHandlerContext ctx;
    private Http2Connection.PropertyKey outstandingKey;

    ServerListener(ByteBuf streamFrame) {
      this.streamFrame = streamFrame;
    }

    private void init(ChannelHandlerContext ctx) {
      if (handler == null) {
        this.ctx = ctx;
        handler = (Http2ConnectionHandler) ctx.handler();
        outstandingKey = handler.connection().newKey();
      }
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
        int padding, boolean endOfStream) {
      init(ctx);
      Http2ConnectionEncoder enc = handler.encoder();
      if (STREAM_PATH.contentEquals(headers.path())) {
        answered.put(streamId, Boolean.TRUE);
        enc.writeHeaders(ctx, streamId, RESPONSE_HEADERS, 0, false, ctx.newPromise());
        pump(handler.connection().stream(streamId));
        return;
      }
      if (endOfStream) {
        enc.writeHeaders(ctx, streamId, RESPONSE_HEADERS, 0, false, ctx.newPromise());
        enc.writeHeaders(ctx, streamId, TRAILERS, 0, true, ctx.newPromise());
      }
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
        int streamDependency, short weight, boolean exclusive, int padding, boolean endOfStream) {
      onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
        boolean endOfStream) {
      int consumed = data.readableBytes() + padding;
      Boolean state = answered.get(streamId);
      if (state == Boolean.TRUE) {
        return consumed; // the streaming path ignores request data
      }
      Http2ConnectionEncoder enc = handler.encoder();
      if (state == null) {
        answered.put(streamId, Boolean.FALSE);
        enc.writeHeaders(ctx, streamId, RESPONSE_HEADERS, 0, false, ctx.newPromise());
      }
      if (data.isReadable()) {
        enc.writeData(ctx, streamId, data.retain(), 0, false, ctx.newPromise());
      }
      if (endOfStream) {
        answered.remove(streamId);
        enc.writeHeaders(ctx, streamId, TRAILERS, 0, true, ctx.newPromise());
      }
      return consumed;
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
      answered.remove(streamId);
    }

    private void pump(Http2Stream stream) {
      if (stream == null || answered.get(stream.id()) != Boolean.TRUE) {
        return;
      }
      // Like a gRPC server's isReady: keep up to 32 KiB queued (written but not yet taken by
      // the socket), and top up as writes complete.
      Outstanding out = stream.getProperty(outstandingKey);
      if (out == null) {
        out = new Outstanding();
        stream.setProperty(outstandingKey, out);
      }
      int frameBytes = streamFrame.readableBytes();
      boolean wrote = false;
      while (out.bytes < 32 * 1024 && stream.state() != Http2Stream.State.CLOSED) {
        out.bytes += frameBytes;
        Outstanding o = out;
        handler.encoder().writeData(ctx, stream.id(), streamFrame.retainedDuplicate(), 0, false,
            ctx.newPromise().addListener(f -> {
              o.bytes -= frameBytes;
              if (f.isSuccess() && o.bytes < 16 * 1024 && !o.pumpScheduled) {
                o.pumpScheduled = true;
                ctx.executor().execute(() -> {
                  o.pumpScheduled = false;
                  pump(handler.connection().stream(stream.id()));
                });
              }
            }));
        wrote = true;
      }
      if (wrote) {
        // Through the pipeline: the handler's own flush is what writes flow-controlled DATA
        // (ctx.flush() from its context would pass it by).
        ctx.channel().flush();
      }
    }
  }

  /** Bytes of one stream queued for writing. Event loop only. */
  private static final class Outstanding {
    int bytes;
    boolean pumpScheduled;
  }

  /** Receives one stream's response. Called on the event loop. */
  interface Response {
    /** A DATA frame's payload (not retained). */
    void onData(ByteBuf data);

    /** Trailers or a reset ended the stream. */
    void onEnd();
  }

  /** A client connection; writes go through one batched event-loop task. Thread-safe. */
  public static final class Client implements AutoCloseable {
    private final Channel channel;
    private final Http2ConnectionHandler handler;
    private final IntObjectMap<Response> streams = new IntObjectHashMap<>();
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    public Client(String host, int port, EventLoopGroup group) throws Exception {
      handler = new Http2ConnectionHandlerBuilder()
          .server(false)
          .initialSettings(new Http2Settings().initialWindowSize(WINDOW).pushEnabled(false))
          .frameListener(new ClientListener())
          .build();
      channel = new Bootstrap()
          .group(group)
          .channel(EventLoops.channelType())
          .option(ChannelOption.TCP_NODELAY, true)
          .handler(handler)
          .connect(host, port).sync().channel();
      channel.eventLoop().submit(() -> {
        // Match the gRPC stacks: a 1 MiB connection window as well as per stream.
        Http2Connection c = handler.connection();
        c.local().flowController().incrementWindowSize(c.connectionStream(), WINDOW - 65535);
        channel.flush();
        return null;
      }).sync();
    }

    /** Opens a stream: headers, then {@code body} (owned) unless null. Returns its handle. */
    RawStream start(Http2Headers headers, ByteBuf body, boolean endOfStream, Response response) {
      RawStream stream = new RawStream();
      enqueue(() -> {
        ChannelHandlerContext ctx = ctx();
        int id = handler.connection().local().incrementAndGetNextStreamId();
        stream.id = id;
        streams.put(id, response);
        handler.encoder().writeHeaders(ctx, id, headers, 0, body == null && endOfStream,
            ctx.newPromise());
        if (body != null) {
          handler.encoder().writeData(ctx, id, body, 0, endOfStream, ctx.newPromise());
        }
      });
      return stream;
    }

    /** More request bytes on an open stream. */
    void send(RawStream stream, ByteBuf body, boolean endOfStream) {
      enqueue(() -> handler.encoder().writeData(ctx(), stream.id, body, 0, endOfStream,
          ctx().newPromise()));
    }

    void cancel(RawStream stream) {
      enqueue(() -> {
        if (ctx() == null) {
          return; // the connection is gone already (teardown)
        }
        streams.remove(stream.id);
        handler.encoder().writeRstStream(ctx(), stream.id, Http2Error.CANCEL.code(),
            ctx().newPromise());
      });
    }

    private ChannelHandlerContext ctx() {
      return channel.pipeline().context(handler);
    }

    private void enqueue(Runnable command) {
      commands.add(command);
      if (scheduled.compareAndSet(false, true)) {
        channel.eventLoop().execute(drain);
      }
    }

    private void drain() {
      scheduled.set(false);
      Runnable c;
      while ((c = commands.poll()) != null) {
        c.run();
      }
      channel.flush();
    }

    @Override
    public void close() {
      channel.close().syncUninterruptibly();
    }

    private final class ClientListener extends Http2EventAdapter {
      @Override
      public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
          int padding, boolean endOfStream) {
        if (endOfStream) {
          Response r = streams.remove(streamId);
          if (r != null) {
            r.onEnd();
          }
        }
      }

      @Override
      public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
          int streamDependency, short weight, boolean exclusive, int padding,
          boolean endOfStream) {
        onHeadersRead(ctx, streamId, headers, padding, endOfStream);
      }

      @Override
      public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
          boolean endOfStream) throws Http2Exception {
        Response r = streams.get(streamId);
        if (r != null) {
          r.onData(data);
        }
        return data.readableBytes() + padding;
      }

      @Override
      public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        Response r = streams.remove(streamId);
        if (r != null) {
          r.onEnd();
        }
      }
    }
  }

  /** A client stream; its id is assigned on the event loop before any later command runs. */
  static final class RawStream {
    int id;
  }

  /** A gRPC frame (5-byte header + message) of {@code message}'s bytes, for the raw client. */
  static ByteBuf grpcFrame(com.google.protobuf.MessageLite message) {
    byte[] bytes = message.toByteArray();
    ByteBuf buf = Unpooled.directBuffer(5 + bytes.length);
    buf.writeByte(0).writeInt(bytes.length).writeBytes(bytes);
    return Unpooled.unreleasableBuffer(buf);
  }
}
