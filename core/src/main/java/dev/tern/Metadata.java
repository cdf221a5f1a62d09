package dev.tern;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Headers or trailers of a call: an ordered multimap from lower-case keys to values.
 *
 * <p>Keys ending in {@code -bin} carry binary values (base64 on the wire); all others carry
 * printable ASCII. Keys are validated as PROTOCOL-HTTP2.md asks ({@code 0-9 a-z _ - .}), and
 * headers that the protocol itself owns ({@code content-type}, {@code te}, {@code grpc-status},
 * {@code grpc-timeout}, …) cannot be added by applications.
 *
 * <p>Not thread-safe: a Metadata belongs to one call and is handed over, not shared.
 */
public final class Metadata {
  /** Suffix that marks a binary header. */
  public static final String BINARY_HEADER_SUFFIX = "-bin";

  /** Headers that gRPC itself writes; applications may not set them (PROTOCOL-HTTP2.md). */
  private static final Set<String> RESERVED = Set.of(
      "content-type", "te", "grpc-status", "grpc-message", "grpc-timeout", "grpc-encoding",
      "grpc-accept-encoding", "grpc-message-type", "connection", "host");

  /**
   * Room for the first entries: most requests carry one to three (a server's received metadata
   * is often just user-agent), so two arrays of four, doubling when needed.
   */
  private static final int INITIAL_CAPACITY = 4;

  // Flat parallel storage: names[i] / values[i]; values are String (ASCII keys) or byte[] (-bin).
  private String[] names;
  private Object[] values;
  private int size;

  public Metadata() {}

  /** The number of entries (a key with two values counts twice). */
  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** Whether at least one value is present for the key. */
  public boolean containsKey(Key<?> key) {
    return indexOf(key.name(), 0) >= 0;
  }

  /** The last value added for {@code key}, or null. */
  public <T> T get(Key<T> key) {
    for (int i = size - 1; i >= 0; i--) {
      if (names[i].equals(key.name())) {
        return key.parse(values[i]);
      }
    }
    return null;
  }

  /** All values for {@code key} in insertion order; empty if none. */
  public <T> List<T> getAll(Key<T> key) {
    List<T> out = null;
    for (int i = 0; i < size; i++) {
      if (names[i].equals(key.name())) {
        if (out == null) {
          out = new ArrayList<>(2);
        }
        out.add(key.parse(values[i]));
      }
    }
    return out == null ? Collections.emptyList() : out;
  }

  /** Adds a value for {@code key}, keeping any earlier ones. */
  public <T> void put(Key<T> key, T value) {
    Objects.requireNonNull(value, "value");
    if (RESERVED.contains(key.name()) && !key.internal) {
      throw new IllegalArgumentException("reserved header: " + key.name());
    }
    append(key.name(), key.serialize(value));
  }

  /** Removes every value for {@code key}; returns whether any was removed. */
  public boolean removeAll(Key<?> key) {
    if (size == 0) {
      return false; // also: no arrays yet
    }
    int w = 0;
    for (int r = 0; r < size; r++) {
      if (!names[r].equals(key.name())) {
        names[w] = names[r];
        values[w] = values[r];
        w++;
      }
    }
    boolean removed = w != size;
    Arrays.fill(names, w, size, null);
    Arrays.fill(values, w, size, null);
    size = w;
    return removed;
  }

  /** Removes the first occurrence of {@code value} for {@code key}. */
  public <T> boolean remove(Key<T> key, T value) {
    for (int i = 0; i < size; i++) {
      if (names[i].equals(key.name()) && Objects.equals(key.parse(values[i]), value)) {
        System.arraycopy(names, i + 1, names, i, size - i - 1);
        System.arraycopy(values, i + 1, values, i, size - i - 1);
        size--;
        names[size] = null;
        values[size] = null;
        return true;
      }
    }
    return false;
  }

  /** The distinct key names, in first-seen order. */
  public Set<String> keys() {
    Set<String> keys = new LinkedHashSet<>();
    for (int i = 0; i < size; i++) {
      keys.add(names[i]);
    }
    return Collections.unmodifiableSet(keys);
  }

  /** Appends every entry of {@code other} to this. */
  public void merge(Metadata other) {
    for (int i = 0; i < other.size; i++) {
      append(other.names[i], other.values[i]);
    }
  }

  /** The name of entry {@code i} (for transports). */
  public String nameAt(int i) {
    Objects.checkIndex(i, size);
    return names[i];
  }

  /**
   * The raw value of entry {@code i}: a {@code String} for ASCII keys, a {@code byte[]} for
   * {@code -bin} keys (for transports; do not modify the array).
   */
  public Object rawValueAt(int i) {
    Objects.checkIndex(i, size);
    return values[i];
  }

  /**
   * Adds an already validated entry received from the wire. For transports: {@code name} must be
   * a valid lower-case key, {@code value} a String (ASCII) or byte[] ({@code -bin}).
   */
  public void putRaw(String name, Object value) {
    append(name, value);
  }

  private void append(String name, Object value) {
    if (names == null) {
      names = new String[INITIAL_CAPACITY];
      values = new Object[INITIAL_CAPACITY];
    } else if (size == names.length) {
      names = Arrays.copyOf(names, size * 2);
      values = Arrays.copyOf(values, size * 2);
    }
    names[size] = name;
    values[size] = value;
    size++;
  }

  private int indexOf(String name, int from) {
    for (int i = from; i < size; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Whether applications are barred from setting this header. */
  public static boolean isReserved(String name) {
    return RESERVED.contains(name) || (!name.isEmpty() && name.charAt(0) == ':');
  }

  /**
   * Whether {@code name} is a legal header key: non-empty, only {@code 0-9 a-z _ - .}
   * (PROTOCOL-HTTP2.md "Custom-Metadata").
   */
  public static boolean isValidKey(CharSequence name) {
    if (name.length() == 0) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
          || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code value} is a legal ASCII header value: printable ASCII, space to tilde. */
  public static boolean isValidAsciiValue(CharSequence value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Metadata(");
    for (int i = 0; i < size; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(names[i]).append('=');
      if (values[i] instanceof byte[]) {
        sb.append(java.util.Base64.getEncoder().encodeToString((byte[]) values[i]));
      } else {
        sb.append(values[i]);
      }
    }
    return sb.append(')').toString();
  }

  /** Converts a typed value to and from an ASCII header value. Implementations are stateless. */
  public interface AsciiMarshaller<T> {
    String toAsciiString(T value);

    T parseAsciiString(String serialized);
  }

  /** Converts a typed value to and from a binary ({@code -bin}) header value. Stateless. */
  public interface BinaryMarshaller<T> {
    byte[] toBytes(T value);

    T parseBytes(byte[] serialized);
  }

  /** A typed, validated header key. Immutable. */
  public static final class Key<T> {
    private static final AsciiMarshaller<String> STRING = new AsciiMarshaller<>() {
      @Override
      public String toAsciiString(String value) {
        return value;
      }

      @Override
      public String parseAsciiString(String serialized) {
        return serialized;
      }
    };

    private static final BinaryMarshaller<byte[]> BYTES = new BinaryMarshaller<>() {
      @Override
      public byte[] toBytes(byte[] value) {
        return value;
      }

      @Override
      public byte[] parseBytes(byte[] serialized) {
        return serialized;
      }
    };

    private final String name;
    private final AsciiMarshaller<T> ascii;
    private final BinaryMarshaller<T> binary;
    private final boolean internal;

    private Key(String name, AsciiMarshaller<T> ascii, BinaryMarshaller<T> binary,
        boolean internal) {
      this.name = name;
      this.ascii = ascii;
      this.binary = binary;
      this.internal = internal;
    }

    /** An ASCII string key; {@code name} is lower-cased and must not end in {@code -bin}. */
    public static Key<String> ascii(String name) {
      return of(name, STRING);
    }

    /** A binary key; {@code name} is lower-cased and must end in {@code -bin}. */
    public static Key<byte[]> binary(String name) {
      return of(name, BYTES);
    }

    /** A typed ASCII key. */
    public static <T> Key<T> of(String name, AsciiMarshaller<T> marshaller) {
      String n = validate(name);
      if (isReserved(n)) {
        throw new IllegalArgumentException("reserved metadata key: " + name);
      }
      if (n.endsWith(BINARY_HEADER_SUFFIX)) {
        throw new IllegalArgumentException("ASCII key must not end in -bin: " + name);
      }
      return new Key<>(n, Objects.requireNonNull(marshaller), null, false);
    }

    /** A typed binary key. */
    public static <T> Key<T> of(String name, BinaryMarshaller<T> marshaller) {
      String n = validate(name);
      if (!n.endsWith(BINARY_HEADER_SUFFIX)) {
        throw new IllegalArgumentException("binary key must end in -bin: " + name);
      }
      return new Key<>(n, null, Objects.requireNonNull(marshaller), false);
    }

    /**
     * A key that may name a header gRPC reserves (for gRPC's own modules, such as
     * {@code grpc-status-details-bin} handling); applications use {@link #of}.
     */
    public static <T> Key<T> internalAscii(String name, AsciiMarshaller<T> marshaller) {
      return new Key<>(validate(name), marshaller, null, true);
    }

    private static String validate(String name) {
      String n = name.toLowerCase(java.util.Locale.ROOT);
      if (!isValidKey(n)) {
        throw new IllegalArgumentException("invalid metadata key: '" + name + "'");
      }
      return n;
    }

    public String name() {
      return name;
    }

    public boolean isBinary() {
      return binary != null;
    }

    Object serialize(T value) {
      if (binary != null) {
        return binary.toBytes(value);
      }
      String s = ascii.toAsciiString(value);
      if (!isValidAsciiValue(s)) {
        throw new IllegalArgumentException("invalid ASCII value for " + name + ": " + s);
      }
      return s;
    }

    T parse(Object raw) {
      if (binary != null) {
        return binary.parseBytes(raw instanceof byte[]
            ? (byte[]) raw
            : ((String) raw).getBytes(StandardCharsets.US_ASCII));
      }
      return ascii.parseAsciiString(raw instanceof String
          ? (String) raw
          : new String((byte[]) raw, StandardCharsets.ISO_8859_1));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key && ((Key<?>) o).name.equals(name);
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }

    @Override
    public String toString() {
      return "Key{" + name + "}";
    }
  }
}
