package dev.tern.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Medians and spreads of measurements repeated over server restarts, and their formatting. */
final class Stats {
  private Stats() {}

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static double min(List<Double> values) {
    return Collections.min(values);
  }

  static double max(List<Double> values) {
    return Collections.max(values);
  }

  /** Max minus min over the median, in percent: how far apart restarts land. */
  static double spreadPercent(List<Double> values) {
    return 100 * (max(values) - min(values)) / median(values);
  }

  /** A number for the tables: thousands separated, decimals only where they matter. */
  static String format(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    double a = Math.abs(v);
    String pattern = a >= 1000 ? "%,.0f" : a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f";
    return String.format(Locale.ROOT, pattern, v);
  }

  /** {@code a / b} to two decimals, or "-" when either is missing. */
  static String ratio(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b) || b == 0) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.2f", a / b);
  }

  /** "min–max (spread %)" of a side's values over restarts. */
  static String range(List<Double> values) {
    if (values.isEmpty()) {
      return "-";
    }
    return String.format(Locale.ROOT, "%s–%s (%.0f %%)", format(min(values)), format(max(values)),
        spreadPercent(values));
  }

  /** The machine line printed under every table. */
  static String machine() {
    String model = "?";
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          model = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (java.io.IOException e) {
      // keep "?"
    }
    return String.format(Locale.ROOT, "Machine: %d cores, %s, Java %s.",
        Runtime.getRuntime().availableProcessors(), model, System.getProperty("java.version"));
  }
}
