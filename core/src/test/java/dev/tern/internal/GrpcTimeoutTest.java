package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GrpcTimeoutTest {

  @ParameterizedTest
  @CsvSource({
    // nanos, encoded: the last value of each unit and the first of the next
    "1, 1n",
    "99999999, 99999999n",
    "100000000, 100000u",
    "99999999999, 99999999u",
    "100000000000, 100000m",
    "99999999999999, 99999999m",
    "100000000000000, 100000S",
    "99999999999999999, 99999999S",
    "100000000000000000, 1666666M",
    "5999999940000000000, 99999999M",
    "5999999999999999999, 99999999M",
    "6000000000000000000, 1666666H",
    "9223372036854775807, 2562047H",
  })
  void encodesWithTheFinestUnitThatFitsInEightDigits(long nanos, String encoded) {
    assertEquals(encoded, GrpcTimeout.encode(nanos));
  }

  @ParameterizedTest
  @CsvSource({
    "0n, 0",
    "1n, 1",
    "99999999n, 99999999",
    "1u, 1000",
    "99999999u, 99999999000",
    "1m, 1000000",
    "99999999m, 99999999000000",
    "1S, 1000000000",
    "99999999S, 99999999000000000",
    "1M, 60000000000",
    "99999999M, 5999999940000000000",
    "1H, 3600000000000",
    "2562047H, 9223369200000000000",
    "00000007S, 7000000000",
  })
  void decodesEveryUnit(String encoded, long nanos) {
    assertEquals(nanos, GrpcTimeout.decodeNanos(encoded));
  }

  @Test
  void roundTripsExactlyAtEveryUnitBoundary() {
    long[] unitNanos = {1L, 1_000L, 1_000_000L, 1_000_000_000L, 60_000_000_000L,
        3_600_000_000_000L};
    for (long unit : unitNanos) {
      for (long value : new long[] {1, 9, 10, 99_999, 100_000, 99_999_999}) {
        if (value > Long.MAX_VALUE / unit) {
          continue;
        }
        long nanos = value * unit;
        assertEquals(nanos, GrpcTimeout.decodeNanos(GrpcTimeout.encode(nanos)), "nanos " + nanos);
      }
    }
  }

  @Test
  void roundsDownSoTheServerNeverGetsMoreTime() {
    assertEquals("100000u", GrpcTimeout.encode(100_000_999L));
    assertEquals("99999999u", GrpcTimeout.encode(99_999_999_999L));
    assertEquals("100000m", GrpcTimeout.encode(100_000_999_999L));
    assertEquals("99999999S", GrpcTimeout.encode(TimeUnit.SECONDS.toNanos(99_999_999L) + 999_999));
    SplittableRandom random = new SplittableRandom(0x7E27);
    for (int i = 0; i < 100_000; i++) {
      long nanos = Math.max(1, random.nextLong(1, Long.MAX_VALUE) >>> random.nextInt(63));
      String encoded = GrpcTimeout.encode(nanos);
      long decoded = GrpcTimeout.decodeNanos(encoded);
      long loss = nanos - decoded;
      assertTrue(decoded <= nanos, () -> nanos + " -> " + encoded);
      assertTrue(decoded > 0, () -> nanos + " -> " + encoded);
      // The loss is less than one unit of the chosen (finest fitting) unit.
      long unitNanos = GrpcTimeout.decodeNanos("1" + encoded.charAt(encoded.length() - 1));
      assertTrue(loss < unitNanos, () -> nanos + " -> " + encoded);
      assertTrue(encoded.length() <= 9, encoded);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -1, Long.MIN_VALUE})
  void nonPositiveTimeoutEncodesAsTheSmallestValidValue(long nanos) {
    assertEquals("1n", GrpcTimeout.encode(nanos));
  }

  @Test
  void decodeSaturatesInsteadOfOverflowing() {
    assertEquals(Long.MAX_VALUE, GrpcTimeout.decodeNanos("99999999H"));
    assertEquals(Long.MAX_VALUE, GrpcTimeout.decodeNanos("2562048H"));
  }

  @Test
  void decodeAcceptsAnyCharSequence() {
    assertEquals(250_000_000L, GrpcTimeout.decodeNanos(new StringBuilder("250m")));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "''           | empty value",
    "100          | missing unit",
    "5            | missing unit",
    "10x          | unknown unit 'x'",
    "10s          | unknown unit 's'",
    "10h          | unknown unit 'h'",
    "'10 '        | unknown unit ' '",
    "S            | missing value",
    "123456789S   | more than 8 digits",
    "000000001n   | more than 8 digits",
    "-1S          | non-digit character '-' at index 0",
    "+1S          | non-digit character '+' at index 0",
    "' 1S'        | non-digit character ' ' at index 0",
    "1.5S         | non-digit character '.' at index 1",
    "1_0m         | non-digit character '_' at index 1",
    "0x1S         | non-digit character 'x' at index 1",
    "١S           | non-digit character '١' at index 0",
  })
  void rejectsMalformedValuesWithAClearMessage(String value, String problem) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GrpcTimeout.decodeNanos(value));
    assertTrue(e.getMessage().contains("grpc-timeout"), e.getMessage());
    assertTrue(e.getMessage().contains(problem), e.getMessage());
  }
}
