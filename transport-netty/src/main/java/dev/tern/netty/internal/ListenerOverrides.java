package dev.tern.netty.internal;

import dev.tern.ServerCall;

/**
 * Which {@link ServerCall.Listener} callbacks a listener class overrides, so that the call can
 * skip a hand-off to the executor for a callback that would do nothing (the stubs' unary
 * listener has no {@code onComplete}). Computed once per class. Thread-safe.
 */
final class ListenerOverrides {
  private static final ClassValue<Boolean> ON_COMPLETE = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      try {
        return type.getMethod("onComplete").getDeclaringClass() != ServerCall.Listener.class;
      } catch (NoSuchMethodException e) {
        return true; // cannot happen for a Listener; assume it does something
      }
    }
  };

  private ListenerOverrides() {}

  /** Whether {@code listener}'s {@code onComplete} may do something (it is overridden). */
  static boolean onComplete(ServerCall.Listener<?> listener) {
    return ON_COMPLETE.get(listener.getClass());
  }
}
