package io.wrenn.hostagent.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DomainRuleTest {

    @Test
    void exactNamesMatchThemselvesOnlyInAnyCase() {
        DomainRule rule = DomainRule.parse("Registry.NPMjs.org.");
        assertThat(rule).hasToString("registry.npmjs.org");
        assertThat(rule.matches("registry.npmjs.org")).isTrue();
        assertThat(rule.matches("REGISTRY.npmjs.org.")).isTrue();
        assertThat(rule.matches("x.registry.npmjs.org")).isFalse();
        assertThat(rule.matches("npmjs.org")).isFalse();
        assertThat(rule.matches("registry.npmjs.org.evil.com")).isFalse();
    }

    @Test
    void aSubdomainWildcardMatchesSubdomainsButNotTheDomainItself() {
        DomainRule rule = DomainRule.parse("*.example.com");
        assertThat(rule.matches("a.example.com")).isTrue();
        assertThat(rule.matches("a.b.example.com")).isTrue();
        assertThat(rule.matches("example.com")).isFalse();
        assertThat(rule.matches("badexample.com")).isFalse();
        assertThat(DomainRule.parse("*").matches("anything.at.all")).isTrue();
        assertThat(DomainRule.parse("*").matches("")).isFalse();
    }

    @Test
    void otherWildcardsAndMalformedNamesAreRefused() {
        for (String bad : List.of("", " ", "a.*.com", "*example.com", "ex*mple.com", "**.com", "*.*.com", "*.", "example..com",
                "-a.com", "a-.com", "a b.com", "a.com/x", "1.2.3.4", "exa$mple.com", "a".repeat(64) + ".com",
                ("a".repeat(60) + ".").repeat(5) + "com", "é.com", "example.com:443")) {
            assertThatThrownBy(() -> DomainRule.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
