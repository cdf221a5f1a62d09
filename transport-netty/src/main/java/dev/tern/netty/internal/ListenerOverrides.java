package dev.tern.netty.internal;

import dev.tern.ClientCall;
import dev.tern.ServerCall;

/**
 * Which listener callbacks a listener class overrides, so that a call can skip a task (and, on a
 * pool, a hand-off to the executor) for a callback that would do nothing: the stubs' unary
 * listeners keep {@code ServerCall.Listener.onComplete} and {@code ClientCall.Listener.onReady}
 * as the base classes' no-ops. Computed once per class. Thread-safe.
 */
final class ListenerOverrides {
  private static final ClassValue<Boolean> SERVER_ON_COMPLETE =
      overriding(ServerCall.Listener.class, "onComplete");
  private static final ClassValue<Boolean> CLIENT_ON_READY =
      overriding(ClientCall.Listener.class, "onReady");

  private ListenerOverrides() {}

  /** Whether {@code listener}'s {@code onComplete} may do something (it is overridden). */
  static boolean onComplete(ServerCall.Listener<?> listener) {
    return SERVER_ON_COMPLETE.get(listener.getClass());
  }

  /** Whether {@code listener}'s {@code onReady} may do something (it is overridden). */
  static boolean onReady(ClientCall.Listener<?> listener) {
    return CLIENT_ON_READY.get(listener.getClass());
  }

  private static ClassValue<Boolean> overriding(Class<?> base, String method) {
    return new ClassValue<>() {
      @Override
      protected Boolean computeValue(Class<?> type) {
        try {
          return type.getMethod(method).getDeclaringClass() != base;
        } catch (NoSuchMethodException e) {
          return Boolean.TRUE; // cannot happen for a listener; assume it does something
        }
      }
    };
  }
}
