package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonParserTest {

  @Test
  void parsesEveryKindOfValue() {
    Object v = JsonParser.parse(
        " {\"a\": [1, -2.5e3, 0, 0.125, 1E-2], \"b\": true, \"c\": false, \"d\": null,"
            + " \"e\": {}, \"f\": [], \"g\": \"x\"}\r\n\t");
    Map<?, ?> m = (Map<?, ?>) v;
    assertEquals(List.of(1.0, -2500.0, 0.0, 0.125, 0.01), m.get("a"));
    assertEquals(Boolean.TRUE, m.get("b"));
    assertEquals(Boolean.FALSE, m.get("c"));
    assertTrue(m.containsKey("d"));
    assertNull(m.get("d"));
    assertEquals(Map.of(), m.get("e"));
    assertEquals(List.of(), m.get("f"));
    assertEquals("x", m.get("g"));
    // Insertion order is kept, so errors and iteration follow the text.
    assertEquals(List.of("a", "b", "c", "d", "e", "f", "g"), List.copyOf(m.keySet()));
  }

  @Test
  void anyValueMayBeTheTopLevel() {
    assertEquals("s", JsonParser.parse("\"s\""));
    assertEquals(-0.0, JsonParser.parse("-0"));
    assertNull(JsonParser.parse("null"));
    assertEquals(Boolean.TRUE, JsonParser.parse(" true "));
  }

  @Test
  void resultIsUnmodifiable() {
    Map<String, Object> m = JsonParser.parseObject("{\"a\":[1]}");
    assertThrows(UnsupportedOperationException.class, () -> m.put("b", 1));
    assertThrows(UnsupportedOperationException.class, () -> ((List<?>) m.get("a")).clear());
  }

  @Test
  void parseObjectRejectsOtherTopLevelValues() {
    assertThrows(JsonParseException.class, () -> JsonParser.parseObject("[]"));
  }

  @Test
  void decodesEscapes() {
    assertEquals("\"\\/\b\f\n\r\t\u00e9\u20ac\uD83D\uDE00",
        JsonParser.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\uDE00\""));
    // Characters outside the BMP may also come as themselves.
    assertEquals("a\uD83D\uDE00b", JsonParser.parse("\"a\uD83D\uDE00b\""));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", " ", "{", "[", "[1", "{\"a\"", "{\"a\":", "{\"a\":1", "\"abc",
      "[1,]", "{\"a\":1,}", "[,1]", "{,}", "[1 2]", "{\"a\" 1}", "{a:1}", "{'a':1}",
      "// c\n1", "/* c */ 1", "[1] // c", "1 2", "{} x", "\uFEFF{}",
      "01", "-01", "00", "+1", ".5", "1.", "-", "1e", "1e+", "-.5", "0x10", "1.5e999",
      "NaN", "Infinity", "-Infinity", "tru", "nul", "True", "NULL",
      "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\U0041\"", "\"\\'\"", "\"\\\"",
      "\"a\tb\"", "\"a\nb\"", "\"\u0000\"", "\"\u001f\"",
      "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800x\"",
      "\"\uD800\"", "\"\uDC00\"", "\"\uD800a\"",
      "{\"a\":1,\"a\":2}", "{\"a\":1,\"\\u0061\":2}",
      "\u00a0{}", "{}\u000b", "[1,\f2]"
  })
  void rejects(String text) {
    JsonParseException e = assertThrows(JsonParseException.class, () -> JsonParser.parse(text));
    assertTrue(e.getMessage().contains(" at offset "), e.getMessage());
    assertTrue(e.offset() >= 0 && e.offset() <= text.length(), e.getMessage());
  }

  @Test
  void errorsNamePositionAndReason() {
    JsonParseException e = assertThrows(JsonParseException.class,
        () -> JsonParser.parse("{\n  \"a\": [1, 2,]\n}"));
    assertEquals("trailing comma in array at offset 15 (line 2, column 14)", e.getMessage());
    assertEquals(15, e.offset());

    e = assertThrows(JsonParseException.class,
        () -> JsonParser.parse("{\"name\": 1, \"name\": 2}"));
    assertTrue(e.getMessage().startsWith("duplicate name \"name\" at offset 12"), e.getMessage());

    e = assertThrows(JsonParseException.class, () -> JsonParser.parse("[007]"));
    assertTrue(e.getMessage().startsWith("leading zero in number at offset 1"), e.getMessage());

    e = assertThrows(JsonParseException.class, () -> JsonParser.parse("\"\\q\""));
    assertTrue(e.getMessage().startsWith("bad escape \\q at offset 1"), e.getMessage());
  }

  @Test
  void nestingIsBounded() {
    String ok = "[".repeat(JsonParser.MAX_DEPTH) + "]".repeat(JsonParser.MAX_DEPTH);
    JsonParser.parse(ok);
    String deep = "[".repeat(JsonParser.MAX_DEPTH + 1) + "]".repeat(JsonParser.MAX_DEPTH + 1);
    JsonParseException e = assertThrows(JsonParseException.class, () -> JsonParser.parse(deep));
    assertTrue(e.getMessage().startsWith("nesting deeper than 100"), e.getMessage());
    String deepObjects = "{\"a\":".repeat(JsonParser.MAX_DEPTH + 1) + "1"
        + "}".repeat(JsonParser.MAX_DEPTH + 1);
    assertThrows(JsonParseException.class, () -> JsonParser.parse(deepObjects));
    // A million open brackets fail on depth, not with a StackOverflowError.
    assertThrows(JsonParseException.class, () -> JsonParser.parse("[".repeat(1_000_000)));
  }

  @Test
  void lengthIsBounded() {
    char[] spaces = new char[JsonParser.MAX_LENGTH];
    Arrays.fill(spaces, ' ');
    String atLimit = "1" + new String(spaces, 0, JsonParser.MAX_LENGTH - 1);
    assertEquals(1.0, JsonParser.parse(atLimit));
    String over = atLimit + " ";
    JsonParseException e = assertThrows(JsonParseException.class, () -> JsonParser.parse(over));
    assertTrue(e.getMessage().startsWith("text longer than"), e.getMessage());
  }

  @Test
  void numbersFollowTheGrammar() {
    assertEquals(1e308, JsonParser.parse("1e308"));
    assertEquals(0.0, JsonParser.parse("1e-400")); // underflow rounds to zero, not an error
    assertEquals(12345678901234567890.0, JsonParser.parse("12345678901234567890"));
    assertEquals(-1.5, JsonParser.parse("-15E-1"));
    assertEquals(100.0, JsonParser.parse("1e+2"));
  }
}
