package dev.tern.benchmarks;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name=value} options of the outside scenarios' command lines, each checked against
 * the names a scenario knows, and the executor choice they share ({@code --executor=direct|pool},
 * or both modes: {@code --all-modes}, the default). Immutable.
 */
final class Args {
  private final Map<String, String> values = new HashMap<>();

  /** Parses {@code args}; an option not in {@code names} (nor the executor ones) is an error. */
  Args(String[] args, String... names) {
    Set<String> known = Set.of(names);
    for (String arg : args) {
      int eq = arg.indexOf('=');
      String name = arg.startsWith("--") ? arg.substring(2, eq < 0 ? arg.length() : eq) : "";
      if (!known.contains(name) && !name.equals("executor") && !name.equals("all-modes")) {
        throw new IllegalArgumentException("unknown argument " + arg + "; known: --"
            + String.join(", --", names) + ", --executor=direct|pool, --all-modes");
      }
      values.put(name, eq < 0 ? "" : arg.substring(eq + 1));
    }
  }

  int integer(String name, int otherwise) {
    return values.containsKey(name) ? Integer.parseInt(values.get(name)) : otherwise;
  }

  String string(String name, String otherwise) {
    return values.getOrDefault(name, otherwise);
  }

  /** A comma-separated list. */
  List<String> list(String name, List<String> otherwise) {
    return values.containsKey(name) ? List.of(values.get(name).split(",")) : otherwise;
  }

  /** The executor modes to run, each server side in the same one: both unless one is named. */
  List<String> modes() {
    if (values.containsKey("all-modes") || !values.containsKey("executor")) {
      return List.of("direct", "pool");
    }
    String mode = values.get("executor");
    if (!mode.equals("direct") && !mode.equals("pool")) {
      throw new IllegalArgumentException("--executor must be direct or pool, not " + mode);
    }
    return List.of(mode);
  }
}
