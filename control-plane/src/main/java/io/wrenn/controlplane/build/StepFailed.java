package io.wrenn.controlplane.build;

/** A step did not succeed: the build fails with this reason, naming the step. */
final class StepFailed extends RuntimeException {
    StepFailed(String reason) {
        super(reason, null, false, false);
    }
}
