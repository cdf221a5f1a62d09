package dev.tern.auth;

import dev.tern.Attributes;
import dev.tern.Context;
import dev.tern.Contexts;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.Status;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Authenticates calls by the client certificate of a mutual-TLS connection: the TLS layer has
 * already verified the chain against the server's trust store (and the call's
 * {@link Attributes#SSL_SESSION} holds the session); this interceptor names the caller after the
 * leaf certificate and puts that {@link Principal} into the Context as
 * {@link AuthContext#PRINCIPAL}. A call on a plaintext connection, or a TLS connection whose
 * client sent no certificate, ends with UNAUTHENTICATED.
 *
 * <p>By default the principal's name is the subject's common name (CN), or the whole subject DN
 * if it has none; its attributes are {@code x509.subject}, {@code x509.issuer},
 * {@code x509.serial} and {@code x509.san} (the subject alternative names as strings, e.g. a
 * SPIFFE URI). {@link #create(Function)} maps certificates to principals your way (roles from an
 * OU, names from a SPIFFE ID). Thread-safe.
 */
public final class MtlsInterceptor implements ServerInterceptor {
  private final Function<X509Certificate, Principal> mapper;

  private MtlsInterceptor(Function<X509Certificate, Principal> mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /** Names callers by their certificate's CN (see the class comment). */
  public static MtlsInterceptor create() {
    return new MtlsInterceptor(MtlsInterceptor::defaultPrincipal);
  }

  /** Names callers with {@code mapper}; a null result rejects the call (UNAUTHENTICATED). */
  public static MtlsInterceptor create(Function<X509Certificate, Principal> mapper) {
    return new MtlsInterceptor(mapper);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Principal principal = principal(call.getAttributes().get(Attributes.SSL_SESSION));
    if (principal == null) {
      return Rejection.reject(call,
          Status.UNAUTHENTICATED.withDescription("A verified client certificate is required"));
    }
    Context context = Context.current().withValue(AuthContext.PRINCIPAL, principal);
    return Contexts.interceptCall(context, call, headers, next);
  }

  /** The principal for a TLS session's verified peer, or null if there is none. */
  Principal principal(SSLSession session) {
    if (session == null) {
      return null;
    }
    Certificate[] chain;
    try {
      // Throws unless the peer presented a certificate that the trust manager accepted.
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
      return null;
    }
    return mapper.apply((X509Certificate) chain[0]);
  }

  /** The default mapping: CN (or the DN) as the name, certificate fields as attributes. */
  public static Principal defaultPrincipal(X509Certificate cert) {
    String subject = cert.getSubjectX500Principal().getName();
    Map<String, Object> attrs = new LinkedHashMap<>();
    attrs.put("x509.subject", subject);
    attrs.put("x509.issuer", cert.getIssuerX500Principal().getName());
    attrs.put("x509.serial", cert.getSerialNumber().toString(16));
    attrs.put("x509.san", subjectAltNames(cert));
    String cn = commonName(subject);
    return Principal.of(cn != null ? cn : subject, List.of(), attrs);
  }

  private static String commonName(String dn) {
    try {
      List<Rdn> rdns = new LdapName(dn).getRdns();
      // LdapName lists RDNs from the least significant; the last CN is the most specific.
      for (int i = rdns.size() - 1; i >= 0; i--) {
        Rdn rdn = rdns.get(i);
        if ("CN".equalsIgnoreCase(rdn.getType())) {
          return rdn.getValue().toString();
        }
      }
    } catch (InvalidNameException e) {
      return null;
    }
    return null;
  }

  private static List<String> subjectAltNames(X509Certificate cert) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (san.size() >= 2 && san.get(1) instanceof String) {
            out.add((String) san.get(1));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // An unparsable extension leaves the list empty; the chain itself was verified by TLS.
    }
    return List.copyOf(out);
  }
}
