package dev.tern.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;

class GrpcTimeoutFuzzTest {
  @FuzzTest
  void decodeNeverThrowsAnythingButIllegalArgument(byte[] input) {
    String s = new String(input, java.nio.charset.StandardCharsets.ISO_8859_1);
    try {
      long n = GrpcTimeout.decodeNanos(s);
      if (n < 0) throw new AssertionError("negative");
    } catch (IllegalArgumentException expected) {
    }
  }
}
