package dev.tern.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Call metadata in a form neither implementation owns, so one test can send it through Tern or
 * grpc-java and compare what came out: an ordered list of (key, value) entries, where a value is a
 * String for ASCII keys and a byte[] for {@code -bin} keys. Immutable.
 */
final class MetadataList {
  static final MetadataList EMPTY = new MetadataList(List.of());

  private final List<Entry> entries;

  private MetadataList(List<Entry> entries) {
    this.entries = Collections.unmodifiableList(entries);
  }

  static Builder builder() {
    return new Builder();
  }

  /** The values of an ASCII key, in order. */
  List<String> ascii(String key) {
    List<String> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.key.equals(key)) {
        out.add((String) e.value);
      }
    }
    return out;
  }

  /** The values of a binary key, in order. */
  List<byte[]> binary(String key) {
    List<byte[]> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.key.equals(key)) {
        out.add((byte[]) e.value);
      }
    }
    return out;
  }

  /** The entries whose key starts with {@code prefix}, in order. */
  MetadataList withPrefix(String prefix) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.key.startsWith(prefix)) {
        out.add(e);
      }
    }
    return new MetadataList(out);
  }

  // ---------------------------------------------------------------- Tern

  dev.tern.Metadata toTern() {
    dev.tern.Metadata md = new dev.tern.Metadata();
    for (Entry e : entries) {
      if (e.value instanceof byte[]) {
        md.put(dev.tern.Metadata.Key.binary(e.key), (byte[]) e.value);
      } else {
        md.put(dev.tern.Metadata.Key.ascii(e.key), (String) e.value);
      }
    }
    return md;
  }

  static MetadataList fromTern(dev.tern.Metadata md) {
    if (md == null) {
      return null;
    }
    Builder b = builder();
    for (int i = 0; i < md.size(); i++) {
      Object v = md.rawValueAt(i);
      b.add(md.nameAt(i), v instanceof byte[] ? ((byte[]) v).clone() : v);
    }
    return b.build();
  }

  // ---------------------------------------------------------------- grpc-java

  io.grpc.Metadata toGrpc() {
    io.grpc.Metadata md = new io.grpc.Metadata();
    for (Entry e : entries) {
      if (e.value instanceof byte[]) {
        md.put(io.grpc.Metadata.Key.of(e.key, io.grpc.Metadata.BINARY_BYTE_MARSHALLER),
            (byte[]) e.value);
      } else {
        md.put(io.grpc.Metadata.Key.of(e.key, io.grpc.Metadata.ASCII_STRING_MARSHALLER),
            (String) e.value);
      }
    }
    return md;
  }

  /** Note: grpc-java groups values by key, so order is kept per key only. */
  static MetadataList fromGrpc(io.grpc.Metadata md) {
    if (md == null) {
      return null;
    }
    Builder b = builder();
    for (String key : md.keys()) {
      if (key.endsWith(io.grpc.Metadata.BINARY_HEADER_SUFFIX)) {
        for (byte[] v : md.getAll(
            io.grpc.Metadata.Key.of(key, io.grpc.Metadata.BINARY_BYTE_MARSHALLER))) {
          b.add(key, v);
        }
      } else {
        for (String v : md.getAll(
            io.grpc.Metadata.Key.of(key, io.grpc.Metadata.ASCII_STRING_MARSHALLER))) {
          b.add(key, v);
        }
      }
    }
    return b.build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MetadataList && ((MetadataList) o).entries.equals(entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return entries.toString();
  }

  private static final class Entry {
    final String key;
    final Object value;

    Entry(String key, Object value) {
      this.key = Objects.requireNonNull(key);
      this.value = Objects.requireNonNull(value);
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Entry)) {
        return false;
      }
      Entry e = (Entry) o;
      if (!e.key.equals(key)) {
        return false;
      }
      if (value instanceof byte[] && e.value instanceof byte[]) {
        return Arrays.equals((byte[]) value, (byte[]) e.value);
      }
      return value.equals(e.value);
    }

    @Override
    public int hashCode() {
      return key.hashCode();
    }

    @Override
    public String toString() {
      return key + "=" + (value instanceof byte[]
          ? "bin:" + Base64.getEncoder().encodeToString((byte[]) value)
          : value);
    }
  }

  /** Builds a {@link MetadataList}. Not thread-safe. */
  static final class Builder {
    private final List<Entry> entries = new ArrayList<>();

    Builder ascii(String key, String... values) {
      for (String v : values) {
        add(key, v);
      }
      return this;
    }

    Builder binary(String key, byte[]... values) {
      for (byte[] v : values) {
        add(key, v);
      }
      return this;
    }

    private Builder add(String key, Object value) {
      entries.add(new Entry(key, value));
      return this;
    }

    MetadataList build() {
      return new MetadataList(new ArrayList<>(entries));
    }
  }
}
