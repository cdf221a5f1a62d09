package dev.tern.spring;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The jar describes its properties for IDEs (spring-boot-configuration-processor's output). */
class ConfigurationMetadataTest {
  @Test
  void serverAndClientPropertiesAreDescribedForIdes() throws IOException {
    String metadata;
    try (InputStream in = getClass().getClassLoader()
        .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertNotNull(in, "no META-INF/spring-configuration-metadata.json on the class path");
      metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    for (String name : List.of("tern.server.port", "tern.server.shutdown-grace-period",
        "tern.server.health.enabled", "tern.server.tls.certificate-chain", "tern.client")) {
      assertTrue(metadata.contains("\"name\": \"" + name + "\""), name + " missing:\n" + metadata);
    }
    assertTrue(metadata.contains("\"defaultValue\": \"30s\""), metadata);
  }
}
