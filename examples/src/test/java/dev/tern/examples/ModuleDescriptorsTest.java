package dev.tern.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleDescriptor.Provides;
import java.lang.module.ModuleDescriptor.Requires;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every published Tern jar (or, in a build that stops before {@code package}, its classes
 * directory) is a named module with the exports docs/modules.md lists. Reads the descriptors
 * from the test class path, which holds each reactor module's build output.
 */
class ModuleDescriptorsTest {
  private static final Set<String> TERN_MODULES = Set.of("dev.tern.core", "dev.tern.netty",
      "dev.tern.protobuf", "dev.tern.inprocess", "dev.tern.json", "dev.tern.services",
      "dev.tern.jwt", "dev.tern.metrics.micrometer", "dev.tern.opentelemetry",
      "dev.tern.testing", "dev.tern.junit");

  private static Path[] classPath;
  private static Map<String, ModuleReference> modules;

  @BeforeAll
  static void findModules() {
    classPath = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .map(Path::of).filter(Files::exists).toArray(Path[]::new);
    modules = new HashMap<>();
    for (Path entry : classPath) {
      // One finder per entry: a test-classes directory without a descriptor is skipped.
      try {
        for (ModuleReference ref : ModuleFinder.of(entry).findAll()) {
          modules.putIfAbsent(ref.descriptor().name(), ref);
        }
      } catch (java.lang.module.FindException e) {
        // Not a module path entry (e.g. a test-classes directory of same-package tests).
      }
    }
  }

  private static ModuleDescriptor named(String name) {
    ModuleReference ref = modules.get(name);
    if (ref == null) {
      fail(name + " not found on the class path: " + modules.keySet());
    }
    ModuleDescriptor d = ref.descriptor();
    assertTrue(!d.isAutomatic(), name + " is automatic; it must have a module-info.class");
    return d;
  }

  private static Map<String, Set<String>> exports(String module) {
    Map<String, Set<String>> out = new TreeMap<>();
    for (Exports e : named(module).exports()) {
      out.put(e.source(), new TreeSet<>(e.targets()));
    }
    return out;
  }

  private static Set<String> requires(String module) {
    return named(module).requires().stream()
        .filter(r -> !r.modifiers().contains(Requires.Modifier.MANDATED))
        .map(Requires::name).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void everyPublishedModuleIsNamed() {
    for (String name : TERN_MODULES) {
      named(name);
    }
  }

  @Test
  void coreExportsItsApiAndSharesInternalsOnlyWithTernTransports() {
    Map<String, Set<String>> expected = new TreeMap<>();
    for (String api : new String[] {"dev.tern", "dev.tern.auth", "dev.tern.interceptors",
        "dev.tern.metrics", "dev.tern.retry", "dev.tern.stub"}) {
      expected.put(api, Set.of());
    }
    expected.put("dev.tern.internal", Set.of("dev.tern.netty", "dev.tern.inprocess"));
    assertEquals(expected, exports("dev.tern.core"));
    assertEquals(Set.of("io.netty.buffer", "java.naming"), requires("dev.tern.core"));
  }

  @Test
  void nettyTransportExportsOnlyItsApiAndDeclaresItsServiceLoaderLookups() {
    assertEquals(Map.of("dev.tern.netty", Set.of()), exports("dev.tern.netty"));
    assertTrue(requires("dev.tern.netty").containsAll(
        Set.of("dev.tern.core", "io.netty.codec.http2", "io.netty.transport")));
    assertEquals(Set.of("dev.tern.LoadBalancerProvider", "dev.tern.NameResolverProvider",
        "dev.tern.netty.WebMessageFormat"), named("dev.tern.netty").uses());
  }

  @Test
  void protobufModuleRequiresProtobufJavaTransitively() {
    assertEquals(Map.of("dev.tern.protobuf", Set.of()), exports("dev.tern.protobuf"));
    Requires protobuf = named("dev.tern.protobuf").requires().stream()
        .filter(r -> r.name().equals("com.google.protobuf")).findFirst().orElseThrow();
    assertTrue(protobuf.modifiers().contains(Requires.Modifier.TRANSITIVE));
  }

  @Test
  void optionalModulesExportOnlyTheirOwnPackages() {
    assertEquals(Map.of("dev.tern.inprocess", Set.of()), exports("dev.tern.inprocess"));
    assertEquals(Map.of("dev.tern.json", Set.of()), exports("dev.tern.json"));
    assertEquals(Map.of("dev.tern.jwt", Set.of()), exports("dev.tern.jwt"));
    assertEquals(Map.of("dev.tern.micrometer", Set.of()),
        exports("dev.tern.metrics.micrometer"));
    assertEquals(Map.of("dev.tern.opentelemetry", Set.of()), exports("dev.tern.opentelemetry"));
    assertEquals(Map.of("dev.tern.testing", Set.of()), exports("dev.tern.testing"));
    assertEquals(Map.of("dev.tern.junit", Set.of()), exports("dev.tern.junit"));
    assertEquals(Set.of("dev.tern.services", "dev.tern.services.health.v1",
        "dev.tern.services.orca.v3", "dev.tern.services.reflection.v1",
        "dev.tern.services.reflection.v1alpha"), exports("dev.tern.services").keySet());
  }

  @Test
  void serviceProvidersAreDeclaredForTheModulePath() {
    assertEquals(Set.of("dev.tern.netty.WebMessageFormat"),
        named("dev.tern.json").provides().stream().map(Provides::service)
            .collect(Collectors.toSet()));
    assertEquals(Set.of("dev.tern.json.JsonMessageFormat"),
        named("dev.tern.json").provides().stream().flatMap(p -> p.providers().stream())
            .collect(Collectors.toSet()));
    assertEquals(Set.of("dev.tern.testing.LeakDetectorExtension"),
        named("dev.tern.testing").provides().stream().flatMap(p -> p.providers().stream())
            .collect(Collectors.toSet()));
  }

  @Test
  void noPackageIsSplitAcrossModules() {
    Map<String, String> owner = new HashMap<>();
    for (ModuleReference ref : modules.values()) {
      for (String pkg : ref.descriptor().packages()) {
        String previous = owner.putIfAbsent(pkg, ref.descriptor().name());
        if (previous != null) {
          fail("package " + pkg + " is in both " + previous + " and " + ref.descriptor().name());
        }
      }
    }
  }

  @Test
  void jdepsCheckFindsNoProblemsInTheNettyTransport() {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    String modulePath = Arrays.stream(classPath).map(Path::toString)
        .filter(p -> !p.endsWith("test-classes"))
        .collect(Collectors.joining(java.io.File.pathSeparator));
    StringWriter out = new StringWriter();
    int rc = jdeps.run(new PrintWriter(out, true), new PrintWriter(out, true),
        "--multi-release", "17", "--module-path", modulePath, "--check", "dev.tern.netty");
    assertEquals(0, rc, out.toString());
    // --check prints the descriptor, then "Unused qualified exports" / suggestions when wrong.
    assertTrue(out.toString().contains("dev.tern.netty"), out.toString());
  }
}
