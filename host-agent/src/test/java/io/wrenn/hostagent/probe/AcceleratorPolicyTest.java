package io.wrenn.hostagent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.hostagent.vm.Accelerator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AcceleratorPolicyTest {

    @Test
    void anOperatorRequiresKvmThroughTheEnvironment() {
        assertThat(AcceleratorPolicy.fromEnvironment(Map.of("WRENN_REQUIRE_KVM", "1")).requiresKvm()).isTrue();
        assertThat(AcceleratorPolicy.fromEnvironment(Map.of("WRENN_REQUIRE_KVM", "true")).requiresKvm()).isTrue();
        assertThat(AcceleratorPolicy.fromEnvironment(Map.of("WRENN_REQUIRE_KVM", "0")).requiresKvm()).isFalse();
        assertThat(AcceleratorPolicy.fromEnvironment(Map.of()).requiresKvm()).isFalse();
    }

    @Test
    void tcgIsRefusedWhenKvmIsRequiredAndAcceptedWithAWarningOtherwise() {
        assertThatThrownBy(() -> new AcceleratorPolicy(true).check(Accelerator.TCG))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("WRENN_REQUIRE_KVM").hasMessageContaining("KVM");
        assertThatCode(() -> new AcceleratorPolicy(true).check(Accelerator.KVM)).doesNotThrowAnyException();
        assertThatCode(() -> new AcceleratorPolicy(false).check(Accelerator.TCG)).doesNotThrowAnyException();
        assertThat(AcceleratorPolicy.TCG_WARNING).contains("weaker than with KVM");
    }
}
