/** A sandbox's serial console as the API serves it: the end its host keeps, for debugging a guest. */
package io.wrenn.controlplane.console;
