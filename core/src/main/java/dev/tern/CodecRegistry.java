package dev.tern;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The message encodings a channel or server can use, by name. The default registry has
 * {@code gzip}; {@code identity} is always supported and never listed. Immutable and
 * thread-safe: {@link #with} returns a new registry.
 */
public final class CodecRegistry {
  /** The encoding that means "not compressed" (PROTOCOL-HTTP2.md). */
  public static final String IDENTITY = "identity";

  private static final CodecRegistry DEFAULT = new CodecRegistry(Map.of()).with(Codec.gzip());
  private static final CodecRegistry EMPTY = new CodecRegistry(Map.of());

  private final Map<String, Codec> codecs;
  private final String acceptEncoding;

  private CodecRegistry(Map<String, Codec> codecs) {
    this.codecs = codecs;
    this.acceptEncoding = codecs.isEmpty() ? null : String.join(",", codecs.keySet());
  }

  /** {@code gzip}. */
  public static CodecRegistry getDefault() {
    return DEFAULT;
  }

  /** Identity only: received compressed messages are refused with UNIMPLEMENTED. */
  public static CodecRegistry empty() {
    return EMPTY;
  }

  /** A registry with {@code codec} added (replacing one of the same name). */
  public CodecRegistry with(Codec codec) {
    String name = Objects.requireNonNull(codec, "codec").encoding();
    if (name == null || name.isEmpty() || IDENTITY.equals(name) || name.indexOf(',') >= 0) {
      throw new IllegalArgumentException("bad encoding name: " + name);
    }
    Map<String, Codec> copy = new LinkedHashMap<>(codecs);
    copy.put(name, codec);
    return new CodecRegistry(copy);
  }

  /** The codec for {@code encoding}, or null if it is unknown (or identity, which needs none). */
  public Codec lookup(String encoding) {
    return encoding == null ? null : codecs.get(encoding);
  }

  /** Whether {@code encoding} can be decoded: identity or a registered codec. */
  public boolean supports(String encoding) {
    return IDENTITY.equals(encoding) || codecs.containsKey(encoding);
  }

  /**
   * The {@code grpc-accept-encoding} value advertising the registered codecs (comma-separated),
   * or null if there are none.
   */
  public String acceptEncoding() {
    return acceptEncoding;
  }

  @Override
  public String toString() {
    return "CodecRegistry" + codecs.keySet();
  }
}
