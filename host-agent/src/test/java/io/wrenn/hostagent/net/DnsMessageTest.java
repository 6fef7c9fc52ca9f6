package io.wrenn.hostagent.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DnsMessageTest {

    @Test
    void aQueryIsReadAndAnsweredNxdomainWithItsIdAndQuestion() {
        byte[] query = DnsMessage.queryA(0x1234, "Blocked.Test.Wrenn");
        DnsMessage.Question question = DnsMessage.question(query, query.length);
        assertThat(question.name()).isEqualTo("blocked.test.wrenn");
        assertThat(question.type()).isEqualTo(DnsMessage.TYPE_A);

        byte[] nx = DnsMessage.nxdomain(query, question);
        assertThat(DnsMessage.id(nx, nx.length)).isEqualTo(0x1234);
        assertThat(nx[2] & 0x80).as("a response").isNotZero();
        assertThat(nx[3] & 0x0f).as("NXDOMAIN").isEqualTo(3);
        assertThat(Arrays.copyOfRange(nx, 12, nx.length)).isEqualTo(Arrays.copyOfRange(query, 12, query.length));
    }

    @Test
    void theAddressesOfAnAnswerAreReadWithTheirTtlThroughCompressedNames() {
        byte[] query = DnsMessage.queryA(7, "a.test");
        byte[] answer = Arrays.copyOf(query, query.length + 2 * 16);
        answer[2] = (byte) 0x81;
        answer[3] = (byte) 0x80;
        answer[7] = 2;
        int at = query.length;
        for (int i = 0; i < 2; i++) {
            byte[] record = {(byte) 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, (byte) (60 + i), 0, 4, (byte) 203, 0, 113, (byte) (1 + i)};
            System.arraycopy(record, 0, answer, at, record.length);
            at += record.length;
        }
        assertThat(DnsMessage.isAnswer(answer, answer.length)).isTrue();
        assertThat(DnsMessage.addresses(answer, answer.length)).containsExactly(
                new DnsMessage.Address("203.0.113.1", 60), new DnsMessage.Address("203.0.113.2", 61));
    }

    @Test
    void malformedMessagesAreRefusedNotFollowed() {
        byte[] query = DnsMessage.queryA(7, "a.test");
        assertThatThrownBy(() -> DnsMessage.question(query, 11)).isInstanceOf(IllegalArgumentException.class);
        byte[] loop = Arrays.copyOf(query, query.length);
        loop[12] = (byte) 0xc0;
        loop[13] = 12; // a pointer to itself
        assertThatThrownBy(() -> DnsMessage.question(loop, loop.length)).isInstanceOf(IllegalArgumentException.class);
        byte[] response = Arrays.copyOf(query, query.length);
        response[2] = (byte) 0x81;
        assertThatThrownBy(() -> DnsMessage.question(response, response.length)).isInstanceOf(IllegalArgumentException.class);
        byte[] longLabel = Arrays.copyOf(query, query.length);
        longLabel[12] = 60;
        assertThatThrownBy(() -> DnsMessage.question(longLabel, longLabel.length)).isInstanceOf(IllegalArgumentException.class);
    }
}
