package dev.tern.internal;

/**
 * Thrown by {@link JsonParser} for input that is not one strict RFC 8259 JSON text, or that goes
 * past the parser's limits. The message names the offset (and line and column) of the problem.
 * Package-private: callers outside catch IllegalArgumentException, and no internal class hands
 * out a JDK class's API by inheritance (InternalApiSurfaceTest). Immutable.
 */
final class JsonParseException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final int offset;

  JsonParseException(String message, int offset, int line, int column) {
    super(message + " at offset " + offset + " (line " + line + ", column " + column + ")");
    this.offset = offset;
  }

  /** The zero-based offset, in UTF-16 chars, where the problem was found. */
  int offset() {
    return offset;
  }
}
