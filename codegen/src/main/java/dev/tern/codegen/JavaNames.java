package dev.tern.codegen;

import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.Edition;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FeatureSet;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.JavaFeaturesProto;
import com.google.protobuf.JavaFeaturesProto.JavaFeatures.NestInFileClassFeature.NestInFileClass;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Java names protoc's own Java generator gives to proto files and messages, so that generated
 * service code refers to the message classes that {@code --java_out} produced. Follows protoc's
 * rules: {@code java_package} (else the proto package), {@code java_outer_classname} (else the
 * camel-cased file name, with an {@code OuterClass} suffix when a type in the file has that name,
 * or, from edition 2024, with a {@code Proto} suffix), and nesting in the outer class unless
 * {@code java_multiple_files} (from edition 2024: the {@code pb.java} feature
 * {@code nest_in_file_class}, default NO). Not thread-safe; one instance per request.
 */
final class JavaNames {
  private static final String OUTER_CLASS_SUFFIX = "OuterClass";

  static {
    // protobuf-java's DescriptorProtos and JavaFeaturesProto initialise each other; the one
    // safe order is DescriptorProtos first (the other order fails, or deadlocks across threads).
    DescriptorProtos.getDescriptor();
  }

  /** Proto full name (".pkg.Outer.Inner") to Java qualified name ("com.x.Outer.Inner"). */
  private final Map<String, String> messageClasses = new HashMap<>();
  /** Proto full name to the Java package of the message's class. */
  private final Map<String, String> messagePackages = new HashMap<>();
  /** Proto full name to whether the message or an enclosing one is deprecated. */
  private final Map<String, Boolean> messageDeprecated = new HashMap<>();
  /** Every top-level Java class the Java generator writes, by qualified name. */
  private final Set<String> topLevelClasses = new HashSet<>();

  JavaNames(List<FileDescriptorProto> files) {
    for (FileDescriptorProto file : files) {
      index(file);
    }
  }

  /** The Java class of the message with proto full name {@code protoType} (".pkg.Msg"). */
  String messageClass(String protoType) {
    String name = messageClasses.get(protoType);
    if (name == null) {
      throw new GeneratorException("unknown message type " + protoType);
    }
    return name;
  }

  /** The Java package of the message's class. */
  String messagePackage(String protoType) {
    messageClass(protoType);
    return messagePackages.get(protoType);
  }

  /** Whether referring to the message's class draws a deprecation warning. */
  boolean isDeprecated(String protoType) {
    return messageDeprecated.getOrDefault(protoType, false);
  }

  /** Whether protoc's Java generator writes a top-level class with this qualified name. */
  boolean isTopLevelClass(String qualifiedName) {
    return topLevelClasses.contains(qualifiedName);
  }

  /** The file's Java package: {@code java_package}, else its proto package; "" for none. */
  static String javaPackage(FileDescriptorProto file) {
    if (file.getOptions().hasJavaPackage()) {
      return file.getOptions().getJavaPackage();
    }
    return file.getPackage();
  }

  static String qualify(String javaPackage, String name) {
    return javaPackage.isEmpty() ? name : javaPackage + "." + name;
  }

  /** The edition of a file; proto2 and proto3 files map to their legacy editions. */
  static Edition edition(FileDescriptorProto file) {
    switch (file.getSyntax()) {
      case "":
      case "proto2":
        return Edition.EDITION_PROTO2;
      case "proto3":
        return Edition.EDITION_PROTO3;
      case "editions":
        return file.getEdition();
      default:
        throw new GeneratorException(
            file.getName() + ": unsupported syntax \"" + file.getSyntax() + "\"");
    }
  }

  private static boolean atLeast2024(FileDescriptorProto file) {
    return edition(file).getNumber() >= Edition.EDITION_2024.getNumber();
  }

  /** The name of the file's outer ("file") class, without package. */
  static String outerClassName(FileDescriptorProto file) {
    if (file.getOptions().hasJavaOuterClassname()) {
      return file.getOptions().getJavaOuterClassname();
    }
    String path = file.getName();
    String base = path.substring(path.lastIndexOf('/') + 1);
    if (base.endsWith(".protodevel")) {
      base = base.substring(0, base.length() - ".protodevel".length());
    } else if (base.endsWith(".proto")) {
      base = base.substring(0, base.length() - ".proto".length());
    }
    String name = underscoresToCamelCase(base, true);
    // Edition 2024 turned the feature use_old_outer_classname_default off: "FooProto", with no
    // conflict check. Before, "Foo", or "FooOuterClass" when a type in the file is named "Foo".
    if (atLeast2024(file)) {
      return name + "Proto";
    }
    return hasTypeNamed(file, name) ? name + OUTER_CLASS_SUFFIX : name;
  }

  private static boolean hasTypeNamed(FileDescriptorProto file, String name) {
    for (EnumDescriptorProto e : file.getEnumTypeList()) {
      if (e.getName().equals(name)) {
        return true;
      }
    }
    for (ServiceDescriptorProto s : file.getServiceList()) {
      if (s.getName().equals(name)) {
        return true;
      }
    }
    for (DescriptorProto m : file.getMessageTypeList()) {
      if (messageHasTypeNamed(m, name)) {
        return true;
      }
    }
    return false;
  }

  private static boolean messageHasTypeNamed(DescriptorProto message, String name) {
    if (message.getName().equals(name)) {
      return true;
    }
    for (DescriptorProto nested : message.getNestedTypeList()) {
      if (messageHasTypeNamed(nested, name)) {
        return true;
      }
    }
    for (EnumDescriptorProto e : message.getEnumTypeList()) {
      if (e.getName().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a top-level type with these options is nested in the file's outer class. */
  private static boolean nestedInFileClass(FileDescriptorProto file, FeatureSet features) {
    if (!atLeast2024(file)) {
      return !file.getOptions().getJavaMultipleFiles();
    }
    // pb.java.nest_in_file_class targets messages, enums and services only (not files), so only
    // the type's own features matter; its edition-2024 default is NO.
    return features.hasExtension(JavaFeaturesProto.java_)
        && features.getExtension(JavaFeaturesProto.java_).getNestInFileClass()
            == NestInFileClass.YES;
  }

  private void index(FileDescriptorProto file) {
    String javaPackage = javaPackage(file);
    String outer = qualify(javaPackage, outerClassName(file));
    topLevelClasses.add(outer);
    String protoPrefix = file.getPackage().isEmpty() ? "." : "." + file.getPackage() + ".";
    for (DescriptorProto message : file.getMessageTypeList()) {
      boolean nested = nestedInFileClass(file, message.getOptions().getFeatures());
      String javaName = nested
          ? outer + "." + message.getName()
          : qualify(javaPackage, message.getName());
      if (!nested) {
        topLevelClasses.add(javaName);
      }
      // Only a message's own deprecated option (or an enclosing message's) makes protoc's Java
      // generator mark its class @Deprecated; a deprecated file does not.
      indexMessage(message, protoPrefix + message.getName(), javaName, javaPackage, false);
    }
    for (EnumDescriptorProto e : file.getEnumTypeList()) {
      if (!nestedInFileClass(file, e.getOptions().getFeatures())) {
        topLevelClasses.add(qualify(javaPackage, e.getName()));
      }
    }
  }

  private void indexMessage(DescriptorProto message, String protoName, String javaName,
      String javaPackage, boolean deprecated) {
    boolean isDeprecated = deprecated || message.getOptions().getDeprecated();
    messageClasses.put(protoName, javaName);
    messagePackages.put(protoName, javaPackage);
    messageDeprecated.put(protoName, isDeprecated);
    for (DescriptorProto nested : message.getNestedTypeList()) {
      indexMessage(nested, protoName + "." + nested.getName(),
          javaName + "." + nested.getName(), javaPackage, isDeprecated);
    }
  }

  /**
   * protoc's Java {@code UnderscoresToCamelCase}: drops non-alphanumerics, capitalises the letter
   * after one of them or after a digit, lower-cases a leading capital unless {@code capNext}.
   */
  static String underscoresToCamelCase(String input, boolean capNext) {
    StringBuilder sb = new StringBuilder(input.length());
    for (int i = 0; i < input.length(); i++) {
      char c = input.charAt(i);
      if (c >= 'a' && c <= 'z') {
        sb.append(capNext ? (char) (c - 'a' + 'A') : c);
        capNext = false;
      } else if (c >= 'A' && c <= 'Z') {
        sb.append(i == 0 && !capNext ? (char) (c - 'A' + 'a') : c);
        capNext = false;
      } else if (c >= '0' && c <= '9') {
        sb.append(c);
        capNext = true;
      } else {
        capNext = true;
      }
    }
    return sb.toString();
  }

  /**
   * A method name as a Java method name: first letter lower-cased, underscores dropped with the
   * following letter capitalised ({@code SayHello} → {@code sayHello}, {@code get_user} →
   * {@code getUser}), and a trailing {@code _} if the result is a Java keyword or literal.
   */
  static String javaMethodName(String protoName) {
    StringBuilder sb = new StringBuilder(protoName.length());
    boolean afterUnderscore = false;
    for (int i = 0; i < protoName.length(); i++) {
      char c = protoName.charAt(i);
      if (c == '_') {
        afterUnderscore = sb.length() > 0;
      } else if (sb.length() == 0) {
        sb.append(Character.toLowerCase(c));
      } else {
        sb.append(afterUnderscore ? Character.toUpperCase(c) : c);
        afterUnderscore = false;
      }
    }
    String name = sb.length() == 0 ? "method" : sb.toString();
    return isReserved(name) ? name + "_" : name;
  }

  /** {@code SayHello} → {@code SAY_HELLO}; {@code getHTTPStatus} → {@code GET_HTTPSTATUS}. */
  static String upperSnake(String protoName) {
    StringBuilder sb = new StringBuilder(protoName.length() + 8);
    for (int i = 0; i < protoName.length(); i++) {
      char c = protoName.charAt(i);
      if (Character.isUpperCase(c) && i > 0
          && Character.isLowerCase(protoName.charAt(i - 1))) {
        sb.append('_');
      }
      sb.append(c);
    }
    return sb.toString().toUpperCase(Locale.ROOT);
  }

  private static final Set<String> RESERVED = Set.of(
      "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
      "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally",
      "float", "for", "goto", "if", "implements", "import", "instanceof", "int", "interface",
      "long", "native", "new", "package", "private", "protected", "public", "return", "short",
      "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws",
      "transient", "try", "void", "volatile", "while", "true", "false", "null",
      // Restricted identifiers: legal names in places, but trouble as method names or calls.
      "var", "yield", "record", "sealed", "permits", "_");

  static boolean isReserved(String name) {
    return RESERVED.contains(name);
  }
}
