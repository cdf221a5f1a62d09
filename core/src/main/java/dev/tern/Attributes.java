package dev.tern;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * An immutable map of typed keys, used for properties of a connection (peer address, TLS
 * session) that calls expose. Thread-safe.
 */
public final class Attributes {
  /** The remote peer's {@link java.net.SocketAddress}. */
  public static final Key<java.net.SocketAddress> REMOTE_ADDRESS = Key.create("remote-address");
  /** The local {@link java.net.SocketAddress}. */
  public static final Key<java.net.SocketAddress> LOCAL_ADDRESS = Key.create("local-address");
  /** The {@link javax.net.ssl.SSLSession} of a TLS connection; absent on plaintext. */
  public static final Key<javax.net.ssl.SSLSession> SSL_SESSION = Key.create("ssl-session");

  public static final Attributes EMPTY = new Attributes(new IdentityHashMap<>());

  private final Map<Key<?>, Object> data;

  private Attributes(Map<Key<?>, Object> data) {
    this.data = data;
  }

  /** The value for {@code key}, or null. */
  @SuppressWarnings("unchecked")
  public <T> T get(Key<T> key) {
    return (T) data.get(key);
  }

  public static Builder newBuilder() {
    return new Builder(EMPTY);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  @Override
  public String toString() {
    return data.toString();
  }

  /** An identity-compared key. Immutable. */
  public static final class Key<T> {
    private final String name;

    private Key(String name) {
      this.name = name;
    }

    public static <T> Key<T> create(String name) {
      return new Key<>(name);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Builds {@link Attributes}. Not thread-safe. */
  public static final class Builder {
    private final Map<Key<?>, Object> data;

    private Builder(Attributes base) {
      this.data = new IdentityHashMap<>(base.data);
    }

    public <T> Builder set(Key<T> key, T value) {
      data.put(key, value);
      return this;
    }

    public Attributes build() {
      return new Attributes(new IdentityHashMap<>(data));
    }
  }
}
