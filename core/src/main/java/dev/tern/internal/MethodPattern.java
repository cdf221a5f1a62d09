package dev.tern.internal;

import java.util.Objects;

/**
 * A {@code service/method} pattern in which {@code *} matches any run of characters (including
 * none, dots and slashes): {@code *}, {@code pkg.Svc/*}, {@code pkg.Svc/Get*}, {@code *}{@code /Ping}.
 * A leading slash is ignored, so HTTP/2 paths ({@code /pkg.Svc/Get}) and full method names match
 * alike. Immutable and thread-safe.
 */
public final class MethodPattern {
  private final String pattern;
  private final String[] parts;
  private final boolean anchoredStart;
  private final boolean anchoredEnd;

  private MethodPattern(String pattern) {
    this.pattern = pattern;
    this.anchoredStart = !pattern.startsWith("*");
    this.anchoredEnd = !pattern.endsWith("*");
    this.parts = java.util.Arrays.stream(pattern.split("\\*", -1))
        .filter(s -> !s.isEmpty())
        .toArray(String[]::new);
  }

  /** Compiles {@code pattern}; rejects empty patterns and characters no method name has. */
  public static MethodPattern compile(String pattern) {
    Objects.requireNonNull(pattern, "pattern");
    String p = pattern.startsWith("/") ? pattern.substring(1) : pattern;
    if (p.isEmpty()) {
      throw new IllegalArgumentException("empty method pattern");
    }
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c <= ' ' || c > '~') {
        throw new IllegalArgumentException("bad character in method pattern: " + pattern);
      }
    }
    return new MethodPattern(p);
  }

  /** Whether {@code fullMethodName} ({@code pkg.Service/Method}, or a path) matches. */
  public boolean matches(String fullMethodName) {
    String s = fullMethodName.startsWith("/") ? fullMethodName.substring(1) : fullMethodName;
    if (parts.length == 0) {
      return true; // only stars
    }
    int pos = 0;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      boolean first = i == 0;
      boolean last = i == parts.length - 1;
      if (first && anchoredStart) {
        if (!s.startsWith(part)) {
          return false;
        }
        pos = part.length();
        if (last && anchoredEnd) {
          return pos == s.length();
        }
        continue;
      }
      if (last && anchoredEnd) {
        // The last literal must sit at the very end, after everything matched so far.
        return s.length() - part.length() >= pos && s.endsWith(part);
      }
      int at = s.indexOf(part, pos);
      if (at < 0) {
        return false;
      }
      pos = at + part.length();
    }
    return true;
  }

  @Override
  public String toString() {
    return pattern;
  }
}
