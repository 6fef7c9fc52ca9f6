/**
 * Warm snapshots of platform images: what makes a saved, freshly booted VM reusable (its
 * {@link io.wrenn.hostagent.warm.WarmKey}) and where such snapshots are kept, shared by every
 * agent of the machine ({@link io.wrenn.hostagent.warm.WarmStore}). The jobs that prime and use
 * them are in the {@code sandbox} package.
 */
package io.wrenn.hostagent.warm;
