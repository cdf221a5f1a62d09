package dev.tern.interop;

/** grpc-java style {@code --name=value} flags for the interop mains. Stateless. */
final class Flags {
  /** Exit status for a usage error (a failed test case exits 1). */
  static final int USAGE = 2;

  private Flags() {}

  /** {@code --name=value} as {name, value}; anything else is a usage error. */
  static String[] split(String arg) {
    if (!arg.startsWith("--") || arg.indexOf('=') < 0) {
      usage("Flags must look like --name=value: " + arg, null);
    }
    int eq = arg.indexOf('=');
    return new String[] {arg.substring(2, eq), arg.substring(eq + 1)};
  }

  static int parseInt(String[] kv) {
    try {
      return Integer.parseInt(kv[1]);
    } catch (NumberFormatException e) {
      usage("--" + kv[0] + " needs a number, got '" + kv[1] + "'", null);
      return -1;
    }
  }

  static boolean parseBoolean(String[] kv) {
    if (!kv[1].equals("true") && !kv[1].equals("false")) {
      usage("--" + kv[0] + " needs true or false, got '" + kv[1] + "'", null);
    }
    return Boolean.parseBoolean(kv[1]);
  }

  static void usage(String problem, String usage) {
    System.err.println(problem);
    if (usage != null) {
      System.err.println(usage);
    }
    System.exit(USAGE);
  }
}
