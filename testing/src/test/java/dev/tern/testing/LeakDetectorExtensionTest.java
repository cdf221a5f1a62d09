package dev.tern.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** Proves the gate works: a dropped, unreleased buffer is reported, so the build would fail. */
class LeakDetectorExtensionTest {
  @Test
  void droppedBufferIsReportedAsLeak() {
    leakOneBuffer();
    String report = null;
    // The leak surfaces once the buffer is collected and a later allocation polls the detector.
    for (int i = 0; i < 20 && report == null; i++) {
      report = LeakDetectorExtension.collectLeaks();
    }
    assertNotNull(report, "a leaked ByteBuf must be reported");
    assertTrue(report.contains("LEAK"), report);
  }

  private static void leakOneBuffer() {
    ByteBuf leaked = PooledByteBufAllocator.DEFAULT.buffer(64);
    leaked.writeLong(42);
    // Dropped without release().
  }
}
