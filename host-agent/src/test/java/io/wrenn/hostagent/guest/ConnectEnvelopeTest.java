package io.wrenn.hostagent.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectEnvelopeTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void encodesFlagLengthAndPayload() {
        byte[] frame = ConnectEnvelope.encode(utf8("{}"));

        assertThat(frame).containsExactly(0, 0, 0, 0, 2, '{', '}');
        assertThat(ConnectEnvelope.encode(ConnectEnvelope.FLAG_END_STREAM, new byte[300]))
                .startsWith(2, 0, 0, 1, 44);
    }

    @Test
    void readsFramesBackUntilTheEnd() throws IOException {
        byte[] stream = ConnectEnvelope.concat(
                ConnectEnvelope.encode(utf8("{\"a\":1}")),
                ConnectEnvelope.encode(new byte[0]),
                ConnectEnvelope.encode(ConnectEnvelope.FLAG_END_STREAM, utf8("{}")));
        ByteArrayInputStream in = new ByteArrayInputStream(stream);

        List<ConnectEnvelope> frames = new ArrayList<>();
        ConnectEnvelope frame;
        while ((frame = ConnectEnvelope.read(in)) != null) {
            frames.add(frame);
        }

        assertThat(frames).hasSize(3);
        assertThat(new String(frames.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(frames.get(1).payload()).isEmpty();
        assertThat(frames.get(2).isEndStream()).isTrue();
        assertThat(frames.get(0).isEndStream()).isFalse();
    }

    @Test
    void refusesTruncatedOversizedAndCompressedFrames() {
        byte[] truncated = {0, 0, 0, 0, 5, '{'};
        assertThatThrownBy(() -> ConnectEnvelope.read(new ByteArrayInputStream(truncated))).isInstanceOf(EOFException.class);

        byte[] huge = {0, 0x7f, 0, 0, 0};
        assertThatThrownBy(() -> ConnectEnvelope.read(new ByteArrayInputStream(huge))).isInstanceOf(IOException.class);

        byte[] compressed = ConnectEnvelope.encode(ConnectEnvelope.FLAG_COMPRESSED, utf8("x"));
        assertThatThrownBy(() -> ConnectEnvelope.read(new ByteArrayInputStream(compressed))).isInstanceOf(IOException.class);
    }

    @Test
    void decodesProcessEvents() {
        assertThat(EnvdClient.decodeEvent(utf8("{\"event\":{\"start\":{\"pid\":42}}}")))
                .isEqualTo(new ProcessEvent.Started(42));
        ProcessEvent out = EnvdClient.decodeEvent(utf8("{\"event\":{\"data\":{\"stdout\":\"aGVsbG8K\"}}}"));
        assertThat(out).isInstanceOfSatisfying(ProcessEvent.Stdout.class,
                s -> assertThat(new String(s.data(), StandardCharsets.UTF_8)).isEqualTo("hello\n"));
        ProcessEvent err = EnvdClient.decodeEvent(utf8("{\"event\":{\"data\":{\"stderr\":\"b29wcw==\"}}}"));
        assertThat(err).isInstanceOfSatisfying(ProcessEvent.Stderr.class,
                s -> assertThat(new String(s.data(), StandardCharsets.UTF_8)).isEqualTo("oops"));
        assertThat(EnvdClient.decodeEvent(utf8(
                "{\"event\":{\"end\":{\"exitCode\":3,\"exited\":true,\"status\":\"exit status 3\",\"error\":\"exit status 3\"}}}")))
                .isEqualTo(new ProcessEvent.Ended(3, true, "exit status 3", "exit status 3"));
        // proto3 JSON leaves out zero values: a clean exit may be {"exited":true} alone.
        assertThat(EnvdClient.decodeEvent(utf8("{\"event\":{\"end\":{\"exited\":true}}}")))
                .isEqualTo(new ProcessEvent.Ended(0, true, "", null));
        assertThat(EnvdClient.decodeEvent(utf8("{\"event\":{\"keepalive\":{}}}"))).isNull();
    }

    @Test
    void endOfStreamCarriesErrors() {
        assertThat(EnvdClient.decodeEndOfStream(utf8("{}"))).isNull();
        GuestException error = EnvdClient.decodeEndOfStream(utf8("{\"error\":{\"code\":\"not_found\",\"message\":\"no such program\"}}"));
        assertThat(error.kind()).isEqualTo(GuestException.Kind.NOT_FOUND);
        assertThat(error.getMessage()).isEqualTo("no such program");
    }

    @Test
    void fileStatusesMapToKinds() {
        assertThat(GuestException.fromHttpStatus(404, "read file").kind()).isEqualTo(GuestException.Kind.NOT_FOUND);
        assertThat(GuestException.fromHttpStatus(400, "read file").kind()).isEqualTo(GuestException.Kind.INVALID_ARGUMENT);
        assertThat(GuestException.fromHttpStatus(409, "write file").kind()).isEqualTo(GuestException.Kind.ALREADY_EXISTS);
        assertThat(GuestException.fromHttpStatus(507, "write file").kind()).isEqualTo(GuestException.Kind.RESOURCE_EXHAUSTED);
        assertThat(GuestException.fromHttpStatus(500, "write file").kind()).isEqualTo(GuestException.Kind.INTERNAL);
        GuestException directory = EnvdClient.fileError(400, "{\"code\":400,\"message\":\"path /tmp is a directory\"}", "read file");
        assertThat(directory.kind()).isEqualTo(GuestException.Kind.FAILED_PRECONDITION);
        assertThat(directory.getMessage()).isEqualTo("read file: path /tmp is a directory");
        assertThat(EnvdClient.fileError(404, "not json", "read file").kind()).isEqualTo(GuestException.Kind.NOT_FOUND);
    }
}
