package io.wrenn.hostagent.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end of a console as a person reads it: bounded, from the start of a line, across a
 * rotation, and with nothing in it a terminal would act on.
 */
class ConsoleTailTest {

    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve("serial.log");
    }

    private void write(Path file, String text) throws IOException {
        Files.write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aShortConsoleIsReturnedWholeAndNotTruncated() throws IOException {
        write(log(), "[    0.000000] Linux version 6.1\nenvd started\n");

        ConsoleTail.Tail tail = ConsoleTail.read(log(), 0);

        assertThat(tail.text()).isEqualTo("[    0.000000] Linux version 6.1\nenvd started\n");
        assertThat(tail.truncated()).isFalse();
    }

    @Test
    void aMissingOrEmptyConsoleIsEmpty() throws IOException {
        assertThat(ConsoleTail.read(log(), 0)).isEqualTo(new ConsoleTail.Tail("", false));
        write(log(), "");
        assertThat(ConsoleTail.read(log(), 100)).isEqualTo(new ConsoleTail.Tail("", false));
    }

    @Test
    void aLongConsoleGivesItsLastBytesFromTheStartOfALine() throws IOException {
        StringBuilder console = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            console.append("line ").append(i).append('\n');
        }
        write(log(), console.toString());

        ConsoleTail.Tail tail = ConsoleTail.read(log(), 30);

        assertThat(tail.truncated()).isTrue();
        assertThat(tail.text()).endsWith("line 999\n").startsWith("line ").hasSizeLessThanOrEqualTo(30);
        assertThat(tail.text().lines()).allMatch(line -> line.matches("line \\d+"));
    }

    @Test
    void aTailThatHappensToStartALineKeepsItsFirstLine() throws IOException {
        write(log(), "first\nsecond\nthird\n");

        assertThat(ConsoleTail.read(log(), "second\nthird\n".length()).text()).isEqualTo("second\nthird\n");
        assertThat(ConsoleTail.read(log(), "econd\nthird\n".length()).text()).isEqualTo("third\n");
    }

    @Test
    void aSingleLineLongerThanTheTailIsCutAtACharacterNotDropped() throws IOException {
        write(log(), "é".repeat(100));

        ConsoleTail.Tail tail = ConsoleTail.read(log(), 9);

        assertThat(tail.truncated()).isTrue();
        assertThat(tail.text()).isEqualTo("éééé");
    }

    @Test
    void theReadIsBoundedWhateverIsAskedAndTheDefaultIs64KiB() throws IOException {
        write(log(), ("x".repeat(99) + "\n").repeat(5000)); // 500 000 bytes

        assertThat(ConsoleTail.read(log(), Integer.MAX_VALUE).text().length()).isLessThanOrEqualTo(ConsoleTail.MAX_BYTES)
                .isGreaterThan(ConsoleTail.MAX_BYTES - 100);
        assertThat(ConsoleTail.read(log(), -1).text().length()).as("an unsigned wire value past 2 GiB")
                .isLessThanOrEqualTo(ConsoleTail.MAX_BYTES);
        assertThat(ConsoleTail.read(log(), 0).text().length()).isLessThanOrEqualTo(ConsoleTail.DEFAULT_BYTES)
                .isGreaterThan(ConsoleTail.DEFAULT_BYTES - 100);
    }

    @Test
    void aJustRotatedConsoleIsReadFromItsPreviousPartOnward() throws IOException {
        write(ConsoleLog.rotated(log()), "ut off\nbefore rotation\n");
        write(log(), "after\n");

        ConsoleTail.Tail tail = ConsoleTail.read(log(), 1000);

        assertThat(tail.text()).as("the previous part starts wherever the bound cut: its first line is dropped")
                .isEqualTo("before rotation\nafter\n");
        assertThat(tail.truncated()).as("the output before the rotation is gone").isTrue();
        assertThat(ConsoleTail.read(log(), "tion\nafter\n".length()).text()).isEqualTo("after\n");
        assertThat(ConsoleTail.read(log(), "after\n".length()).text()).as("the previous part ends a line").isEqualTo("after\n");
    }

    @Test
    void anEmptiedConsoleStillShowsThePreviousPart() throws IOException {
        write(ConsoleLog.rotated(log()), "cut\nkept\n");
        write(log(), "");

        assertThat(ConsoleTail.read(log(), 100)).isEqualTo(new ConsoleTail.Tail("kept\n", true));
    }

    @Test
    void escapeSequencesAndControlCharactersNeverReachTheReader() throws IOException {
        write(log(), "\u001b[2J\u001b[1;31mred\u001b[0m\r\n\u001b]0;owned\u0007title\ttab\u0000nul\u009b6n\u007fdel\n");

        String text = ConsoleTail.read(log(), 0).text();

        assertThat(text).isEqualTo("red\n]0;ownedtitle\ttabnul6ndel\n");
        assertThat(text.chars()).noneMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t');
    }

    @Test
    void invalidUtf8IsReplacedNotPassedOn() throws IOException {
        Files.write(log(), new byte[] {'o', 'k', (byte) 0xff, (byte) 0xc3, '\n'});

        assertThat(ConsoleTail.read(log(), 0).text()).isEqualTo("ok\uFFFD\uFFFD\n");
    }

    @Test
    void aSymbolicLinkIsNotFollowed() throws IOException {
        Path secret = dir.resolve("secret");
        write(secret, "host secret\n");
        Files.createSymbolicLink(log(), secret);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConsoleTail.read(log(), 0)).isInstanceOf(IOException.class);
    }
}
