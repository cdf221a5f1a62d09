package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.testing.InheritedApi;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** dev.tern.internal's public classes compose; they inherit no JDK or Netty public API. */
class InternalApiSurfaceTest {
  @Test
  void publicInternalClassesInheritNoForeignPublicApi() {
    assertTrue(InheritedApi.publicClassesInPackageOf(SerializingExecutor.class)
        .contains(SerializingExecutor.class), "the scan sees the package's classes");
    assertEquals(List.of(), InheritedApi.leaks(SerializingExecutor.class, Set.of()));
  }
}
