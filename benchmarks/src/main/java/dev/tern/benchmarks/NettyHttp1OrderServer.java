package dev.tern.benchmarks;

import dev.tern.netty.internal.EventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;

/**
 * The lean JSON/REST server: Netty's HTTP/1.1 codec (the engine under Tern) and one handler
 * answering {@code GET /orders/{id}} with the order serialized by Jackson, on the event loop,
 * keep-alive. Thread-safe.
 */
// close() throws Exception, AutoCloseable's own signature: it waits for event loops to stop.
@SuppressWarnings("try")
final class NettyHttp1OrderServer implements AutoCloseable {
  private final EventLoopGroup boss = EventLoops.newGroup(1, "http1-server-boss");
  private final EventLoopGroup workers =
      EventLoops.newGroup(Runtime.getRuntime().availableProcessors(), "http1-server-worker");
  private final Channel channel;

  NettyHttp1OrderServer(int port) throws InterruptedException {
    OrderHandler handler = new OrderHandler();
    channel = new ServerBootstrap().group(boss, workers)
        .channel(EventLoops.serverChannelType())
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), handler);
          }
        })
        .bind("127.0.0.1", port).sync().channel();
  }

  int port() {
    return ((java.net.InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() throws Exception {
    channel.close().sync();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  /** Answers each request once its head arrives (GET has no body). Stateless: shared. */
  @ChannelHandler.Sharable
  private static final class OrderHandler extends SimpleChannelInboundHandler<HttpObject> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) throws Exception {
      if (!(msg instanceof HttpRequest)) {
        return; // LastHttpContent of a GET: nothing to read
      }
      HttpRequest request = (HttpRequest) msg;
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      FullHttpResponse response;
      Orders.OrderJson order = request.method().equals(HttpMethod.GET)
          && request.uri().startsWith(Orders.PATH) ? lookup(request.uri()) : null;
      if (order == null) {
        response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
      } else {
        response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.wrappedBuffer(Orders.JSON.writeValueAsBytes(order)));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      }
      HttpUtil.setContentLength(response, response.content().readableBytes());
      if (keepAlive) {
        ctx.writeAndFlush(response);
      } else {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    private static Orders.OrderJson lookup(String uri) {
      try {
        return Orders.record(Long.parseLong(uri.substring(Orders.PATH.length())));
      } catch (NumberFormatException e) {
        return null;
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // a peer reset or a malformed request: drop the connection
    }
  }
}
