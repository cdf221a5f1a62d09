package dev.tern.codegen;

/** A problem with the input that protoc reports to the user as this plugin's error. */
final class GeneratorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  GeneratorException(String message) {
    super(message);
  }
}
