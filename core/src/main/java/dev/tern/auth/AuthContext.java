package dev.tern.auth;

import dev.tern.Context;

/**
 * Where authentication leaves its result: the {@link Principal} of the current call, in its
 * {@link Context}. A handler (or an interceptor further in) reads it with
 * {@code AuthContext.PRINCIPAL.get()}. Stateless and thread-safe.
 */
public final class AuthContext {
  /** The authenticated caller of the current call; null if no authentication ran or passed. */
  public static final Context.Key<Principal> PRINCIPAL = Context.key("tern.auth.principal");

  private AuthContext() {}

  /** The principal of the current context, or null. */
  public static Principal principal() {
    return PRINCIPAL.get();
  }
}
