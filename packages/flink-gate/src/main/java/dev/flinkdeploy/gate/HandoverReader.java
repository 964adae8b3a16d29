package dev.flinkdeploy.gate;

import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Reads the hand-over object through Flink's own FileSystem, so it works wherever savepoints work. */
final class HandoverReader {
    /** A hand-over object is a few dozen bytes; anything this large is not one. */
    private static final int MAX_BYTES = 64 * 1024;

    private final Path path;

    HandoverReader(String location) {
        this.path = new Path(location);
    }

    /** The current object, or {@link Handover#NONE} when there is none (yet). */
    Handover read() throws IOException {
        FileSystem fs = path.getFileSystem();
        if (!fs.exists(path)) {
            return Handover.NONE;
        }
        try (FSDataInputStream in = fs.open(path)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) > 0) {
                bytes.write(buffer, 0, n);
                if (bytes.size() > MAX_BYTES) {
                    throw new IOException("Hand-over object " + path + " is larger than " + MAX_BYTES + " bytes");
                }
            }
            String text = bytes.toString(StandardCharsets.UTF_8);
            // An object being replaced can be seen empty on some file systems: not a hand-over, not an error.
            return text.isBlank() ? null : Handover.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
