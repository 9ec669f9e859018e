package dev.kiln.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The Range header parser alone (the HTTP behaviour is in RangeRequestsTest). */
class ByteRangeTest {

    private static ByteRange partial(String h, long size) {
        return assertInstanceOf(ByteRange.Partial.class, ByteRange.parse(h, size)).range();
    }

    @Test
    void closedOpenAndSuffixRangesResolveAgainstTheSize() {
        assertEquals(new ByteRange(0, 0), partial("bytes=0-0", 10));
        assertEquals(new ByteRange(2, 9), partial("bytes=2-", 10));
        assertEquals(new ByteRange(7, 9), partial("bytes=-3", 10));
        assertEquals(new ByteRange(0, 9), partial("bytes=-30", 10));
        assertEquals(new ByteRange(5, 9), partial("bytes=5-500", 10));
        assertEquals(new ByteRange(1, 2), partial("BYTES = 1 - 2".replace("BYTES = ", "bytes="), 10));
    }

    @Test
    void unsatisfiableAndIgnoredRangesAreTold() {
        assertInstanceOf(ByteRange.Unsatisfiable.class, ByteRange.parse("bytes=10-", 10));
        assertInstanceOf(ByteRange.Unsatisfiable.class, ByteRange.parse("bytes=-0", 10));
        assertInstanceOf(ByteRange.Unsatisfiable.class, ByteRange.parse("bytes=0-", 0));
        assertInstanceOf(ByteRange.Whole.class, ByteRange.parse(null, 10));
        assertInstanceOf(ByteRange.Whole.class, ByteRange.parse("bytes=3-2", 10));
        assertInstanceOf(ByteRange.Whole.class, ByteRange.parse("bytes=0-1,3-4", 10));
        assertInstanceOf(ByteRange.Whole.class, ByteRange.parse("bytes=99999999999999999999-", 10));
        assertInstanceOf(ByteRange.Whole.class, ByteRange.parse("lines=0-1", 10));
    }
}
