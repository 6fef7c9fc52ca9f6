package io.wrenn.controlplane.build;

/** The build was cancelled (or its lease lost) while a step ran; unwinds the runner. */
final class BuildCancelled extends RuntimeException {
    BuildCancelled(String why) {
        super(why, null, false, false);
    }
}
