/** JWT bearer-token authentication (nimbus-jose-jwt). */
module dev.tern.jwt {
  requires transitive dev.tern.core;
  // JwtVerifier.Builder takes nimbus types (JWKSet, JWKSource, JWSAlgorithm).
  requires transitive com.nimbusds.jose.jwt;

  exports dev.tern.jwt;
}
