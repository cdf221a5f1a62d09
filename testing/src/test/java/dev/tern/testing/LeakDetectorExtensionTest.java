package dev.tern.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Proves the gate works: a dropped, unreleased buffer is reported, so the build would fail.
 * Isolated: while the deliberate leak is pending, another class's gate would report it and fail.
 */
@Isolated
class LeakDetectorExtensionTest {
  @Test
  void droppedBufferIsReportedAsLeak() {
    // A unique hint: Netty reports a leak with identical records only once per JVM.
    String hint = "deliberate leak " + UUID.randomUUID();
    leakOneBuffer(hint);
    String report = null;
    // The leak surfaces once the buffer is collected and a later allocation polls the detector.
    for (int i = 0; i < 20 && (report == null || !report.contains(hint)); i++) {
      String found = LeakDetectorExtension.collectLeaks();
      report = report == null ? found : found == null ? report : report + "\n\n" + found;
    }
    assertNotNull(report, "a leaked ByteBuf must be reported");
    assertTrue(report.contains("LEAK"), report);
    assertTrue(report.contains(hint), report);
  }

  private static void leakOneBuffer(String hint) {
    ByteBuf leaked = PooledByteBufAllocator.DEFAULT.buffer(64);
    leaked.writeLong(42);
    leaked.touch(hint);
    // Dropped without release().
  }
}
