package dev.tern.netty.internal;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A received header block as the HPACK decoder ({@link InboundHeadersDecoder}) fills it: names
 * and values side by side in one array, in arrival order. A gRPC request has about eight fields
 * and its handler reads a few of them once, so a linear scan beats Netty's
 * {@link DefaultHttp2Headers} (a hash table of linked entries: an object per field, a bucket array
 * and a head entry per block, and a hash per add). What the call path and Netty's decoder read —
 * pseudo-headers, {@code get}, {@code getAll}, {@code contains}, iteration, the size — is served
 * from the array; any other method (and any change after decoding) first copies the fields into
 * a {@link DefaultHttp2Headers}, which answers from then on, so the semantics stay Netty's.
 *
 * <p>Fields are checked as {@link DefaultHttp2Headers} checks them (RFC 9113 §8.2.1: no upper
 * case in names; §8.3: only the defined pseudo-headers, each at most once and not empty); a bad
 * field fails the stream, as there.
 *
 * <p>Thread rule: not thread-safe; filled and read on the connection's event loop.
 */
final class InboundHeaders extends DelegatingHttp2Headers {
  private final boolean validate;
  /** name0, value0, name1, value1, ...; null once copied into {@link #full}. */
  private CharSequence[] fields;
  /** The number of fields (name-value pairs) in {@link #fields}. */
  private int size;
  /** The copy that answers everything once a method the array does not serve was called. */
  private DefaultHttp2Headers full;

  /** {@code expected}: the number of fields to make room for (grows past it). */
  InboundHeaders(boolean validate, int expected) {
    this.validate = validate;
    this.fields = new CharSequence[2 * Math.max(1, expected)];
  }

  @Override
  Http2Headers delegate() {
    if (full == null) {
      full = new DefaultHttp2Headers(false, Math.max(2, size));
      for (int i = 0; i < size; i++) {
        full.add(fields[2 * i], fields[2 * i + 1]);
      }
      fields = null;
    }
    return full;
  }

  /** The number of fields, for reading them by index; -1 once copied (read the copy instead). */
  int fieldCount() {
    return full == null ? size : -1;
  }

  CharSequence nameAt(int i) {
    return fields[2 * i];
  }

  CharSequence valueAt(int i) {
    return fields[2 * i + 1];
  }

  @Override
  public Http2Headers add(CharSequence name, CharSequence value) {
    if (full != null) {
      full.add(name, value);
      return this;
    }
    if (value == null) {
      throw new NullPointerException("value");
    }
    if (validate) {
      checkField(name, value);
    }
    if (2 * size == fields.length) {
      fields = Arrays.copyOf(fields, 4 * size);
    }
    fields[2 * size] = name;
    fields[2 * size + 1] = value;
    size++;
    return this;
  }

  /** The checks DefaultHttp2Headers' validating name check makes (RFC 9113 §8.2.1, §8.3). */
  private void checkField(CharSequence name, CharSequence value) {
    if (name == null || name.length() == 0) {
      throw new IllegalArgumentException("empty headers are not allowed [" + name + "]");
    }
    if (PseudoHeaderName.hasPseudoHeaderFormat(name)) {
      if (!PseudoHeaderName.isPseudoHeader(name)) {
        throw new IllegalArgumentException(
            "Invalid HTTP/2 pseudo-header '" + name + "' encountered.");
      }
      // §8.3: each pseudo-header at most once, never empty.
      if (indexOf(name) >= 0) {
        throw new IllegalArgumentException(
            "Duplicate HTTP/2 pseudo-header '" + name + "' encountered.");
      }
      if (value.length() == 0) {
        throw new IllegalArgumentException(
            "HTTP/2 pseudo-header '" + name + "' must not be empty.");
      }
      return;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        throw new IllegalArgumentException("invalid header name [" + name + "]");
      }
    }
  }

  /** The index of the first field named {@code name}, or -1. */
  private int indexOf(CharSequence name) {
    for (int i = 0; i < size; i++) {
      if (AsciiString.contentEquals(fields[2 * i], name)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public CharSequence get(CharSequence name) {
    if (full != null) {
      return full.get(name);
    }
    int i = indexOf(name);
    return i < 0 ? null : fields[2 * i + 1];
  }

  @Override
  public boolean contains(CharSequence name) {
    return full != null ? full.contains(name) : indexOf(name) >= 0;
  }

  @Override
  public List<CharSequence> getAll(CharSequence name) {
    if (full != null) {
      return full.getAll(name);
    }
    List<CharSequence> values = null;
    for (int i = 0; i < size; i++) {
      if (AsciiString.contentEquals(fields[2 * i], name)) {
        if (values == null) {
          values = new ArrayList<>(2);
        }
        values.add(fields[2 * i + 1]);
      }
    }
    return values == null ? Collections.emptyList() : values;
  }

  @Override
  public CharSequence method() {
    return get(PseudoHeaderName.METHOD.value());
  }

  @Override
  public CharSequence scheme() {
    return get(PseudoHeaderName.SCHEME.value());
  }

  @Override
  public CharSequence authority() {
    return get(PseudoHeaderName.AUTHORITY.value());
  }

  @Override
  public CharSequence path() {
    return get(PseudoHeaderName.PATH.value());
  }

  @Override
  public CharSequence status() {
    return get(PseudoHeaderName.STATUS.value());
  }

  @Override
  public int size() {
    return full != null ? full.size() : size;
  }

  @Override
  public boolean isEmpty() {
    return full != null ? full.isEmpty() : size == 0;
  }

  @Override
  public Iterator<Map.Entry<CharSequence, CharSequence>> iterator() {
    if (full != null) {
      return full.iterator();
    }
    CharSequence[] snapshot = fields;
    int n = size;
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < n;
      }

      @Override
      public Map.Entry<CharSequence, CharSequence> next() {
        if (next >= n) {
          throw new NoSuchElementException();
        }
        int i = next++;
        return new AbstractMap.SimpleImmutableEntry<>(snapshot[2 * i], snapshot[2 * i + 1]);
      }
    };
  }
}
