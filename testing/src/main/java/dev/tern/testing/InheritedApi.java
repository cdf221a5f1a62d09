package dev.tern.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds public classes of an internal package that hand callers a foreign class's public API by
 * inheritance: extending a JDK or Netty class (as {@code SerializingExecutor extends
 * AtomicBoolean} once did, letting anyone flip its flag) or implementing {@link Runnable} (letting
 * anyone run its task). Internal classes are public only so Tern's modules can share them; they
 * compose instead. Stateless.
 */
public final class InheritedApi {
  private InheritedApi() {}

  /**
   * One line per public class, top-level or nested, compiled into the package of {@code anchor}
   * (read from the classes directory it was loaded from) that inherits foreign public API,
   * except those in {@code allowed}; empty if none.
   */
  public static List<String> leaks(Class<?> anchor, Set<Class<?>> allowed) {
    List<String> leaks = new ArrayList<>();
    for (Class<?> c : publicClassesInPackageOf(anchor)) {
      String why = inheritedApi(c);
      if (why != null && !allowed.contains(c)) {
        leaks.add(c.getName() + " " + why);
      }
    }
    return leaks;
  }

  /** The public top-level and nested classes compiled into the package of {@code anchor}. */
  public static List<Class<?>> publicClassesInPackageOf(Class<?> anchor) {
    String pkg = anchor.getPackageName();
    List<Class<?>> classes = new ArrayList<>();
    for (String name : classNames(anchor)) {
      Class<?> c;
      try {
        c = Class.forName(pkg + "." + name, false, anchor.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("listed but not loadable: " + name, e);
      }
      if (isPublicApi(c)) {
        classes.add(c);
      }
    }
    return classes;
  }

  /** Why {@code c} exposes inherited foreign public API, or null if it does not. */
  private static String inheritedApi(Class<?> c) {
    if (c.isInterface() || c.isEnum() || c.isRecord() || c.isAnnotation()) {
      return null;
    }
    Class<?> superclass = c.getSuperclass();
    if (superclass != Object.class && !superclass.getPackageName().startsWith("dev.tern")) {
      return "extends " + superclass.getName();
    }
    if (Runnable.class.isAssignableFrom(c)) {
      return "implements Runnable (anyone may call run())";
    }
    return null;
  }

  private static boolean isPublicApi(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass()) {
        return false;
      }
    }
    return true;
  }

  /** Simple binary names ({@code Outer$Inner}) of the classes next to {@code anchor}. */
  private static List<String> classNames(Class<?> anchor) {
    Path root;
    try {
      root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    if (!Files.isDirectory(root)) {
      throw new IllegalStateException(
          anchor + " was loaded from " + root + ", not a classes directory");
    }
    Path dir = root.resolve(anchor.getPackageName().replace('.', '/'));
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".class") && !n.equals("package-info.class"))
          .map(n -> n.substring(0, n.length() - ".class".length()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
