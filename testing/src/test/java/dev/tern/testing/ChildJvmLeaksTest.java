package dev.tern.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChildJvmLeaksTest {
  @Test
  void leakReportInJdkLoggingFormatFails() {
    String output = "Server started on port 4242\n"
        + "Dec 03, 2026 2:50:00 PM io.netty.util.ResourceLeakDetector reportTracedLeak\n"
        + "SEVERE: LEAK: ByteBuf.release() was not called before it's garbage-collected.\n";
    AssertionError e = assertThrows(AssertionError.class,
        () -> ChildJvmLeaks.assertNoLeakReport("server", output));
    assertTrue(e.getMessage().startsWith("server reported leaked ByteBufs"), e::getMessage);
  }

  @Test
  void leakReportAtLineStartFails() {
    assertThrows(AssertionError.class, () -> ChildJvmLeaks.assertNoLeakReport("client",
        "LEAK: ByteBuf.release() was not called before it's garbage-collected."));
  }

  @Test
  void outputWithoutReportPasses() {
    ChildJvmLeaks.assertNoLeakReport("server", "Server started on port 4242\nLEAKY names ok\n");
  }

  @Test
  void optionsRunTheDetectorAtParanoid() {
    assertTrue(ChildJvmLeaks.JVM_OPTIONS.contains("-Dio.netty.leakDetection.level=paranoid"));
  }
}
