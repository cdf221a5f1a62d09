package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Fuzzes gzip decompression of received messages (decompression bombs included): the result
 * never exceeds the limit, and anything else fails with RESOURCE_EXHAUSTED (over the limit) or
 * INTERNAL (corrupt), never with another exception. Seeds in GzipDecompressFuzzTestInputs.
 */
// No @Timeout here: replaying the seeds gets the build's 120 s per invocation; fuzzing
// (JAZZER_FUZZ=1) gets the root pom's fuzzing profile's 30 minutes.
class GzipDecompressFuzzTest {
  /**
   * The transport's default allocator: Netty's leak detector tracks every buffer it hands out
   * (unpooled heap buffers are never tracked). FuzzAllocatorLeakTest proves a leak here fails.
   */
  static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  @FuzzTest
  void decompressStaysWithinTheLimit(FuzzedDataProvider data) {
    int max = data.consumeInt(0, 1 << 16);
    byte[] input = data.consumeRemainingAsBytes();
    ByteBuf message = ALLOC.buffer(input.length);
    message.writeBytes(input);
    ByteBuf out;
    try {
      out = Compression.decompress(GzipCodec.INSTANCE, message, ALLOC, max);
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      assertTrue(code == Status.Code.RESOURCE_EXHAUSTED || code == Status.Code.INTERNAL,
          e::toString);
      return;
    }
    try {
      assertTrue(out.readableBytes() <= max, "decompressed past the limit");
    } finally {
      out.release();
    }
  }
}
