package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class StatusMessageCodecTest {
  @Test
  void plainAsciiIsUnchanged() {
    String s = "all fine here";
    assertSame(s, StatusMessageCodec.encode(s));
    assertEquals(s, StatusMessageCodec.decode(s));
  }

  @Test
  void percentNonAsciiAndControlsAreEscaped() {
    assertEquals("100%25 %C3%A9%0A", StatusMessageCodec.encode("100% \u00e9\n"));
  }

  @Test
  void roundTripsAnyUnicode() {
    String s = "\u2713 \u00fcn\u00efc\u00f6d\u00e9 50% \t\r\n\u0000 \uD83D\uDE00";
    assertEquals(s, StatusMessageCodec.decode(StatusMessageCodec.encode(s)));
  }

  @Test
  void malformedEscapesAreKeptLiterally() {
    assertEquals("bad %zz and %4", StatusMessageCodec.decode("bad %zz and %4"));
    assertEquals("end %", StatusMessageCodec.decode("end %"));
  }
}
