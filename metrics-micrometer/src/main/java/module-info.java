/** Micrometer metrics for Tern's channels and servers. */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.tern.metrics.micrometer {
  requires transitive dev.tern.core;
  // micrometer-core is an automatic module (Automatic-Module-Name: micrometer.core).
  requires transitive micrometer.core;

  exports dev.tern.micrometer;
}
