package dev.tern.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.auth.Principal;
import dev.tern.auth.TokenVerifier;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies JSON Web Tokens (RFC 7519) for {@link dev.tern.auth.BearerTokenInterceptor}: the JWS
 * signature (HS256, RS256 or ES256; other algorithms, {@code none} included, are refused) against
 * keys from a JWK set, then the claims: {@code exp} (required) and {@code nbf} against the clock
 * with a configurable skew, {@code aud} against the accepted audiences and {@code iss} against the
 * expected issuer, when configured. A token failing any check makes the call UNAUTHENTICATED; a
 * JWK set URL that cannot be fetched makes it UNAVAILABLE. All JOSE parsing and cryptography is
 * Nimbus JOSE + JWT's.
 *
 * <pre>{@code
 * JwtVerifier jwt = JwtVerifier.builder()
 *     .jwkSetUrl(new URL("https://login.example.com/.well-known/jwks.json"))
 *     .issuer("https://login.example.com/")
 *     .audience("orders-api")
 *     .build();
 * TernServer.builder().intercept(BearerTokenInterceptor.create(jwt)) ...
 * }</pre>
 *
 * <p>The principal is named after {@code sub} (required); its roles come from the
 * {@linkplain Builder#rolesClaim roles claim} (a JSON array of strings, or a space-separated
 * string such as OAuth's {@code scope}); its attributes are all the claims. Thread-safe.
 */
public final class JwtVerifier implements TokenVerifier {
  /** The algorithms accepted unless {@link Builder#algorithms} narrows them. */
  public static final Set<JWSAlgorithm> DEFAULT_ALGORITHMS =
      Set.of(JWSAlgorithm.HS256, JWSAlgorithm.RS256, JWSAlgorithm.ES256);

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final String rolesClaim;

  private JwtVerifier(Builder b) {
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    p.setJWSKeySelector(new JWSVerificationKeySelector<>(b.algorithms, b.keys));
    JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
    if (b.issuer != null) {
      exact.issuer(b.issuer);
    }
    Set<String> required = new HashSet<>(List.of("exp", "sub"));
    if (b.issuer != null) {
      required.add("iss");
    }
    if (!b.audiences.isEmpty()) {
      required.add("aud");
    }
    Clock clock = b.clock;
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
        b.audiences.isEmpty() ? null : b.audiences, exact.build(), required, null) {
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    };
    claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, b.clockSkew.toSeconds()));
    p.setJWTClaimsSetVerifier(claims);
    this.processor = p;
    this.rolesClaim = b.rolesClaim;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The principal of a valid token.
   *
   * @throws StatusException UNAVAILABLE if the signing keys cannot be fetched
   * @throws Exception (Nimbus's BadJOSEException, ParseException, JOSEException) for a token
   *     that fails a check: {@link dev.tern.auth.BearerTokenInterceptor} answers UNAUTHENTICATED
   */
  @Override
  public Principal verify(String token) throws Exception {
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (KeySourceException e) {
      throw Status.UNAVAILABLE.withDescription("Cannot fetch the token signing keys")
          .withCause(e).asException();
    }
    return Principal.of(claims.getSubject(), roles(claims), claims.getClaims());
  }

  private Collection<String> roles(JWTClaimsSet claims) throws ParseException {
    Object value = claims.getClaim(rolesClaim);
    Set<String> roles = new LinkedHashSet<>();
    if (value instanceof String) {
      for (String r : ((String) value).trim().split("\\s+")) {
        if (!r.isEmpty()) {
          roles.add(r);
        }
      }
    } else if (value != null) {
      List<String> list = claims.getStringListClaim(rolesClaim);
      if (list != null) {
        roles.addAll(list);
      }
    }
    return roles;
  }

  /** Configures a {@link JwtVerifier}. Not thread-safe. */
  public static final class Builder {
    private JWKSource<SecurityContext> keys;
    private Set<JWSAlgorithm> algorithms = DEFAULT_ALGORITHMS;
    private String issuer;
    private final Set<String> audiences = new LinkedHashSet<>();
    private Duration clockSkew = Duration.ofSeconds(60);
    private String rolesClaim = "roles";
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** Verifies signatures with the keys of {@code jwkSet} (public keys, or secrets for HS256). */
    public Builder jwkSet(JWKSet jwkSet) {
      this.keys = new ImmutableJWKSet<>(Objects.requireNonNull(jwkSet, "jwkSet"));
      return this;
    }

    /** Connect and read timeout for fetching a JWK set from a URL. */
    public static final java.time.Duration DEFAULT_JWKS_FETCH_TIMEOUT =
        java.time.Duration.ofSeconds(2);

    /** Largest JWK set accepted from a URL (a key server is a peer too). */
    private static final int JWKS_SIZE_LIMIT_BYTES = 256 * 1024;

    /** Reads the JWK set from a file once, now. */
    public Builder jwkSetFile(Path file) throws IOException, ParseException {
      return jwkSet(JWKSet.load(file.toFile()));
    }

    /**
     * Fetches the JWK set from {@code url} when first needed, caches it and refetches it when a
     * token names an unknown key id (rate-limited), as Nimbus's {@code JWKSourceBuilder} does.
     */
    public Builder jwkSetUrl(URL url) {
      return jwkSetUrl(url, DEFAULT_JWKS_FETCH_TIMEOUT);
    }

    /**
     * Like {@link #jwkSetUrl(URL)}, with {@code timeout} for connecting and for reading the key
     * set (Nimbus's own default of 500 ms fails a call whenever the key server is briefly slow).
     */
    public Builder jwkSetUrl(URL url, java.time.Duration timeout) {
      int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
      this.keys = JWKSourceBuilder.<SecurityContext>create(Objects.requireNonNull(url, "url"),
              new com.nimbusds.jose.util.DefaultResourceRetriever(millis, millis,
                  JWKS_SIZE_LIMIT_BYTES))
          .build();
      return this;
    }

    /** Verifies HS256 signatures with a shared secret (at least 32 bytes). */
    public Builder hmacSecret(byte[] secret) {
      if (secret.length < 32) {
        throw new IllegalArgumentException("an HS256 secret must have at least 256 bits");
      }
      this.keys = new ImmutableSecret<>(secret.clone());
      return this;
    }

    /** Any Nimbus key source (JWKS with custom caching, a key store...). */
    public Builder keySource(JWKSource<SecurityContext> source) {
      this.keys = Objects.requireNonNull(source, "source");
      return this;
    }

    /** Narrows the accepted algorithms (default HS256, RS256, ES256). */
    public Builder algorithms(JWSAlgorithm... algorithms) {
      Set<JWSAlgorithm> set = new LinkedHashSet<>(List.of(algorithms));
      if (set.isEmpty()) {
        throw new IllegalArgumentException("no algorithms");
      }
      this.algorithms = set;
      return this;
    }

    /** The required {@code iss}. */
    public Builder issuer(String issuer) {
      this.issuer = Objects.requireNonNull(issuer, "issuer");
      return this;
    }

    /** Accepted {@code aud} values; a token must name at least one of them. */
    public Builder audience(String... audiences) {
      this.audiences.addAll(new ArrayList<>(List.of(audiences)));
      return this;
    }

    /** How far {@code exp} and {@code nbf} may be off the clock (default 60 s). */
    public Builder clockSkew(Duration skew) {
      if (skew.isNegative()) {
        throw new IllegalArgumentException("negative skew: " + skew);
      }
      this.clockSkew = skew;
      return this;
    }

    /** The claim holding the principal's roles (default {@code roles}; {@code scope} for OAuth). */
    public Builder rolesClaim(String claim) {
      this.rolesClaim = Objects.requireNonNull(claim, "claim");
      return this;
    }

    /** The clock {@code exp} and {@code nbf} are checked against (for tests). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public JwtVerifier build() {
      if (keys == null) {
        throw new IllegalStateException("no keys: set jwkSet, jwkSetUrl, jwkSetFile or hmacSecret");
      }
      return new JwtVerifier(this);
    }
  }
}
