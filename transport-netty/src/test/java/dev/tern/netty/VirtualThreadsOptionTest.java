package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code useVirtualThreads()} on the JDK this suite runs on (17): refused with a message naming
 * the requirement. The JDK 21+ suite ({@code -Pjdk21}) covers what it does where it works.
 */
class VirtualThreadsOptionTest {
  @Test
  void serverOptionFailsBeforeJdk21NamingTheRequirement() {
    assumeTrue(Runtime.version().feature() < 21, "this JVM has virtual threads");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TernServer.builder().useVirtualThreads());
    assertTrue(e.getMessage().contains("JDK 21 or later"), e.getMessage());
    assertTrue(e.getMessage().contains("Java " + Runtime.version().feature()), e.getMessage());
  }

  @Test
  void channelOptionFailsBeforeJdk21NamingTheRequirement() {
    assumeTrue(Runtime.version().feature() < 21, "this JVM has virtual threads");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TernChannel.builder().useVirtualThreads());
    assertTrue(e.getMessage().contains("JDK 21 or later"), e.getMessage());
  }
}
