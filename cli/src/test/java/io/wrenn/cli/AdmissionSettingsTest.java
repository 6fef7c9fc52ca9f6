package io.wrenn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.controlplane.ControlPlaneConfig;
import io.wrenn.controlplane.account.SignupPolicy;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdmissionSettingsTest {

    private static SignupPolicy signup(Map<String, String> env) {
        return AdmissionSettings.apply(ControlPlaneConfig.builder().jdbcUrl("jdbc:postgresql://db/wrenn").agentSecret("s"), env)
                .build().signup();
    }

    @Test
    void signUpIsOpenUnlessTheOperatorSaysOtherwise() {
        assertThat(signup(Map.of()).mode()).isEqualTo(SignupPolicy.Mode.OPEN);
        assertThat(signup(Map.of("WRENN_SIGNUP", " Invitations ")).mode()).isEqualTo(SignupPolicy.Mode.INVITATIONS);
        assertThat(signup(Map.of("WRENN_SIGNUP", "domains", "WRENN_SIGNUP_DOMAINS", "example.com, example.org")).domains())
                .containsExactly("example.com", "example.org");
        assertThatThrownBy(() -> signup(Map.of("WRENN_SIGNUP", "invite-only")))
                .hasMessageContaining("open, closed, domains or invitations");
    }
}
