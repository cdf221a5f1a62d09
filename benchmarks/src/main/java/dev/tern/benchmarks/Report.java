package dev.tern.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the CSV results of one or more JMH runs (one file per round; rounds alternate the order
 * of the implementations) into the one comparison table: per row the median over rounds of each
 * side, JMH's 99.9% error of the run that gave the median, and the ratios.
 *
 * <pre>java -cp benchmarks.jar dev.tern.benchmarks.Report round1.csv round2.csv ...</pre>
 */
public final class Report {
  /** One measured value. */
  record Value(double score, double error) {}

  private final Map<String, List<Value>> values = new HashMap<>();

  public static void main(String[] args) throws IOException {
    Report report = new Report();
    java.util.Set<String> rounds = new java.util.TreeSet<>();
    for (String file : args) {
      report.read(Path.of(file));
      // Files are named roundN-<side>.csv: count the rounds, not the files.
      String name = Path.of(file).getFileName().toString();
      rounds.add(name.contains("-") ? name.substring(0, name.indexOf('-')) : name);
    }
    System.out.print(report.table(rounds.size()));
  }

  void read(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    if (lines.isEmpty()) {
      return;
    }
    List<String> header = split(lines.get(0));
    for (String line : lines.subList(1, lines.size())) {
      List<String> cells = split(line);
      String bench = cells.get(0);
      int sep = firstMetricSeparator(bench);
      int methodDot = bench.lastIndexOf('.', sep);
      bench = bench.substring(bench.lastIndexOf('.', methodDot - 1) + 1);
      StringBuilder key = new StringBuilder(bench.replace('\u00b7', ':'));
      for (int i = 7; i < header.size() && i < cells.size(); i++) {
        if (cells.get(i).isEmpty()) {
          continue; // a parameter of another benchmark in the same run
        }
        key.append(' ').append(header.get(i).replace("Param: ", "")).append('=')
            .append(cells.get(i));
      }
      double score = parse(cells.get(4));
      double error = parse(cells.get(5));
      values.computeIfAbsent(key.toString(), k -> new ArrayList<>())
          .add(new Value(score, error));
    }
  }

  private static int firstMetricSeparator(String bench) {
    int colon = bench.indexOf(':');
    int dot = bench.indexOf('\u00b7');
    int sep = colon < 0 ? dot : (dot < 0 ? colon : Math.min(colon, dot));
    return sep < 0 ? bench.length() : sep;
  }

  private static double parse(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static List<String> split(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (char c : line.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        cells.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    cells.add(cell.toString());
    return cells;
  }

  /** The median over rounds (for an even count, the lower middle: a value that was measured). */
  Value median(String key) {
    List<Value> list = values.get(key);
    if (list == null || list.isEmpty()) {
      return null;
    }
    List<Value> sorted = new ArrayList<>(list);
    sorted.sort((a, b) -> Double.compare(a.score(), b.score()));
    Value mid = sorted.get((sorted.size() - 1) / 2);
    if (Double.isNaN(mid.error()) && sorted.size() > 1) {
      // Percentiles carry no JMH error: show half the spread over rounds instead.
      double spread = sorted.get(sorted.size() - 1).score() - sorted.get(0).score();
      return new Value(mid.score(), spread / 2);
    }
    return mid;
  }

  private Value lookup(String metric, String impl, String executor, String size) {
    StringBuilder key = new StringBuilder(metric);
    key.append(" executor=").append(impl.equals("raw") ? "direct" : executor);
    key.append(" impl=").append(impl);
    if (size != null) {
      key.append(" size=").append(size);
    }
    return median(key.toString());
  }

  /** A row definition: label, JMH metric, size param, unit, scale and whether lower wins. */
  private record Row(String label, String metric, String size, String unit, boolean lowerBetter,
      boolean hasCeiling) {}

  private static final List<Row> ROWS = List.of(
      new Row("unary latency 0 B, p50", "UnaryBenchmark.latency:p0.50", "0", "us", true, true),
      new Row("unary latency 0 B, p99", "UnaryBenchmark.latency:p0.99", "0", "us", true, true),
      new Row("unary latency 0 B, p99.9", "UnaryBenchmark.latency:p0.999", "0", "us", true, true),
      new Row("unary latency 1 KiB, p50", "UnaryBenchmark.latency:p0.50", "1024", "us", true,
          true),
      new Row("unary latency 1 KiB, p99", "UnaryBenchmark.latency:p0.99", "1024", "us", true,
          true),
      new Row("unary latency 1 KiB, p99.9", "UnaryBenchmark.latency:p0.999", "1024", "us", true,
          true),
      new Row("unary 64 in flight 0 B", "UnaryBenchmark.throughput64", "0", "calls/s", false,
          true),
      new Row("unary 64 in flight 1 KiB", "UnaryBenchmark.throughput64", "1024", "calls/s", false,
          true),
      new Row("alloc per unary RPC 0 B (client+server)",
          "UnaryBenchmark.throughput64:gc.alloc.rate.norm", "0", "B", true, true),
      new Row("alloc per unary RPC 1 KiB (client+server)",
          "UnaryBenchmark.throughput64:gc.alloc.rate.norm", "1024", "B", true, true),
      new Row("server streaming 1 KiB", "StreamingBenchmark.serverStreaming:messages", null,
          "msgs/s", false, true),
      new Row("bidi ping-pong 1 KiB", "StreamingBenchmark.pingPong", null, "round trips/s", false,
          true),
      new Row("alloc per ping-pong round trip", "StreamingBenchmark.pingPong:gc.alloc.rate.norm",
          null, "B", true, true),
      new Row("1 MiB unary echo", "LargeMessageBenchmark.mebibyte", null, "MiB/s each way", false,
          true));

  private static final List<Row> MICRO_ROWS = List.of(
      new Row("deframe 1 KiB message, one DATA frame", "FramingBenchmark.deframeWholeMessage",
          null, "ns", true, false),
      new Row("deframe 1 KiB message, split in two", "FramingBenchmark.deframeSplitMessage", null,
          "ns", true, false),
      new Row("metadata encode (4 keys)", "FramingBenchmark.metadataEncode", null, "ns", true,
          false),
      new Row("metadata decode (4 keys + 7 std headers)", "FramingBenchmark.metadataDecode", null,
          "ns", true, false));

  String table(int rounds) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT,
        "Medians of %d round(s) (fresh JVM per round and side; rounds alternate the side run"
            + " first); ± is JMH's 99.9%% error of the median run (half the spread over rounds"
            + " for percentiles).%n%n", rounds));
    out.append("| scenario | executor | unit | Tern | grpc-java | raw ceiling | Tern/grpc"
        + " | Tern/ceiling |\n");
    out.append("|---|---|---|---:|---:|---:|---:|---:|\n");
    for (Row row : ROWS) {
      for (String executor : List.of("direct", "pool")) {
        Value tern = lookup(row.metric(), "tern", executor, row.size());
        Value grpc = lookup(row.metric(), "grpc", executor, row.size());
        Value raw = lookup(row.metric(), "raw", executor, row.size());
        if (tern == null && grpc == null) {
          continue;
        }
        appendRow(out, row.label(), executor, row, tern, grpc, raw);
      }
    }
    for (Row row : MICRO_ROWS) {
      Value tern = median(row.metric());
      if (tern != null) {
        appendRow(out, row.label(), "-", row, tern, null, null);
      }
    }
    Value ternStreamRate = lookup("StreamingBenchmark.serverStreaming:gc.alloc.rate", "tern",
        "direct", null);
    if (ternStreamRate != null) {
      out.append("\nAllocation per streamed message (MB/s allocated / messages/s):");
      for (String executor : List.of("direct", "pool")) {
        out.append(' ').append(executor).append(':');
        for (String impl : List.of("tern", "grpc", "raw")) {
          Value rate = lookup("StreamingBenchmark.serverStreaming:gc.alloc.rate", impl, executor,
              null);
          Value msgs = lookup("StreamingBenchmark.serverStreaming:messages", impl, executor, null);
          if (rate != null && msgs != null && msgs.score() > 0) {
            out.append(String.format(Locale.ROOT, " %s %.0f B", impl,
                rate.score() * 1e6 / msgs.score()));
          }
        }
        out.append(';');
      }
      out.append('\n');
    }
    out.append("\nRatios: Tern/grpc below 1 is better for us, B and ns (lower wins); above 1 is"
        + " better for calls/s, msgs/s, round trips/s and MiB/s.\n");
    return out.toString();
  }

  private static void appendRow(StringBuilder out, String label, String executor, Row row,
      Value tern, Value grpc, Value raw) {
    out.append("| ").append(label).append(" | ").append(executor).append(" | ")
        .append(row.unit()).append(" | ")
        .append(format(tern)).append(" | ")
        .append(format(grpc)).append(" | ")
        .append(row.hasCeiling() ? format(raw) : "-").append(" | ")
        .append(ratio(tern, grpc)).append(" | ")
        .append(row.hasCeiling() ? ratio(tern, raw) : "-").append(" |\n");
  }

  private static String format(Value v) {
    if (v == null) {
      return "-";
    }
    String score = number(v.score());
    if (Double.isNaN(v.error())) {
      return score;
    }
    return score + " ± " + number(v.error());
  }

  private static String number(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    double abs = Math.abs(d);
    if (abs >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", d);
    }
    if (abs >= 100) {
      return String.format(Locale.ROOT, "%.0f", d);
    }
    if (abs >= 10) {
      return String.format(Locale.ROOT, "%.1f", d);
    }
    return String.format(Locale.ROOT, "%.2f", d);
  }

  private static String ratio(Value a, Value b) {
    if (a == null || b == null || b.score() == 0) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.2f", a.score() / b.score());
  }
}
