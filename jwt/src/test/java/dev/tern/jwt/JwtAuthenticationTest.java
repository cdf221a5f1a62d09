package dev.tern.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.auth.AuthContext;
import dev.tern.auth.BearerTokenInterceptor;
import dev.tern.auth.Principal;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JWT bearer authentication end to end: a Tern server behind JwtVerifier, over real sockets. */
class JwtAuthenticationTest {
  private static final String ISSUER = "https://login.tern.test/";
  private static final String AUDIENCE = "orders-api";

  private static final Marshaller<String> STRING = new Marshaller<>() {
    @Override
    public void write(String value, ByteBuf out) {
      out.writeCharSequence(value, StandardCharsets.UTF_8);
    }

    @Override
    public String parse(ByteBuf in) {
      return in.toString(StandardCharsets.UTF_8);
    }
  };

  private static final MethodDescriptor<String, String> WHOAMI =
      MethodDescriptor.newBuilder(STRING, STRING)
          .setFullMethodName("tern.test.Auth/WhoAmI")
          .setType(MethodDescriptor.MethodType.UNARY)
          .build();

  private static RSAKey rsa;
  private static RSAKey otherRsa;
  private static ECKey ec;
  private static byte[] secret;

  private final List<TernServer> servers = new ArrayList<>();
  private final List<TernChannel> channels = new ArrayList<>();
  private static HttpServer jwksServer;

  @BeforeAll
  static void keys() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    otherRsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate(); // same kid, wrong key
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    secret = new byte[32];
    new SecureRandom().nextBytes(secret);
  }

  @AfterAll
  static void stopJwks() {
    if (jwksServer != null) {
      jwksServer.stop(0);
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (TernChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (TernServer s : servers) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static JWKSet publicKeys() {
    return new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK()));
  }

  private static JwtVerifier.Builder verifier() {
    return JwtVerifier.builder().issuer(ISSUER).audience(AUDIENCE)
        .clockSkew(Duration.ofSeconds(60));
  }

  /** A server that answers WhoAmI with the principal's name and roles. */
  private TernChannel serve(JwtVerifier verifier) throws Exception {
    ServerServiceDefinition service = ServerServiceDefinition.builder("tern.test.Auth")
        .addMethod(WHOAMI, (ServerCall<String, String> call, Metadata headers) -> {
          Principal p = AuthContext.PRINCIPAL.get();
          call.sendHeaders(new Metadata());
          call.sendMessage(p.getName() + " " + p.roles());
          call.close(Status.OK, new Metadata());
          return new ServerCall.Listener<>() {};
        })
        .build();
    TernServer server = TernServer.builder().port(0).addService(service)
        .intercept(BearerTokenInterceptor.create(verifier)).build().start();
    servers.add(server);
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + server.port()).build();
    channels.add(channel);
    return channel;
  }

  private static JWTClaimsSet.Builder claims() {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .subject("alice")
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)))
        .claim("roles", List.of("reader", "writer"));
  }

  private static String sign(JWSSigner signer, JWSAlgorithm alg, String kid, JWTClaimsSet claims)
      throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT)
        .build(), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  private static String rs256(JWTClaimsSet claims) throws Exception {
    return sign(new RSASSASigner(rsa), JWSAlgorithm.RS256, "rsa-1", claims);
  }

  private static final class Result {
    Status status;
    String message;
  }

  private static Result call(TernChannel channel, String token) throws Exception {
    Metadata headers = new Metadata();
    if (token != null) {
      headers.put(BearerTokenInterceptor.AUTHORIZATION, "Bearer " + token);
    }
    Result result = new Result();
    CompletableFuture<Result> done = new CompletableFuture<>();
    ClientCall<String, String> call = channel.newCall(WHOAMI, CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(String message) {
        result.message = message;
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        result.status = status;
        done.complete(result);
      }
    }, headers);
    call.request(1);
    call.sendMessage("?");
    call.halfClose();
    return done.get(30, TimeUnit.SECONDS);
  }

  private static void assertCode(Status.Code code, Result r) {
    assertEquals(code, r.status.getCode(), r.status::toString);
  }

  @Test
  void rs256TokenFromJwksAuthenticatesWithSubjectAndRoles() throws Exception {
    TernChannel ch = serve(verifier().jwkSet(publicKeys()).build());
    Result r = call(ch, rs256(claims().build()));
    assertCode(Status.Code.OK, r);
    assertEquals("alice [reader, writer]", r.message);
  }

  @Test
  void es256TokenAuthenticates() throws Exception {
    TernChannel ch = serve(verifier().jwkSet(publicKeys()).build());
    Result r = call(ch, sign(new ECDSASigner(ec), JWSAlgorithm.ES256, "ec-1", claims().build()));
    assertCode(Status.Code.OK, r);
  }

  @Test
  void hs256TokenWithTheSharedSecretAuthenticatesAndScopeStringGivesRoles() throws Exception {
    TernChannel ch = serve(verifier().hmacSecret(secret).rolesClaim("scope").build());
    Result r = call(ch, sign(new MACSigner(secret), JWSAlgorithm.HS256, null,
        claims().claim("scope", "orders:read orders:write").build()));
    assertCode(Status.Code.OK, r);
    assertEquals("alice [orders:read, orders:write]", r.message);
  }

  @Test
  void badSignatureIsUnauthenticated() throws Exception {
    TernChannel ch = serve(verifier().jwkSet(publicKeys()).build());
    Result r = call(ch, sign(new RSASSASigner(otherRsa), JWSAlgorithm.RS256, "rsa-1",
        claims().build()));
    assertCode(Status.Code.UNAUTHENTICATED, r);
    assertEquals("Invalid bearer token", r.status.getDescription());
  }

  @Test
  void expiredTokenIsUnauthenticatedButSkewIsTolerated() throws Exception {
    TernChannel ch = serve(verifier().jwkSet(publicKeys()).build());
    Instant now = Instant.now();
    Result expired = call(ch, rs256(claims()
        .expirationTime(Date.from(now.minusSeconds(120))).build()));
    Result withinSkew = call(ch, rs256(claims()
        .expirationTime(Date.from(now.minusSeconds(20))).build()));
    assertCode(Status.Code.UNAUTHENTICATED, expired);
    assertCode(Status.Code.OK, withinSkew);
  }

  @Test
  void notYetValidTokenIsUnauthenticated() throws Exception {
    TernChannel ch = serve(verifier().jwkSet(publicKeys()).build());
    Result r = call(ch, rs256(claims()
        .notBeforeTime(Date.from(Instant.now().plusSeconds(600))).build()));
    assertCode(Status.Code.UNAUTHENTICATED, r);
  }

  @Test
  void wrongAudienceIsUnauthenticated() throws Exception {
    TernChannel ch = serve(verifier().jwkSet(publicKeys()).build());
    Result r = call(ch, rs256(claims().audience("billing-api").build()));
    assertCode(Status.Code.UNAUTHENTICATED, r);
  }

  @Test
  void wrongIssuerIsUnauthenticated() throws Exception {
    TernChannel ch = serve(verifier().jwkSet(publicKeys()).build());
    Result r = call(ch, rs256(claims().issuer("https://evil.test/").build()));
    assertCode(Status.Code.UNAUTHENTICATED, r);
  }

  @Test
  void tokenWithoutExpiryIsUnauthenticated() throws Exception {
    TernChannel ch = serve(verifier().jwkSet(publicKeys()).build());
    Result r = call(ch, rs256(claims().expirationTime(null).build()));
    assertCode(Status.Code.UNAUTHENTICATED, r);
  }

  @Test
  void unsignedAndAlgorithmConfusionTokensAreUnauthenticated() throws Exception {
    TernChannel ch = serve(verifier().jwkSet(publicKeys()).build());
    Result none = call(ch, new PlainJWT(claims().build()).serialize());
    // HS256 "signed" with the RSA public key's bytes: must not verify against an RSA key.
    byte[] publicBytes = rsa.toRSAPublicKey().getEncoded();
    Result confused = call(ch, sign(new MACSigner(publicBytes), JWSAlgorithm.HS256, "rsa-1",
        claims().build()));
    Result garbage = call(ch, "not.a.jwt");
    Result missing = call(ch, null);
    assertCode(Status.Code.UNAUTHENTICATED, none);
    assertCode(Status.Code.UNAUTHENTICATED, confused);
    assertCode(Status.Code.UNAUTHENTICATED, garbage);
    assertCode(Status.Code.UNAUTHENTICATED, missing);
  }

  @Test
  void jwksFromFileAuthenticates(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("jwks.json");
    Files.writeString(file, publicKeys().toString());
    TernChannel ch = serve(verifier().jwkSetFile(file).build());
    assertCode(Status.Code.OK, call(ch, rs256(claims().build())));
  }

  @Test
  void jwksFromUrlAuthenticatesAndAnUnreachableKeyServerIsUnavailable() throws Exception {
    jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] body = publicKeys().toString().getBytes(StandardCharsets.UTF_8);
    jwksServer.createContext("/jwks.json", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    jwksServer.start();
    URL url = new URL("http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/jwks.json");
    // A generous timeout: the key server shares two cores with the whole build.
    TernChannel ch = serve(verifier().jwkSetUrl(url, java.time.Duration.ofSeconds(20)).build());
    assertCode(Status.Code.OK, call(ch, rs256(claims().build())));

    // Nothing listens on the JWKS port once the server is stopped.
    URL dead = new URL("http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/gone.json");
    jwksServer.stop(0);
    jwksServer = null;
    TernChannel down = serve(verifier().jwkSetUrl(dead).build());
    assertCode(Status.Code.UNAVAILABLE, call(down, rs256(claims().build())));
  }
}
