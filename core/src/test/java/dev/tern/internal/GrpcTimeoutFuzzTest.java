package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the {@code grpc-timeout} codec (PROTOCOL-HTTP2.md "Timeout"): any header value decodes
 * to a non-negative duration or is rejected with IllegalArgumentException, and every duration
 * encodes to a value that decodes to at most itself. Seeds in GrpcTimeoutFuzzTestInputs.
 */
// No @Timeout here: replaying the seeds gets the build's 120 s per invocation; fuzzing
// (JAZZER_FUZZ=1) gets the root pom's fuzzing profile's 30 minutes.
class GrpcTimeoutFuzzTest {
  @FuzzTest
  void decodeAcceptsOnlyTheGrammar(byte[] input) {
    // Header values are ISO-8859-1 octets on the wire.
    String value = new String(input, java.nio.charset.StandardCharsets.ISO_8859_1);
    long nanos;
    try {
      nanos = GrpcTimeout.decodeNanos(value);
    } catch (IllegalArgumentException rejected) {
      return;
    }
    assertTrue(nanos >= 0, () -> value + " -> " + nanos);
    // Accepted values are 1-8 ASCII digits and one unit, nothing else.
    assertTrue(value.matches("[0-9]{1,8}[HMSmun]"), value);
  }

  @FuzzTest
  void encodeRoundsDownAndDecodes(FuzzedDataProvider data) {
    long nanos = data.consumeLong();
    String encoded = GrpcTimeout.encode(nanos);
    assertTrue(encoded.matches("[0-9]{1,8}[HMSmun]"), encoded);
    long decoded = GrpcTimeout.decodeNanos(encoded);
    if (nanos <= 0) {
      assertEquals(1, decoded);
    } else {
      // Rounded down, never up, and by less than one unit of the chosen resolution.
      assertTrue(decoded <= nanos, () -> nanos + " -> " + encoded);
      assertTrue(decoded > 0, () -> nanos + " -> " + encoded);
      assertTrue((double) (nanos - decoded) / nanos < 1e-6 || nanos - decoded < 1_000_000_000L,
          () -> nanos + " -> " + encoded + " lost too much precision");
    }
  }
}
