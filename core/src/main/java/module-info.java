/**
 * Tern's public API: channels, servers, calls, metadata, status, interceptors and the stub layer.
 * {@code dev.tern.internal} is shared only with Tern's own transports.
 */
// Qualified exports name Tern modules built after this one ("module not found" while compiling).
@SuppressWarnings("module")
module dev.tern.core {
  // Marshallers and the message reader hand ByteBufs through the public API.
  requires transitive io.netty.buffer;
  // DNS SRV/TXT-free target parsing still reads LDAP-style names (javax.naming.ldap).
  requires java.naming;

  exports dev.tern;
  exports dev.tern.auth;
  exports dev.tern.interceptors;
  exports dev.tern.metrics;
  exports dev.tern.retry;
  exports dev.tern.stub;
  exports dev.tern.internal to dev.tern.netty, dev.tern.inprocess;
}
