package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the {@code grpc-message} percent-encoding (PROTOCOL-HTTP2.md "Status-Message"): decoding
 * never fails, whatever arrives (malformed escapes are kept literally), and encoding produces a
 * legal header value that decodes back to the message. Seeds in StatusMessageCodecFuzzTestInputs.
 */
// No @Timeout here: replaying the seeds gets the build's 120 s per invocation; fuzzing
// (JAZZER_FUZZ=1) gets the root pom's fuzzing profile's 30 minutes.
class StatusMessageCodecFuzzTest {
  @FuzzTest
  void decodeIsLenient(byte[] input) {
    String header = new String(input, StandardCharsets.ISO_8859_1);
    String decoded = StatusMessageCodec.decode(header);
    // Every escape shrinks three characters into one byte: never longer than the input.
    assertTrue(decoded.length() <= header.length(), header);
  }

  @FuzzTest
  void encodeRoundTrips(FuzzedDataProvider data) {
    String message = data.consumeRemainingAsString();
    String encoded = StatusMessageCodec.encode(message);
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      assertTrue(c >= 0x20 && c <= 0x7E, () -> "not a legal header value: " + encoded);
    }
    // UTF-8 cannot carry unpaired surrogates: compare with what UTF-8 makes of the message.
    String expected = new String(message.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    assertEquals(expected, StatusMessageCodec.decode(encoded));
  }
}
