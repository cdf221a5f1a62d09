package dev.tern.internal;

import java.util.Objects;

/**
 * Codec for the {@code grpc-timeout} request header (grpc PROTOCOL-HTTP2.md, "Requests"):
 *
 * <pre>
 * Timeout      → "grpc-timeout" TimeoutValue TimeoutUnit
 * TimeoutValue → {positive integer as ASCII string of at most 8 digits}
 * TimeoutUnit  → Hour / Minute / Second / Millisecond / Microsecond / Nanosecond
 *                 "H"    "M"      "S"      "m"           "u"           "n"
 * </pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class GrpcTimeout {
  /** Largest TimeoutValue: the spec allows at most 8 digits. */
  static final long MAX_VALUE = 99_999_999L;

  private static final int MAX_DIGITS = 8;

  // Units from finest to coarsest, as encode() tries them.
  private static final char[] UNITS = {'n', 'u', 'm', 'S', 'M', 'H'};

  private GrpcTimeout() {}

  /**
   * Encodes a timeout of {@code nanos}: the finest unit whose value fits in 8 digits, rounded
   * down, so the server never believes it has more time than the client will wait. Every
   * {@code long} fits (Long.MAX_VALUE ns is about 2.6 million hours).
   *
   * <p>The grammar allows only positive values, so a timeout of zero or less encodes as
   * {@code "1n"}: already over by the time the server reads it. Callers are expected to fail a call
   * whose deadline has passed without sending it at all; this is only the floor for the race where
   * it passes in between.
   */
  public static String encode(long nanos) {
    if (nanos <= 0) {
      return "1n";
    }
    int unit = 0;
    long value = nanos; // 'n'
    while (value > MAX_VALUE) {
      // Terminates by 'H': Long.MAX_VALUE ns is under 2.6 million hours. Division of a positive
      // value rounds down, which is the direction the deadline must be rounded.
      value = nanos / unitNanos(UNITS[++unit]);
    }
    char[] chars = new char[MAX_DIGITS + 1];
    int pos = chars.length;
    chars[--pos] = UNITS[unit];
    do {
      chars[--pos] = (char) ('0' + value % 10);
      value /= 10;
    } while (value != 0);
    return new String(chars, pos, chars.length - pos);
  }

  /**
   * Decodes a {@code grpc-timeout} value to nanoseconds, saturating at {@link Long#MAX_VALUE}
   * (99999999H is more than a long holds). A zero value is accepted, though the grammar asks for a
   * positive one, and means the deadline has already passed. Surrounding whitespace is not
   * accepted; HTTP/2 header values arrive without it.
   *
   * @throws IllegalArgumentException if {@code value} is empty, has no unit or an unknown one, or
   *     has no digits, more than 8 digits, a sign or any other non-digit character
   */
  public static long decodeNanos(CharSequence value) {
    Objects.requireNonNull(value, "value");
    int len = value.length();
    if (len == 0) {
      throw invalid(value, "empty value");
    }
    char unitChar = value.charAt(len - 1);
    long unitNanos = unitNanos(unitChar);
    if (unitNanos == 0) {
      throw invalid(value, isDigit(unitChar)
          ? "missing unit (one of H M S m u n)"
          : "unknown unit '" + unitChar + "' (expected one of H M S m u n)");
    }
    int digits = len - 1;
    if (digits == 0) {
      throw invalid(value, "missing value before the unit");
    }
    if (digits > MAX_DIGITS) {
      throw invalid(value, "more than " + MAX_DIGITS + " digits");
    }
    long n = 0;
    for (int i = 0; i < digits; i++) {
      char c = value.charAt(i);
      if (!isDigit(c)) {
        throw invalid(value, "non-digit character '" + c + "' at index " + i);
      }
      n = n * 10 + (c - '0');
    }
    return n > Long.MAX_VALUE / unitNanos ? Long.MAX_VALUE : n * unitNanos;
  }

  private static long unitNanos(char unit) {
    switch (unit) {
      case 'n':
        return 1L;
      case 'u':
        return 1_000L;
      case 'm':
        return 1_000_000L;
      case 'S':
        return 1_000_000_000L;
      case 'M':
        return 60_000_000_000L;
      case 'H':
        return 3_600_000_000_000L;
      default:
        return 0;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static IllegalArgumentException invalid(CharSequence value, String problem) {
    return new IllegalArgumentException("invalid grpc-timeout \"" + value + "\": " + problem);
  }
}
