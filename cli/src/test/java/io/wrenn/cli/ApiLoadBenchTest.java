package io.wrenn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ApiLoadBenchTest {

    @Test
    void readsRateAndPercentilesInAnyUnitAndCountsErrors() {
        String report = """
                Running 10s test @ http://127.0.0.1:8080/v1/sandboxes
                  2 threads and 32 connections
                  Thread Stats   Avg      Stdev     Max   +/- Stdev
                    Latency     2.90ms    1.20ms  40.00ms   90.00%
                    Req/Sec     5.60k   300.00     6.10k    70.00%
                  Latency Distribution
                     50%  850.00us
                     75%    3.10ms
                     90%    4.20ms
                     99%    1.20s
                  111504 requests in 10.00s, 40.00MB read
                  Socket errors: connect 0, read 2, write 0, timeout 1
                  Non-2xx or 3xx responses: 4
                Requests/sec:  11150.40
                Transfer/sec:      4.00MB
                """;

        ApiLoadBench.Load load = ApiLoadBench.parse("GET /v1/sandboxes", report);

        assertThat(load.requestsPerSecond()).isEqualTo(11150.40);
        assertThat(load.p50Ms()).isCloseTo(0.85, within(1e-9));
        assertThat(load.p99Ms()).isCloseTo(1200, within(1e-9));
        assertThat(load.errors()).isEqualTo(7);
    }
}
