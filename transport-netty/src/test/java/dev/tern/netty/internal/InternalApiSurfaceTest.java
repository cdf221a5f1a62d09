package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.testing.InheritedApi;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** dev.tern.netty.internal's public classes compose; they inherit no JDK or Netty public API. */
class InternalApiSurfaceTest {
  /**
   * Netty's HTTP/2 connection handlers must be subclassed to be used; these two still expose
   * Http2ConnectionHandler's public methods (issue 13's handler rework owns them).
   */
  private static final Set<Class<?>> NETTY_HANDLERS = Set.of(ClientHandler.class,
      ServerHandler.class);

  @Test
  void publicInternalClassesInheritNoForeignPublicApi() {
    assertTrue(InheritedApi.publicClassesInPackageOf(WriteQueue.class).contains(WriteQueue.class),
        "the scan sees the package's classes");
    assertEquals(List.of(), InheritedApi.leaks(WriteQueue.class, NETTY_HANDLERS));
  }
}
