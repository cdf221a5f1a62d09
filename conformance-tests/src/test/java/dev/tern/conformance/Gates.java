package dev.tern.conformance;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Lets a test hold a server handler mid-call without blocking a thread: the handler reports its
 * {@link #arrived arrival} and answers once the test {@link #release releases} the same key.
 * Thread-safe.
 */
final class Gates {
  private final ConcurrentMap<String, CompletableFuture<Void>> arrived = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, CompletableFuture<Void>> released = new ConcurrentHashMap<>();

  /** Completes when a handler reached the gate {@code key}. */
  CompletableFuture<Void> arrived(String key) {
    return arrived.computeIfAbsent(key, k -> new CompletableFuture<>());
  }

  /** Completes when the test opened the gate {@code key}. */
  CompletableFuture<Void> released(String key) {
    return released.computeIfAbsent(key, k -> new CompletableFuture<>());
  }

  void release(String key) {
    released(key).complete(null);
  }
}
