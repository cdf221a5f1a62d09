package dev.tern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetadataTest {
  private static final Metadata.Key<String> A = Metadata.Key.ascii("x-a");
  private static final Metadata.Key<byte[]> B = Metadata.Key.binary("x-b-bin");

  @Test
  void keepsEveryValueInInsertionOrder() {
    Metadata md = new Metadata();
    md.put(A, "1");
    md.put(B, new byte[] {1});
    md.put(A, "2");
    assertEquals(List.of("1", "2"), md.getAll(A));
    assertEquals("2", md.get(A), "get returns the last value");
    assertEquals(Set.of("x-a", "x-b-bin"), md.keys());
    assertEquals(3, md.size());
  }

  @Test
  void keysAreLowerCasedAndValidated() {
    assertEquals("x-mixed", Metadata.Key.ascii("X-Mixed").name());
    assertThrows(IllegalArgumentException.class, () -> Metadata.Key.ascii("bad key"));
    assertThrows(IllegalArgumentException.class, () -> Metadata.Key.ascii(""));
    assertThrows(IllegalArgumentException.class, () -> Metadata.Key.ascii(":path"));
    assertThrows(IllegalArgumentException.class, () -> Metadata.Key.ascii("x-b-bin"));
    assertThrows(IllegalArgumentException.class, () -> Metadata.Key.binary("x-b"));
  }

  @Test
  void reservedHeadersCannotBeSetByApplications() {
    for (String reserved : List.of("content-type", "te", "grpc-status", "grpc-message",
        "grpc-timeout", "grpc-encoding", "grpc-accept-encoding")) {
      assertThrows(IllegalArgumentException.class, () -> Metadata.Key.ascii(reserved), reserved);
    }
    // grpc-status-details-bin is how rich errors travel: applications may set it.
    Metadata.Key.binary("grpc-status-details-bin");
  }

  @Test
  void asciiValuesMustBePrintable() {
    Metadata md = new Metadata();
    assertThrows(IllegalArgumentException.class, () -> md.put(A, "line\nbreak"));
    assertThrows(IllegalArgumentException.class, () -> md.put(A, "caf\u00e9"));
    md.put(A, "ok value ~");
    assertEquals("ok value ~", md.get(A));
  }

  @Test
  void removeAllAndRemoveOne() {
    Metadata md = new Metadata();
    md.put(A, "1");
    md.put(A, "2");
    md.put(B, new byte[] {9});
    assertTrue(md.remove(A, "1"));
    assertEquals(List.of("2"), md.getAll(A));
    assertTrue(md.removeAll(A));
    assertFalse(md.containsKey(A));
    assertNull(md.get(A));
    assertArrayEquals(new byte[] {9}, md.get(B));
  }

  @Test
  void mergeAppendsOtherEntries() {
    Metadata a = new Metadata();
    a.put(A, "1");
    Metadata b = new Metadata();
    b.put(A, "2");
    a.merge(b);
    assertEquals(List.of("1", "2"), a.getAll(A));
  }

  @Test
  void typedKeysUseTheirMarshaller() {
    Metadata.Key<Integer> n = Metadata.Key.of("x-n", new Metadata.AsciiMarshaller<Integer>() {
      @Override
      public String toAsciiString(Integer value) {
        return value.toString();
      }

      @Override
      public Integer parseAsciiString(String serialized) {
        return Integer.valueOf(serialized);
      }
    });
    Metadata md = new Metadata();
    md.put(n, 42);
    assertEquals(42, md.get(n));
    assertEquals("42", md.rawValueAt(0));
  }
}
