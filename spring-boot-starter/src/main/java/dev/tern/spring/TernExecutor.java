package dev.tern.spring;

/** Where application callbacks run ({@code tern.server.executor}, {@code tern.client.NAME.executor}). */
public enum TernExecutor {
  /** On the connection's event loop: only for handlers that never block. */
  DIRECT,
  /** On Tern's shared cached thread pool (the default). */
  POOL,
  /** On a virtual thread per task; needs JDK 21 or later, else startup fails naming it. */
  VIRTUAL
}
