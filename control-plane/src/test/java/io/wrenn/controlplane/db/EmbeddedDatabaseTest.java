package io.wrenn.controlplane.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseTest {

    @TempDir
    Path home;

    @Test
    void dataSurvivesARestartAndNoServerIsLeft() throws Exception {
        Path data = home.resolve("postgres");
        long pid;
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(data);
             Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            c.createStatement().execute("CREATE TABLE kept (v text)");
            c.createStatement().execute("INSERT INTO kept VALUES ('hello')");
            pid = serverPid(data);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();

        try (EmbeddedDatabase pg = EmbeddedDatabase.start(data);
             Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             ResultSet rs = c.createStatement().executeQuery("SELECT v FROM kept")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("hello");
            pid = serverPid(data);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void aServerLeftRunningByADeadOwnerIsStoppedAtTheNextStart() throws Exception {
        Path data = home.resolve("orphaned");
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        Process owner = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                StartAndHang.class.getName(), data.toString())
                .redirectErrorStream(true).redirectOutput(home.resolve("owner.log").toFile()).start();
        long orphan;
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMinutes(1))
                    .until(() -> java.nio.file.Files.readString(home.resolve("owner.log")).contains("started"));
            orphan = serverPid(data);
        } finally {
            owner.destroyForcibly().waitFor(); // the owner dies without stopping its server
        }
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isTrue();
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(data);
             Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(c.isValid(5)).isTrue();
        } finally {
            ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void theControlPlaneSchemaMigratesOnIt() {
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(home.resolve("pg"));
             Database db = Database.open(pg.jdbcUrl(), pg.user(), pg.password())) {
            int templates = db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM templates").mapTo(Integer.class).one());
            assertThat(templates).as("the platform's minimal, debian and base").isEqualTo(3);
        }
    }

    private static long serverPid(Path data) throws Exception {
        return Long.parseLong(java.nio.file.Files.readAllLines(data.resolve("postmaster.pid")).getFirst().trim());
    }
}
