package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.testing.LeakDetectorExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Proves the fuzz tests' allocators are tracked: a buffer leaked from each is reported by the leak
 * gate, so a leak found by fuzzing fails the build. Isolated so no other class's leak gate runs
 * while the deliberate leak is pending (it would fail that class instead).
 */
@Isolated
class FuzzAllocatorLeakTest {
  @Test
  void leakFromDeframerFuzzAllocatorIsReported() {
    assertLeakReported(MessageDeframerFuzzTest.ALLOC);
  }

  @Test
  void leakFromGzipFuzzAllocatorIsReported() {
    assertLeakReported(GzipDecompressFuzzTest.ALLOC);
  }

  private static void assertLeakReported(ByteBufAllocator alloc) {
    // A unique hint: Netty reports a leak with identical records only once per JVM.
    String hint = "deliberate leak " + UUID.randomUUID();
    leak(alloc, hint);
    String report = null;
    // Reported once the buffer is collected and a later allocation polls the detector.
    for (int i = 0; i < 20 && (report == null || !report.contains(hint)); i++) {
      String found = LeakDetectorExtension.collectLeaks();
      report = report == null ? found : found == null ? report : report + "\n\n" + found;
    }
    assertNotNull(report, "a buffer leaked from " + alloc + " must be reported");
    assertTrue(report.contains(hint), report);
  }

  private static void leak(ByteBufAllocator alloc, String hint) {
    ByteBuf leaked = alloc.buffer(64);
    leaked.writeLong(42);
    leaked.touch(hint);
    // Dropped without release().
  }
}
