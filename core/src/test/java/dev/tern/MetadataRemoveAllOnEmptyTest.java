package dev.tern;

import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class MetadataRemoveAllOnEmptyTest {
  @Test
  void removeAllOnEmptyMetadataRemovesNothing() {
    // Interceptors replace headers with removeAll + put, often on a fresh Metadata.
    assertFalse(new Metadata().removeAll(Metadata.Key.ascii("traceparent")));
  }
}
