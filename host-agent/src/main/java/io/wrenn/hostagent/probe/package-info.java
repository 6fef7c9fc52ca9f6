/** Facts about the machine found by trying: which accelerator really boots a guest. */
package io.wrenn.hostagent.probe;
