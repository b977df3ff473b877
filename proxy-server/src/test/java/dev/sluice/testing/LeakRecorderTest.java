package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeakRecorderTest {
    @Test
    void aBufferThatIsNeverReleasedIsRecorded() {
        leakOneBuffer();

        List<String> leaks = new ArrayList<>();
        for (int attempt = 0; attempt < 20 && leaks.isEmpty(); attempt++) {
            LeakRecorder.forceDetection();
            leaks.addAll(LeakRecorder.drain()); // drained here, so the extension does not fail this class
        }

        assertThat(leaks).anySatisfy(leak -> assertThat(leak).contains("LEAK: ByteBuf.release()")
                .contains("leakOneBuffer"));
    }

    @Test
    void releasedBuffersAreNotRecorded() {
        ByteBuf buf = Unpooled.directBuffer(32).writeLong(7);
        buf.release();

        LeakRecorder.forceDetection();

        assertThat(LeakRecorder.drain()).isEmpty();
    }

    private static void leakOneBuffer() {
        ByteBuf buf = Unpooled.directBuffer(32);
        buf.writeInt(42); // an access record naming this method
    }
}
