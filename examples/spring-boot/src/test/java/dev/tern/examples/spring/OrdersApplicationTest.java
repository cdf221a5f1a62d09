package dev.tern.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.examples.spring.v1.GetOrderRequest;
import dev.tern.examples.spring.v1.Order;
import dev.tern.examples.spring.v1.OrderServiceTern;
import dev.tern.netty.TernChannel;
import dev.tern.services.health.v1.HealthCheckRequest;
import dev.tern.services.health.v1.HealthCheckResponse.ServingStatus;
import dev.tern.services.health.v1.HealthTern;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The application as it runs in production, on free ports: Tern's server on
 * {@code local.tern.server.port}, Tomcat (JSON and the actuator) on the web port. One context for
 * the whole class; its test methods run one at a time.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "tern.server.port=0")
class OrdersApplicationTest {
  private static final String GET_ORDER = "tern.examples.spring.v1.OrderService/GetOrder";

  @LocalServerPort
  int webPort;

  @Value("${local.tern.server.port}")
  int ternPort;

  private final HttpClient http = HttpClient.newHttpClient();
  private final JsonMapper json = JsonMapper.builder().build();
  private TernChannel channel;

  @BeforeEach
  void connect() {
    channel = TernChannel.builder().forAddress("127.0.0.1", ternPort).usePlaintext().build();
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    channel.shutdownNow();
    assertTrue(channel.awaitTermination(10, TimeUnit.SECONDS));
  }

  @Test
  void getOrderAnswersOverHttp2WithTernsClient() {
    Order order = getOrder("A-1001");

    assertEquals("espresso beans, 1 kg", order.getItem());
    assertEquals(2, order.getQuantity());
  }

  @Test
  void unknownOrderIsNotFound() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> getOrder("Z-9"));

    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
  }

  @Test
  void grpcHealthReportsServing() {
    ServingStatus status = HealthTern.newBlockingStub(channel)
        .check(HealthCheckRequest.newBuilder().setService("").build()).getStatus();

    assertEquals(ServingStatus.SERVING, status);
  }

  @Test
  void actuatorHealthShowsTheTernComponentUp() throws Exception {
    HttpResponse<String> response = get("/actuator/health");

    assertEquals(200, response.statusCode(), response.body());
    JsonNode health = json.readTree(response.body());
    assertEquals("UP", health.at("/components/tern/status").asString(), response.body());
    assertEquals("UP", health.at("/status").asString(), response.body());
  }

  @Test
  void actuatorMetricsCountTheServerCall() throws Exception {
    double before = serverCallsStarted();

    getOrder("A-1002");

    // grpc.server.call.started is counted before the handler runs, so before the reply.
    assertEquals(before + 1, serverCallsStarted());
  }

  @Test
  void theSameOrderIsJsonOverHttp1() throws Exception {
    HttpResponse<String> response = get("/orders/A-1002");

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("burr grinder", json.readTree(response.body()).at("/item").asString());
  }

  private Order getOrder(String id) {
    return OrderServiceTern.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .getOrder(GetOrderRequest.newBuilder().setId(id).build());
  }

  /** The actuator's COUNT of grpc.server.call.started for GetOrder; 0 before the first call. */
  private double serverCallsStarted() throws IOException, InterruptedException {
    HttpResponse<String> response =
        get("/actuator/metrics/grpc.server.call.started?tag=grpc.method:" + GET_ORDER);
    if (response.statusCode() == 404) {
      return 0;
    }
    assertEquals(200, response.statusCode(), response.body());
    JsonNode count = json.readTree(response.body()).at("/measurements/0");
    assertEquals("COUNT", count.at("/statistic").asString(), response.body());
    return count.at("/value").asDouble();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }
}
