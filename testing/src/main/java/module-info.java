/** Test support: the ByteBuf leak gate, a raw HTTP/2 peer and a TCP proxy. */
module dev.tern.testing {
  requires transitive org.junit.jupiter.api;
  requires transitive io.netty.buffer;
  requires transitive io.netty.transport;
  requires transitive io.netty.codec.http2;
  requires transitive io.netty.codec.http;
  requires transitive io.netty.codec;
  requires transitive io.netty.handler;
  requires transitive io.netty.common;

  exports dev.tern.testing;

  provides org.junit.jupiter.api.extension.Extension with dev.tern.testing.LeakDetectorExtension;
}
