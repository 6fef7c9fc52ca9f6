package io.wrenn.controlplane.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.embeddeddb.EmbeddedDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The database `wrenn up` runs takes the control plane's schema, as Wrenn's own role (no superuser). */
class SchemaOnEmbeddedDatabaseTest {

    @TempDir
    Path home;

    @Test
    void theControlPlaneSchemaMigratesOnIt() {
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(home.resolve("pg"));
             Database db = Database.open(pg.jdbcUrl(), pg.user(), pg.password())) {
            int templates = db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM templates").mapTo(Integer.class).one());
            assertThat(templates).as("the platform's minimal, debian and base").isEqualTo(3);
        }
    }
}
