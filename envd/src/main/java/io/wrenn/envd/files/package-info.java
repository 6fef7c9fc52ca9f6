/** {@code GET/POST /files}: streamed downloads (with ranges) and uploads (raw or multipart), signed URLs. */
package io.wrenn.envd.files;
