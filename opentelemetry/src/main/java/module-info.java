/** OpenTelemetry tracing and metrics for Tern's channels and servers. */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.tern.opentelemetry {
  requires transitive dev.tern.core;
  // opentelemetry-api is an automatic module (Automatic-Module-Name: io.opentelemetry.api).
  requires transitive io.opentelemetry.api;
  requires io.opentelemetry.context;

  exports dev.tern.opentelemetry;
}
