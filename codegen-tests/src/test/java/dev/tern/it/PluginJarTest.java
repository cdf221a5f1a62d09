package dev.tern.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.util.Arrays;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** What protobuf-maven-plugin's kind="jvm-maven" needs from the tern-codegen jar. */
class PluginJarTest {
  @Test
  void pluginJarNamesTheGeneratorAsMainClass() throws Exception {
    String cp = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    File jar = Arrays.stream(cp.split(File.pathSeparator))
        .map(File::new)
        .filter(f -> f.getName().startsWith("tern-codegen-") && f.getName().endsWith(".jar"))
        .findFirst().orElse(null);
    // Before "package" the reactor hands out tern-codegen's target/classes instead of its jar.
    assumeTrue(jar != null, "tern-codegen is not packaged in this build");
    try (JarFile file = new JarFile(jar)) {
      assertEquals("dev.tern.codegen.TernGrpcGenerator",
          file.getManifest().getMainAttributes().getValue("Main-Class"));
    }
  }
}
