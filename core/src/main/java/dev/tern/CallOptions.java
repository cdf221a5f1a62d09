package dev.tern;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Per-call settings: deadline, compression, executor, wait-for-ready, message size limits and
 * custom options for interceptors. Immutable: every {@code with…} returns a copy.
 */
public final class CallOptions {
  public static final CallOptions DEFAULT = new CallOptions();

  private Deadline deadline;
  private String compressor;
  private Executor executor;
  private boolean waitForReady;
  private int maxInboundMessageSize = -1;
  private int maxOutboundMessageSize = -1;
  private Object[][] custom = new Object[0][];
  private List<ClientStreamTracer.Factory> streamTracerFactories = List.of();

  private CallOptions() {}

  private CallOptions copy() {
    CallOptions c = new CallOptions();
    c.deadline = deadline;
    c.compressor = compressor;
    c.executor = executor;
    c.waitForReady = waitForReady;
    c.maxInboundMessageSize = maxInboundMessageSize;
    c.maxOutboundMessageSize = maxOutboundMessageSize;
    c.custom = custom;
    c.streamTracerFactories = streamTracerFactories;
    return c;
  }

  /** The call's deadline, or null for none. */
  public Deadline getDeadline() {
    return deadline;
  }

  public CallOptions withDeadline(Deadline deadline) {
    CallOptions c = copy();
    c.deadline = deadline;
    return c;
  }

  public CallOptions withDeadlineAfter(long duration, TimeUnit unit) {
    return withDeadline(Deadline.after(duration, unit));
  }

  /** The message encoding to send with ({@code "gzip"}, {@code "identity"}), or null. */
  public String getCompressor() {
    return compressor;
  }

  public CallOptions withCompression(String compressorName) {
    CallOptions c = copy();
    c.compressor = compressorName;
    return c;
  }

  /** The executor for this call's listener callbacks, or null for the channel's. */
  public Executor getExecutor() {
    return executor;
  }

  public CallOptions withExecutor(Executor executor) {
    CallOptions c = copy();
    c.executor = executor;
    return c;
  }

  /**
   * Whether the call waits for the channel to become ready instead of failing fast with
   * UNAVAILABLE while the channel is connecting or in transient failure.
   */
  public boolean isWaitForReady() {
    return waitForReady;
  }

  public CallOptions withWaitForReady() {
    CallOptions c = copy();
    c.waitForReady = true;
    return c;
  }

  public CallOptions withoutWaitForReady() {
    CallOptions c = copy();
    c.waitForReady = false;
    return c;
  }

  /** The limit on a received message's (decompressed) size, or -1 for the channel's. */
  public int getMaxInboundMessageSize() {
    return maxInboundMessageSize;
  }

  public CallOptions withMaxInboundMessageSize(int bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative size: " + bytes);
    }
    CallOptions c = copy();
    c.maxInboundMessageSize = bytes;
    return c;
  }

  /** The limit on a sent message's size, or -1 for the channel's. */
  public int getMaxOutboundMessageSize() {
    return maxOutboundMessageSize;
  }

  public CallOptions withMaxOutboundMessageSize(int bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative size: " + bytes);
    }
    CallOptions c = copy();
    c.maxOutboundMessageSize = bytes;
    return c;
  }

  /**
   * The factories of this call's attempt tracers, in the order they were added: the transport
   * creates one tracer from each for every attempt (the first, each retry, each hedge, each
   * transparent retry).
   */
  public List<ClientStreamTracer.Factory> getStreamTracerFactories() {
    return streamTracerFactories;
  }

  /** Adds a factory of attempt tracers after those already present. */
  public CallOptions withStreamTracerFactory(ClientStreamTracer.Factory factory) {
    Objects.requireNonNull(factory, "factory");
    CallOptions c = copy();
    List<ClientStreamTracer.Factory> all = new ArrayList<>(streamTracerFactories.size() + 1);
    all.addAll(streamTracerFactories);
    all.add(factory);
    c.streamTracerFactories = List.copyOf(all);
    return c;
  }

  /** The value of a custom option, or its default. */
  @SuppressWarnings("unchecked")
  public <T> T getOption(Key<T> key) {
    for (Object[] kv : custom) {
      if (kv[0] == key) {
        return (T) kv[1];
      }
    }
    return key.defaultValue;
  }

  public <T> CallOptions withOption(Key<T> key, T value) {
    Objects.requireNonNull(key, "key");
    CallOptions c = copy();
    int i = 0;
    while (i < custom.length && custom[i][0] != key) {
      i++;
    }
    c.custom = Arrays.copyOf(custom, Math.max(custom.length, i + 1));
    c.custom[i] = new Object[] {key, value};
    return c;
  }

  @Override
  public String toString() {
    return "CallOptions{deadline=" + deadline + ", compressor=" + compressor
        + ", waitForReady=" + waitForReady + "}";
  }

  /** A key for a custom option; compared by identity. Immutable. */
  public static final class Key<T> {
    private final String name;
    private final T defaultValue;

    private Key(String name, T defaultValue) {
      this.name = name;
      this.defaultValue = defaultValue;
    }

    public static <T> Key<T> createWithDefault(String name, T defaultValue) {
      return new Key<>(name, defaultValue);
    }

    public T getDefault() {
      return defaultValue;
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
