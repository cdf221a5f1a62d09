/** The Netty HTTP/2 transport: {@code TernChannel} and {@code TernServer}. */
module dev.tern.netty {
  requires transitive dev.tern.core;
  requires transitive io.netty.transport;
  requires transitive io.netty.handler;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.codec.http2;
  requires io.netty.common;
  requires java.logging;
  requires java.naming;
  // Looked up by name at run time (EventLoops): used only when the application resolves it.
  requires static io.netty.transport.classes.epoll;
  requires static io.netty.transport.unix.common;

  // dev.tern.netty.internal is not exported: no other module needs it.
  exports dev.tern.netty;

  // ProviderRegistry and WebMessageFormat find plug-ins with ServiceLoader.
  uses dev.tern.NameResolverProvider;
  uses dev.tern.LoadBalancerProvider;
  uses dev.tern.netty.WebMessageFormat;
}
