package dev.tern.internal;

import dev.tern.CallOptions;
import dev.tern.ClientInterceptor;
import java.util.ArrayList;
import java.util.List;

/**
 * Lets an observing client interceptor (metrics, tracing) see each attempt of a call, not only
 * the call. The observer puts a hook into the call's {@link CallOptions}; a retrying layer
 * further in {@linkplain #claimAll claims} the hooks and runs every attempt through their
 * interceptors. If no layer claims a hook, the call is its only attempt and the observer records
 * it itself. Thread-safe.
 */
public final class AttemptHook {
  /** The hooks of a call, outermost observer first. */
  public static final CallOptions.Key<List<AttemptHook>> KEY =
      CallOptions.Key.createWithDefault("tern.attempt-hooks", List.of());

  private final ClientInterceptor perAttempt;
  private volatile boolean claimed;

  public AttemptHook(ClientInterceptor perAttempt) {
    this.perAttempt = perAttempt;
  }

  /** {@code options} with {@code hook} added after (inside) the hooks already there. */
  public static CallOptions add(CallOptions options, AttemptHook hook) {
    List<AttemptHook> hooks = new ArrayList<>(options.getOption(KEY));
    hooks.add(hook);
    return options.withOption(KEY, List.copyOf(hooks));
  }

  /** Claims every hook of {@code options}; returns their per-attempt interceptors in order. */
  public static List<ClientInterceptor> claimAll(CallOptions options) {
    List<AttemptHook> hooks = options.getOption(KEY);
    List<ClientInterceptor> out = new ArrayList<>(hooks.size());
    for (AttemptHook hook : hooks) {
      hook.claimed = true;
      out.add(hook.perAttempt);
    }
    return out;
  }

  /** Whether a retrying layer took over recording attempts. */
  public boolean isClaimed() {
    return claimed;
  }

  public ClientInterceptor perAttempt() {
    return perAttempt;
  }
}
