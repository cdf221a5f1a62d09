package dev.tern.netty.internal;

import dev.tern.internal.JsonParser;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * The service config a host publishes in DNS (gRFC A2): TXT records of
 * {@code _grpc_config.<host>} starting {@code grpc_config=}, joined, hold a JSON list of choices
 * ({@code clientLanguage}, {@code percentage}, {@code clientHostname}, {@code serviceConfig});
 * the first choice that applies to this client wins. Looked up with the JDK's JNDI DNS provider
 * (no dependency). Stateless.
 */
final class DnsServiceConfig {
  private static final String PREFIX = "grpc_config=";

  private DnsServiceConfig() {}

  /**
   * The chosen service config, as a JSON object, or null if the host publishes none that
   * applies. A malformed record is an {@link IllegalArgumentException}.
   */
  static String lookup(String host) {
    StringBuilder txt = new StringBuilder();
    try {
      Hashtable<String, String> env = new Hashtable<>();
      env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
      env.put("java.naming.provider.url", "dns:");
      DirContext ctx = new InitialDirContext(env);
      try {
        Attributes attrs = ctx.getAttributes("_grpc_config." + host, new String[] {"TXT"});
        Attribute records = attrs.get("TXT");
        if (records == null) {
          return null;
        }
        NamingEnumeration<?> values = records.getAll();
        while (values.hasMore()) {
          String record = unquote(String.valueOf(values.next()));
          if (record.startsWith(PREFIX)) {
            txt.append(record, PREFIX.length(), record.length());
          }
        }
      } finally {
        ctx.close();
      }
    } catch (javax.naming.NameNotFoundException e) {
      return null;
    } catch (NamingException e) {
      return null; // no TXT record, or DNS unreachable: nothing to apply
    }
    return txt.length() == 0 ? null : choose(txt.toString(), localHostName());
  }

  /** Applies A2's choice rules to the joined TXT text; package-private for tests. */
  static String choose(String choicesJson, String hostname) {
    Object root = JsonParser.parse(choicesJson);
    if (!(root instanceof List<?> choices)) {
      throw new IllegalArgumentException("grpc_config: must be a JSON list of choices");
    }
    for (int i = 0; i < choices.size(); i++) {
      if (!(choices.get(i) instanceof Map<?, ?> choice)) {
        throw new IllegalArgumentException("grpc_config[" + i + "]: must be an object");
      }
      if (applies(choice, hostname, i)) {
        Object config = choice.get("serviceConfig");
        if (!(config instanceof Map<?, ?>)) {
          throw new IllegalArgumentException("grpc_config[" + i + "].serviceConfig: missing");
        }
        return JsonWriter.write(config);
      }
    }
    return null;
  }

  private static boolean applies(Map<?, ?> choice, String hostname, int i) {
    Object languages = choice.get("clientLanguage");
    if (languages != null && !containsIgnoreCase(languages, "java", i, "clientLanguage")) {
      return false;
    }
    Object hosts = choice.get("clientHostname");
    if (hosts != null && !containsIgnoreCase(hosts, hostname, i, "clientHostname")) {
      return false;
    }
    Object percentage = choice.get("percentage");
    if (percentage != null) {
      if (!(percentage instanceof Double p) || p < 0 || p > 100) {
        throw new IllegalArgumentException("grpc_config[" + i + "].percentage: must be 0-100");
      }
      return ThreadLocalRandom.current().nextInt(100) < p;
    }
    return true;
  }

  private static boolean containsIgnoreCase(Object list, String value, int i, String field) {
    if (!(list instanceof List<?> l)) {
      throw new IllegalArgumentException("grpc_config[" + i + "]." + field + ": must be a list");
    }
    for (Object o : l) {
      if (o instanceof String s && value != null
          && s.toLowerCase(Locale.ROOT).equals(value.toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  /** JNDI returns a TXT record's strings quoted when it has spaces; joins them unquoted. */
  private static String unquote(String record) {
    if (record.length() >= 2 && record.startsWith("\"") && record.endsWith("\"")) {
      return record.substring(1, record.length() - 1).replace("\" \"", "").replace("\\\"", "\"");
    }
    return record;
  }

  private static String localHostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
