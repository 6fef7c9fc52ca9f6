package io.wrenn.controlplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ControlPlaneMetersTest {

    @Test
    void requestsAreCountedByMethodRouteAndStatusClass() {
        ControlPlaneMeters meters = new ControlPlaneMeters();
        meters.request("GET", "/v1/sandboxes/{id}", 200, Duration.ofMillis(2));
        meters.request("GET", "/v1/sandboxes/{id}", 204, Duration.ofMillis(3));
        meters.request("GET", "/v1/sandboxes/{id}", 404, Duration.ofMillis(1));
        meters.request("POST", "/v1/sandboxes", 201, Duration.ofMillis(900));

        String text = meters.scrape();

        assertThat(text)
                .contains("wrenn_http_server_requests_seconds_count{method=\"GET\",route=\"/v1/sandboxes/{id}\",status=\"2xx\"} 2")
                .contains("wrenn_http_server_requests_seconds_count{method=\"GET\",route=\"/v1/sandboxes/{id}\",status=\"4xx\"} 1")
                .contains("wrenn_http_server_requests_seconds_count{method=\"POST\",route=\"/v1/sandboxes\",status=\"2xx\"} 1")
                .contains("wrenn_http_server_requests_seconds_bucket{method=\"POST\",route=\"/v1/sandboxes\",status=\"2xx\",le=\"1.0\"} 1");
    }
}
