package dev.tern.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.internal.ServiceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/services.md and docs/service-config.md stay true: the calls they show exist under those
 * names (the same code runs in HealthServiceTest and ProtoReflectionServiceTest), the example
 * config parses, and each error in the table is the parser's message for its config.
 */
class ServiceDocsTest {
  private static final Path DOCS = Path.of(System.getProperty("user.dir")).resolve("../docs");

  @Test
  void servicesPageShowsTheApi() throws Exception {
    String page = Files.readString(DOCS.resolve("services.md"));
    for (String call : new String[] {
        ".addService(health.getHealthService())",
        "health.setStatus(\"helloworld.Greeter\", ServingStatus.SERVING);",
        "ProtoReflectionService reflection = ProtoReflectionService.create();",
        ".addService(reflection.v1())",
        ".addService(reflection.v1alpha())",
        "reflection.bindTo(server::getServices);",
        "health.enterTerminalState();",
        "server.shutdown();",
        "server.shutdownNow();"}) {
      assertTrue(page.contains(call), "docs/services.md no longer shows " + call);
    }
  }

  @Test
  void serviceConfigPageExampleParses() throws Exception {
    String page = Files.readString(DOCS.resolve("service-config.md"));
    Matcher json = Pattern.compile("```json\n(.*?)```", Pattern.DOTALL).matcher(page);
    assertTrue(json.find(), "no json example");
    ServiceConfig config = ServiceConfig.parse(json.group(1));
    assertEquals(2, config.methodConfigs().size());
    assertEquals(java.time.Duration.ofMillis(1500),
        config.methodConfig("helloworld.Greeter/SayHello").timeout());
    assertEquals(java.time.Duration.ofSeconds(30),
        config.methodConfig("other.Service/Method").timeout());
  }

  @Test
  void serviceConfigPageErrorsAreTheParsersMessages() throws Exception {
    String page = Files.readString(DOCS.resolve("service-config.md"));
    Matcher row = Pattern.compile("(?m)^\\| `(\\{.*\\})` \\| `(.*)` \\|$").matcher(page);
    int rows = 0;
    while (row.find()) {
      String config = row.group(1);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ServiceConfig.parse(config), config);
      assertEquals(row.group(2), e.getMessage(), config);
      rows++;
    }
    assertEquals(4, rows);
  }
}
