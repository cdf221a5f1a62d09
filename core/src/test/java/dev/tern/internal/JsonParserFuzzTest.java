package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes {@link JsonParser}: any text parses to the documented value types or fails with
 * {@link JsonParseException}, nothing else (no StackOverflowError, NumberFormatException,
 * IndexOutOfBoundsException); and what parses, written back out, parses to the same value.
 * Seeds in JsonParserFuzzTestInputs.
 */
// No @Timeout here: replaying the seeds gets the build's 120 s per invocation; fuzzing
// (JAZZER_FUZZ=1) gets the root pom's fuzzing profile's 30 minutes (branch build-tests).
class JsonParserFuzzTest {
  @FuzzTest
  void parsesOrRejectsCleanly(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    Object value;
    try {
      value = JsonParser.parse(text);
    } catch (JsonParseException rejected) {
      return;
    }
    String written = write(value, new StringBuilder()).toString();
    assertEquals(value, JsonParser.parse(written), written);
  }

  /** A minimal writer, enough to round-trip what the parser produces. */
  private static StringBuilder write(Object v, StringBuilder sb) {
    if (v == null || v instanceof Boolean) {
      return sb.append(v);
    }
    if (v instanceof Double d) {
      return sb.append(d.isNaN() || d.isInfinite() ? "\"bad\"" : d.toString());
    }
    if (v instanceof String s) {
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\' || c < 0x20) {
          sb.append(String.format("\\u%04x", (int) c));
        } else {
          sb.append(c);
        }
      }
      return sb.append('"');
    }
    if (v instanceof List<?> list) {
      sb.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(list.get(i), sb);
      }
      return sb.append(']');
    }
    Map<?, ?> map = (Map<?, ?>) v;
    sb.append('{');
    boolean first = true;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      write(e.getKey(), sb).append(':');
      write(e.getValue(), sb);
    }
    return sb.append('}');
  }
}
