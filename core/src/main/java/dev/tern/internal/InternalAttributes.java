package dev.tern.internal;

import dev.tern.Attributes;
import java.util.concurrent.Executor;

/** Connection attributes that only Tern's own modules set and read. Immutable. */
public final class InternalAttributes {
  /**
   * The executor a server runs a connection's application callbacks on; absent when they run on
   * the event loop ({@code directExecutor}). Blocking handlers run their own task on it, so that
   * the server's executor choice (a pool, virtual threads) applies to them too.
   */
  public static final Attributes.Key<Executor> APPLICATION_EXECUTOR =
      Attributes.Key.create("tern-application-executor");

  private InternalAttributes() {}
}
