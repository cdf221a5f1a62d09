package dev.tern.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A small strict RFC 8259 JSON reader, for service configs (gRFC A2) without a JSON library.
 *
 * <p>A text parses to {@code Map<String, Object>} (insertion-ordered, unmodifiable),
 * {@code List<Object>} (unmodifiable), {@link String}, {@link Double}, {@link Boolean} or
 * {@code null}. Any value may be the top-level value (§2). It rejects, as §2-§8 require or allow:
 * <ul>
 *   <li>anything after the value but whitespace (only space, tab, LF, CR; §2), a byte order mark
 *       (§8.1 lets a parser ignore it; a service config has no reason to carry one);
 *   <li>trailing commas, comments, single quotes, unquoted keys, {@code NaN}/{@code Infinity};
 *   <li>numbers with leading zeros, a bare {@code .}, a {@code +} sign, or that overflow a double
 *       (§6 allows an implementation to limit the range);
 *   <li>in strings, unescaped control characters (U+0000-U+001F), escapes other than the eight
 *       of §7 and {@code \}{@code uXXXX}, and unpaired surrogates, escaped or not (§8.2 leaves
 *       them undefined; we refuse them so every accepted string is valid Unicode);
 *   <li>duplicate names in one object (§4 says names SHOULD be unique; a config with two values
 *       for one field is ambiguous, so it is an error);
 *   <li>nesting deeper than {@link #MAX_DEPTH} and texts longer than {@link #MAX_LENGTH} chars
 *       (§9 allows both limits; they bound stack and memory for untrusted input such as DNS TXT).
 * </ul>
 * Every error is an {@link IllegalArgumentException} (a JsonParseException) whose message gives
 * the position. Stateless entry point; each
 * call uses its own parser state, so it is safe from any thread.
 */
public final class JsonParser {
  /** Deepest nesting of arrays and objects accepted. */
  public static final int MAX_DEPTH = 100;
  /** Longest text accepted, in UTF-16 chars. */
  public static final int MAX_LENGTH = 1 << 20;

  private final String in;
  private int pos;
  private int depth;

  private JsonParser(String in) {
    this.in = in;
  }

  /**
   * Parses one JSON text.
   *
   * @throws IllegalArgumentException if {@code json} is not strict RFC 8259 JSON or exceeds the
   *     limits; the message gives the offset, line and column
   */
  public static Object parse(String json) {
    Objects.requireNonNull(json, "json");
    JsonParser p = new JsonParser(json);
    if (json.length() > MAX_LENGTH) {
      throw p.error("text longer than " + MAX_LENGTH + " chars", MAX_LENGTH);
    }
    p.skipWhitespace();
    Object value = p.value();
    p.skipWhitespace();
    if (p.pos < json.length()) {
      throw p.error("unexpected " + p.describe(p.pos) + " after the value", p.pos);
    }
    return value;
  }

  /** Parses a JSON text whose top-level value must be an object. */
  @SuppressWarnings("unchecked") // value() only produces Map<String, Object> for objects
  public static Map<String, Object> parseObject(String json) {
    Object v = parse(json);
    if (!(v instanceof Map)) {
      throw new JsonParseException("expected an object at the top level", 0, 1, 1);
    }
    return (Map<String, Object>) v;
  }

  private Object value() {
    if (pos >= in.length()) {
      throw error("unexpected end of input, expected a value", pos);
    }
    char c = in.charAt(pos);
    switch (c) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return string();
      case 't':
        literal("true");
        return Boolean.TRUE;
      case 'f':
        literal("false");
        return Boolean.FALSE;
      case 'n':
        literal("null");
        return null;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected " + describe(pos) + ", expected a value", pos);
    }
  }

  private Map<String, Object> object() {
    int start = pos;
    enter(start);
    pos++; // '{'
    Map<String, Object> map = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      depth--;
      return Collections.unmodifiableMap(map);
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("expected a string name, got " + describe(pos), pos);
      }
      int keyPos = pos;
      String key = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      Object v = value();
      if (map.containsKey(key)) {
        throw error("duplicate name \"" + key + "\"", keyPos);
      }
      map.put(key, v);
      skipWhitespace();
      char c = peek();
      if (c == ',') {
        pos++;
        skipWhitespace();
        if (peek() == '}') {
          throw error("trailing comma in object", pos);
        }
      } else if (c == '}') {
        pos++;
        depth--;
        return Collections.unmodifiableMap(map);
      } else {
        throw error("expected ',' or '}' in object, got " + describe(pos), pos);
      }
    }
  }

  private List<Object> array() {
    enter(pos);
    pos++; // '['
    List<Object> list = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      depth--;
      return Collections.unmodifiableList(list);
    }
    while (true) {
      skipWhitespace();
      list.add(value());
      skipWhitespace();
      char c = peek();
      if (c == ',') {
        pos++;
        skipWhitespace();
        if (peek() == ']') {
          throw error("trailing comma in array", pos);
        }
      } else if (c == ']') {
        pos++;
        depth--;
        return Collections.unmodifiableList(list);
      } else {
        throw error("expected ',' or ']' in array, got " + describe(pos), pos);
      }
    }
  }

  private void enter(int at) {
    if (++depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH, at);
    }
  }

  private String string() {
    pos++; // opening quote
    StringBuilder sb = null;
    int runStart = pos;
    while (true) {
      if (pos >= in.length()) {
        throw error("unterminated string", pos);
      }
      char c = in.charAt(pos);
      if (c == '"') {
        String s = sb == null
            ? in.substring(runStart, pos)
            : sb.append(in, runStart, pos).toString();
        pos++;
        return s;
      }
      if (c < 0x20) {
        throw error("unescaped control character U+" + hex4(c) + " in string", pos);
      }
      if (Character.isHighSurrogate(c)) {
        if (pos + 1 < in.length() && Character.isLowSurrogate(in.charAt(pos + 1))) {
          pos += 2;
          continue;
        }
        throw error("unpaired surrogate U+" + hex4(c) + " in string", pos);
      }
      if (Character.isLowSurrogate(c)) {
        throw error("unpaired surrogate U+" + hex4(c) + " in string", pos);
      }
      if (c != '\\') {
        pos++;
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder();
      }
      sb.append(in, runStart, pos);
      escape(sb);
      runStart = pos;
    }
  }

  /** Reads one escape at {@code pos} (the backslash) into {@code sb}. */
  private void escape(StringBuilder sb) {
    int at = pos;
    if (pos + 1 >= in.length()) {
      throw error("unterminated escape", at);
    }
    char e = in.charAt(pos + 1);
    pos += 2;
    switch (e) {
      case '"': sb.append('"'); return;
      case '\\': sb.append('\\'); return;
      case '/': sb.append('/'); return;
      case 'b': sb.append('\b'); return;
      case 'f': sb.append('\f'); return;
      case 'n': sb.append('\n'); return;
      case 'r': sb.append('\r'); return;
      case 't': sb.append('\t'); return;
      case 'u':
        break;
      default:
        throw error("bad escape \\" + printable(e), at);
    }
    char u = hexEscape(at);
    if (Character.isHighSurrogate(u)) {
      int low = pos;
      if (pos + 1 < in.length() && in.charAt(pos) == '\\' && in.charAt(pos + 1) == 'u') {
        pos += 2;
        char l = hexEscape(low);
        if (Character.isLowSurrogate(l)) {
          sb.append(u).append(l);
          return;
        }
      }
      throw error("unpaired surrogate \\u" + hex4(u), at);
    }
    if (Character.isLowSurrogate(u)) {
      throw error("unpaired surrogate \\u" + hex4(u), at);
    }
    sb.append(u);
  }

  /** Reads the four hex digits after {@code \}{@code u} (pos is on the first). */
  private char hexEscape(int escapeAt) {
    if (pos + 4 > in.length()) {
      throw error("truncated \\u escape", escapeAt);
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(in.charAt(pos + i), 16);
      // Character.digit also accepts non-ASCII digits; JSON allows only ASCII hex.
      if (d < 0 || in.charAt(pos + i) > 'f') {
        throw error("bad hex digit in \\u escape", pos + i);
      }
      v = v * 16 + d;
    }
    pos += 4;
    return (char) v;
  }

  /** §6: {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}. */
  private Double number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    char c = peek();
    if (c == '0') {
      pos++;
      if (isDigit(peek())) {
        throw error("leading zero in number", start);
      }
    } else if (isDigit(c)) {
      digits();
    } else {
      throw error("expected a digit in number", pos);
    }
    if (peek() == '.') {
      pos++;
      if (!isDigit(peek())) {
        throw error("expected a digit after '.' in number", pos);
      }
      digits();
    }
    c = peek();
    if (c == 'e' || c == 'E') {
      pos++;
      c = peek();
      if (c == '+' || c == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw error("expected a digit in exponent", pos);
      }
      digits();
    }
    double d = Double.parseDouble(in.substring(start, pos));
    if (Double.isInfinite(d)) {
      throw error("number out of range", start);
    }
    return d;
  }

  private void digits() {
    while (isDigit(peek())) {
      pos++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private void literal(String word) {
    if (!in.startsWith(word, pos)) {
      throw error("unexpected " + describe(pos) + ", expected a value", pos);
    }
    pos += word.length();
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "', got " + describe(pos), pos);
    }
    pos++;
  }

  /** The char at pos, or NUL at the end (never valid where a structural char is expected). */
  private char peek() {
    return pos < in.length() ? in.charAt(pos) : '\0';
  }

  /** §2: insignificant whitespace is only space, tab, line feed and carriage return. */
  private void skipWhitespace() {
    while (pos < in.length()) {
      char c = in.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private String describe(int at) {
    if (at >= in.length()) {
      return "end of input";
    }
    return "'" + printable(in.charAt(at)) + "'";
  }

  private static String printable(char c) {
    return c >= 0x20 && c < 0x7f ? String.valueOf(c) : "U+" + hex4(c);
  }

  private static String hex4(char c) {
    String h = Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT);
    return "0000".substring(h.length()) + h;
  }

  private JsonParseException error(String message, int at) {
    int line = 1;
    int column = 1;
    int end = Math.min(at, in.length());
    for (int i = 0; i < end; i++) {
      if (in.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new JsonParseException(message, at, line, column);
  }
}
