package dev.tern;

/** A checked exception carrying a {@link Status} and optional trailers. Immutable. */
public final class StatusException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Status status;
  private final transient Metadata trailers;

  public StatusException(Status status) {
    this(status, null);
  }

  public StatusException(Status status, Metadata trailers) {
    super(Status.formatMessage(status), status.getCause(), true, true);
    this.status = status;
    this.trailers = trailers;
  }

  public Status getStatus() {
    return status;
  }

  /** The trailers that came with the status, or null. */
  public Metadata getTrailers() {
    return trailers;
  }
}
