package io.wrenn.controlplane.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.controlplane.db.Database;
import io.wrenn.controlplane.testing.TestPostgres;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Two control planes on one database: what one publishes, the other hears; junk is ignored. */
class TrafficEndsTest {

    record Heard(TrafficEnds.Kind kind, UUID id) {
    }

    @Test
    void anEndPublishedByOneControlPlaneIsHeardByTheOther() throws Exception {
        String url = TestPostgres.newDatabase();
        try (Database db = Database.open(url, TestPostgres.user(), TestPostgres.password());
             TrafficEnds first = new TrafficEnds(db.jdbi(), db::dedicatedConnection);
             TrafficEnds second = new TrafficEnds(db.jdbi(), db::dedicatedConnection)) {
            List<Heard> heard = new CopyOnWriteArrayList<>();
            second.subscribe((kind, id) -> heard.add(new Heard(kind, id)));
            assertThat(second.awaitListening(Duration.ofSeconds(30))).isTrue();
            UUID sandbox = UUID.randomUUID();
            UUID key = UUID.randomUUID();

            db.jdbi().useHandle(h -> h.createQuery("SELECT pg_notify('" + TrafficEnds.CHANNEL + "', 'not one:of ours')")
                    .mapTo(String.class).one());
            first.publish(TrafficEnds.Kind.TOKEN_REPLACED, sandbox);
            first.publish(TrafficEnds.Kind.KEY_REVOKED, key);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(heard).containsExactly(
                    new Heard(TrafficEnds.Kind.TOKEN_REPLACED, sandbox), new Heard(TrafficEnds.Kind.KEY_REVOKED, key)));
        }
    }
}
