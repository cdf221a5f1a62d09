package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MethodPatternTest {
  @Test
  void starMatchesEverything() {
    assertTrue(MethodPattern.compile("*").matches("a.B/C"));
    assertTrue(MethodPattern.compile("**").matches("a.B/C"));
  }

  @Test
  void literalPatternMatchesOnlyItselfWithOrWithoutLeadingSlash() {
    MethodPattern p = MethodPattern.compile("/shop.Orders/Get");
    assertTrue(p.matches("shop.Orders/Get"));
    assertTrue(p.matches("/shop.Orders/Get"));
    assertFalse(p.matches("shop.Orders/GetAll"));
    assertFalse(p.matches("xshop.Orders/Get"));
  }

  @Test
  void wildcardsMatchServicesPrefixesSuffixesAndMiddles() {
    assertTrue(MethodPattern.compile("shop.Orders/*").matches("shop.Orders/Delete"));
    assertFalse(MethodPattern.compile("shop.Orders/*").matches("shop.Users/Delete"));
    assertTrue(MethodPattern.compile("shop.Orders/Get*").matches("shop.Orders/GetAll"));
    assertFalse(MethodPattern.compile("shop.Orders/Get*").matches("shop.Orders/Delete"));
    assertTrue(MethodPattern.compile("*/Ping").matches("health.Check/Ping"));
    assertFalse(MethodPattern.compile("*/Ping").matches("health.Check/PingPong"));
    assertTrue(MethodPattern.compile("shop.*/List*").matches("shop.Users/ListAll"));
    assertFalse(MethodPattern.compile("a*a").matches("a"));
    assertTrue(MethodPattern.compile("a*a").matches("aa"));
  }

  @Test
  void rejectsEmptyAndNonPrintablePatterns() {
    assertThrows(IllegalArgumentException.class, () -> MethodPattern.compile(""));
    assertThrows(IllegalArgumentException.class, () -> MethodPattern.compile("a b/c"));
  }
}
