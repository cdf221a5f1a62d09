package dev.tern.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.tern.benchmarks.orders.Address;
import dev.tern.benchmarks.orders.LineItem;
import dev.tern.benchmarks.orders.Order;
import java.util.ArrayList;
import java.util.List;

/**
 * The order store of the gRPC-against-JSON/REST comparison: {@link #COUNT} orders built once,
 * the same data as protobuf messages (served by Tern) and as Java records (served as JSON by
 * Jackson), so that every server looks up a ready object and only serializes it per request.
 * Immutable; thread-safe.
 */
final class Orders {
  static final int COUNT = 64;
  /** The path prefix of the REST servers: {@code GET /orders/{id}}. */
  static final String PATH = "/orders/";
  /** snake_case on the wire, like the .proto's JSON names would be in most REST APIs. */
  static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  private static final Order[] PROTOS = new Order[COUNT];
  private static final OrderJson[] RECORDS = new OrderJson[COUNT];

  static {
    for (int i = 0; i < COUNT; i++) {
      PROTOS[i] = build(i + 1);
      RECORDS[i] = OrderJson.of(PROTOS[i]);
    }
  }

  private Orders() {}

  /** Ids 1..COUNT exist; others are not found (null). */
  static Order proto(long id) {
    return id >= 1 && id <= COUNT ? PROTOS[(int) id - 1] : null;
  }

  static OrderJson record(long id) {
    return id >= 1 && id <= COUNT ? RECORDS[(int) id - 1] : null;
  }

  /** The id a client asks for on its {@code n}-th request. */
  static long idFor(long n) {
    return n % COUNT + 1;
  }

  private static Order build(long id) {
    List<LineItem> items = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      items.add(LineItem.newBuilder().setSku("SKU-" + (10_000 + id * 7 + i))
          .setName(new String[] {"Stainless steel water bottle 750 ml", "Organic cotton T-shirt,"
              + " navy, size M", "USB-C charging cable 2 m"}[i])
          .setQuantity(i + 1).setUnitPriceCents(1_999 + 500 * i).setDiscountCents(i == 0 ? 200 : 0)
          .build());
    }
    Address address = Address.newBuilder().setStreet(id + " Harbour View Road, Apartment 12B")
        .setCity("Portsmouth").setPostalCode("PO1 3AX").setCountry("GB").build();
    return Order.newBuilder()
        .setId(id).setCustomerId(900_000 + id).setCustomerName("Alexandra Montgomery-Smith")
        .setCustomerEmail("alexandra.montgomery@example.com").setStatus("SHIPPED")
        .setCurrency("GBP").setCreatedAt("2026-11-28T14:03:17.512Z")
        .setUpdatedAt("2026-11-30T09:41:02.088Z").setShippingAddress(address)
        .setBillingAddress(address).setSubtotalCents(10_494).setTaxCents(2_099)
        .setShippingCents(499).setTotalCents(13_092).setPaymentMethod("card:visa:4242")
        .setCouponCode("WINTER10").setNotes("Leave with the concierge if nobody answers.")
        .setPriority(2).setGift(id % 2 == 0).setTrackingNumber("JD0002" + (1_000_000 + id) + "GB")
        .addAllLineItems(items)
        .build();
  }

  /** The order as a plain Java record, the idiomatic shape for Jackson. */
  record OrderJson(long id, long customerId, String customerName, String customerEmail,
      String status, String currency, String createdAt, String updatedAt,
      AddressJson shippingAddress, AddressJson billingAddress, long subtotalCents, long taxCents,
      long shippingCents, long totalCents, String paymentMethod, String couponCode, String notes,
      int priority, boolean gift, String trackingNumber, List<LineItemJson> lineItems) {
    static OrderJson of(Order o) {
      List<LineItemJson> items = new ArrayList<>();
      for (LineItem i : o.getLineItemsList()) {
        items.add(new LineItemJson(i.getSku(), i.getName(), i.getQuantity(),
            i.getUnitPriceCents(), i.getDiscountCents()));
      }
      return new OrderJson(o.getId(), o.getCustomerId(), o.getCustomerName(),
          o.getCustomerEmail(), o.getStatus(), o.getCurrency(), o.getCreatedAt(),
          o.getUpdatedAt(), AddressJson.of(o.getShippingAddress()),
          AddressJson.of(o.getBillingAddress()), o.getSubtotalCents(), o.getTaxCents(),
          o.getShippingCents(), o.getTotalCents(), o.getPaymentMethod(), o.getCouponCode(),
          o.getNotes(), o.getPriority(), o.getGift(), o.getTrackingNumber(),
          List.copyOf(items));
    }
  }

  /** A postal address. */
  record AddressJson(String street, String city, String postalCode, String country) {
    static AddressJson of(Address a) {
      return new AddressJson(a.getStreet(), a.getCity(), a.getPostalCode(), a.getCountry());
    }
  }

  /** One line of an order. */
  record LineItemJson(String sku, String name, int quantity, long unitPriceCents,
      long discountCents) {}
}
