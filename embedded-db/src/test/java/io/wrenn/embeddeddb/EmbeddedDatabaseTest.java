package io.wrenn.embeddeddb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
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

    /** A commit the control plane was told of is on disk: a kill -9 of the server cannot take it back. */
    @Test
    void commitsAreFlushedBeforeTheyAreAcknowledged() throws Exception {
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(home.resolve("durable"));
             Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            for (String setting : new String[] {"synchronous_commit", "fsync"}) {
                var rs = c.createStatement().executeQuery("SHOW " + setting);
                rs.next();
                assertThat(rs.getString(1)).as(setting).isEqualTo("on");
            }
        }
    }

    @Test
    void onlyPasswordConnectionsAreAcceptedAndWrennsRoleRunsNoPrograms() throws Exception {
        Path data = home.resolve("locked");
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(data)) {
            assertThat(pg.user()).isNotEqualTo(pg.superuser());
            for (String user : List.of(pg.user(), pg.superuser())) {
                assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl().replace("user=" + pg.user(), "user=" + user), user, ""))
                        .as("no password for " + user).isInstanceOf(SQLException.class);
                assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl().replace("user=" + pg.user(), "user=" + user), user, "guess"))
                        .as("a wrong password for " + user).isInstanceOf(SQLException.class);
            }
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
                assertThatThrownBy(() -> c.createStatement().execute("COPY (SELECT 1) TO PROGRAM 'touch " + home.resolve("ran") + "'"))
                        .isInstanceOf(SQLException.class);
                assertThatThrownBy(() -> c.createStatement().executeQuery("SELECT pg_read_file('/etc/hostname')"))
                        .isInstanceOf(SQLException.class);
            }
            assertThat(home.resolve("ran")).doesNotExist();
        }
        Path passwords = home.resolve("locked-passwords");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwords))).isEqualTo("rw-------");
        assertThat(Files.readString(data.resolve("pg_hba.conf"))).doesNotContain("trust");
    }

    @Test
    void aClusterOfAnEarlierWrennIsLockedAndItsSchemaHandedToWrennsRole() throws Exception {
        Path data = home.resolve("earlier");
        Files.createDirectories(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        // The way an earlier Wrenn ran it: trust authentication, tables made by the superuser.
        try (EmbeddedPostgres earlier = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
                .setRegisterShutdownHook(false).setServerConfig("listen_addresses", "127.0.0.1").start();
                Connection c = earlier.getPostgresDatabase().getConnection()) {
            c.createStatement().execute("CREATE TABLE kept (id bigint GENERATED ALWAYS AS IDENTITY, v text)");
            c.createStatement().execute("INSERT INTO kept (v) VALUES ('hello')");
        }

        try (EmbeddedDatabase pg = EmbeddedDatabase.start(data);
                Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            c.createStatement().execute("INSERT INTO kept (v) VALUES ('again')");
            c.createStatement().execute("ALTER TABLE kept ADD COLUMN w text");
            try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM kept")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
            assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "")).isInstanceOf(SQLException.class);
        }
    }

    private static long serverPid(Path data) throws Exception {
        return Long.parseLong(java.nio.file.Files.readAllLines(data.resolve("postmaster.pid")).getFirst().trim());
    }

    @Test
    void aDiscardedServerIsGoneAtOnce() throws Exception {
        Path data = home.resolve("discarded");
        EmbeddedDatabase pg = EmbeddedDatabase.start(data);
        long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).getFirst().trim());
        pg.discard();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }
}
