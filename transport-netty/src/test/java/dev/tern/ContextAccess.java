package dev.tern;

/**
 * Test access to {@link Context} internals from the transport's tests (same package on the class
 * path). Stateless.
 */
public final class ContextAccess {
  private ContextAccess() {}

  /** How many cancellation listeners still wait on {@code context}. */
  public static int listenerCount(Context.CancellableContext context) {
    return context.listenerCount();
  }
}
