package dev.tern.services;

/** The value rules of {@code OrcaLoadReport}'s fields (orca_load_report.proto). Stateless. */
final class OrcaValues {
  private OrcaValues() {}

  static double finite(String field, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(field + " must be a finite number: " + value);
    }
    return value;
  }

  static double nonNegative(String field, double value) {
    if (!(finite(field, value) >= 0)) {
      throw new IllegalArgumentException(field + " must be >= 0: " + value);
    }
    return value;
  }

  static double fraction(String field, double value) {
    if (nonNegative(field, value) > 1) {
      throw new IllegalArgumentException(field + " must be in [0, 1]: " + value);
    }
    return value;
  }
}
