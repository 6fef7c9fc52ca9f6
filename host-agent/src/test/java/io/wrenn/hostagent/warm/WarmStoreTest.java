package io.wrenn.hostagent.warm;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.hostagent.layout.Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmStoreTest {

    @TempDir
    Path dir;

    private Layout layout() {
        return Layout.of(dir.resolve("home"), dir.resolve("images"));
    }

    private static void writeEntry(Path entry) throws Exception {
        Files.createDirectories(entry);
        for (String file : List.of("snapshot.json", "memory", "state", "disk.qcow2")) {
            Files.writeString(entry.resolve(file), file);
        }
    }

    @Test
    void onlyOneHolderOfAnImagesLockAtATimeAndItIsFreeAgainOnceClosed() throws Exception {
        WarmStore store = new WarmStore(layout());
        WarmStore other = new WarmStore(layout());

        Optional<WarmStore.Lease> first = store.tryLock("minimal");
        assertThat(first).isPresent();
        assertThat(other.tryLock("minimal")).as("held").isEmpty();
        assertThat(other.tryLock("debian")).as("another image").isPresent().get().satisfies(lease -> lease.close());
        first.get().close();
        assertThat(other.tryLock("minimal")).isPresent().get().satisfies(lease -> lease.close());
    }

    @Test
    void anEntryIsFoundOnlyWholeAndOnlyOnceRenamedIntoPlace() throws Exception {
        Layout layout = layout();
        WarmStore store = new WarmStore(layout);
        WarmKey key = WarmKey.of("minimal", List.of("a"), List.of("b"));
        assertThat(store.find(key)).isEmpty();

        try (WarmStore.Lease lease = store.tryLock("minimal").orElseThrow()) {
            Path staging = lease.newStaging();
            writeEntry(staging);
            assertThat(store.find(key)).as("staging is not an entry").isEmpty();
            assertThat(lease.promote(staging, key)).isTrue();
            Path again = lease.newStaging();
            writeEntry(again);
            assertThat(lease.promote(again, key)).as("the entry is there already").isFalse();
            assertThat(again).doesNotExist();
        }

        assertThat(store.find(key)).get().extracting(Layout.SnapshotFiles::dir)
                .isEqualTo(layout.warmSnapshotFiles("minimal", key.name()).dir());
        Files.delete(layout.warmSnapshotFiles("minimal", key.name()).memory());
        assertThat(store.find(key)).as("incomplete").isEmpty();
    }

    @Test
    void theLockHolderRemovesStagingLeftByACrashAndEntriesOfOtherFilesButKeepsOtherMachineSizes() throws Exception {
        Layout layout = layout();
        WarmStore store = new WarmStore(layout);
        WarmKey current = WarmKey.of("minimal", List.of("rebuilt"), List.of("vcpus 1"));
        WarmKey otherSize = WarmKey.of("minimal", List.of("rebuilt"), List.of("vcpus 2"));
        WarmKey stale = WarmKey.of("minimal", List.of("before"), List.of("vcpus 1"));
        writeEntry(layout.warmSnapshotFiles("minimal", otherSize.name()).dir());
        writeEntry(layout.warmSnapshotFiles("minimal", stale.name()).dir());
        Path leftover = layout.warmStaging("minimal", java.util.UUID.randomUUID().toString());
        writeEntry(leftover);

        try (WarmStore.Lease lease = store.tryLock("minimal").orElseThrow()) {
            lease.removeStaging();
            lease.removeStale(current);
        }

        assertThat(leftover).doesNotExist();
        assertThat(store.find(stale)).isEmpty();
        assertThat(layout.warmSnapshotFiles("minimal", stale.name()).dir()).doesNotExist();
        assertThat(store.find(otherSize)).isPresent();
        assertThat(layout.warmLock("minimal")).exists();
    }
}
