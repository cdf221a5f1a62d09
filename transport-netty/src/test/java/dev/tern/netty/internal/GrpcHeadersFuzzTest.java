package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tern.Metadata;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.List;

/**
 * Fuzzes the metadata codecs and header validation on the received side: {@code -bin} values in
 * base64 (padded or not, several folded into one header with commas), ASCII values, and key
 * validation. Received headers fail a call only with IllegalArgumentException (invalid base64),
 * and what is accepted is a legal key with the bytes the sender encoded. Seeds in
 * GrpcHeadersFuzzTestInputs.
 */
// No @Timeout here: replaying the seeds gets the build's 120 s per invocation; fuzzing
// (JAZZER_FUZZ=1) gets the root pom's fuzzing profile's 30 minutes.
class GrpcHeadersFuzzTest {
  private static final Metadata.Key<byte[]> BIN = Metadata.Key.binary("x-fuzz-bin");

  @FuzzTest
  void binaryValuesRoundTrip(FuzzedDataProvider data) {
    byte[] first = data.consumeBytes(data.consumeInt(0, 300));
    byte[] second = data.consumeRemainingAsBytes();
    Metadata sent = new Metadata();
    sent.put(BIN, first);
    sent.put(BIN, second);
    Http2Headers headers = new DefaultHttp2Headers(false);
    GrpcHeaders.addMetadata(sent, headers);
    for (CharSequence v : headers.getAll("x-fuzz-bin")) {
      // Unpadded base64 (PROTOCOL-HTTP2.md: senders omit the padding).
      assertTrue(v.toString().matches("[A-Za-z0-9+/]*"), v::toString);
    }
    List<byte[]> received = GrpcHeaders.toMetadata(headers).getAll(BIN);
    assertEquals(2, received.size());
    assertArrayEquals(first, received.get(0));
    assertArrayEquals(second, received.get(1));

    // The same values folded into one comma-separated header, as an intermediary may send them.
    Http2Headers folded = new DefaultHttp2Headers(false).add("x-fuzz-bin",
        headers.getAll("x-fuzz-bin").get(0) + ", " + headers.getAll("x-fuzz-bin").get(1));
    List<byte[]> unfolded = GrpcHeaders.toMetadata(folded).getAll(BIN);
    assertArrayEquals(first, unfolded.get(0));
    assertArrayEquals(second, unfolded.get(1));
  }

  @FuzzTest
  void receivedHeadersFailOnlyWithIllegalArgument(FuzzedDataProvider data) {
    Http2Headers headers = new DefaultHttp2Headers(false);
    int n = data.consumeInt(0, 8);
    for (int i = 0; i < n; i++) {
      String name = data.consumeBoolean()
          ? data.pickValue(new String[] {"x-a", "x-a-bin", "grpc-status", "te", ":path",
              "content-type", "x-B", "x.y_z-bin", "-bin", "x~y"})
          : data.consumeAsciiString(12);
      headers.add(name, data.consumeString(60));
    }
    Metadata md;
    try {
      md = GrpcHeaders.toMetadata(headers);
    } catch (IllegalArgumentException invalidBase64) {
      boolean hasBinary = false;
      for (java.util.Map.Entry<CharSequence, CharSequence> e : headers) {
        hasBinary |= e.getKey().toString().endsWith("-bin");
      }
      assertTrue(hasBinary, () -> "rejected without a -bin header: " + headers);
      return;
    }
    for (String key : md.keys()) {
      assertTrue(Metadata.isValidKey(key), key);
      assertFalse(Metadata.isReserved(key), key);
    }
  }

  @FuzzTest
  void keyAndValueValidationMatchTheSpec(FuzzedDataProvider data) {
    String s = data.consumeRemainingAsString();
    // PROTOCOL-HTTP2.md: Header-Name → 1*( %x30-39 / %x61-7A / "_" / "-" / "." ).
    assertEquals(s.matches("[0-9a-z_.\\-]+"), Metadata.isValidKey(s), s);
    // ASCII-Value → 1*( %x20-%x7E ); an empty value is allowed in practice.
    assertEquals(s.matches("[\\x20-\\x7E]*"), Metadata.isValidAsciiValue(s), s);
  }
}
