package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class LinuxProcTest {
    private static final String STATUS = """
            Name:\tjava
            VmPeak:\t 3012345 kB
            VmHWM:\t  200000 kB
            VmRSS:\t  123456 kB
            RssAnon:\t  100000 kB
            Threads:\t31
            """;

    private static final String LIMITS = """
            Limit                     Soft Limit           Hard Limit           Units
            Max processes             63704                63704                processes
            Max open files            20000                524288               files
            Max locked memory         8388608              8388608              bytes
            """;

    @Test
    void vmRssIsReadInKibibytesAndReturnedInBytes() throws IOException {
        assertThat(LinuxProc.vmRssBytes(STATUS)).isEqualTo(123456L * 1024);
    }

    @Test
    void aStatusWithoutVmRssIsAnError() {
        assertThatThrownBy(() -> LinuxProc.vmRssBytes("Name:\tkthreadd\nState:\tS (sleeping)\n"))
                .isInstanceOf(IOException.class).hasMessageContaining("no VmRSS");
    }

    @Test
    void thisProcessHasAResidentSet() throws IOException {
        assertThat(LinuxProc.vmRssBytes(ProcessHandle.current().pid())).isPositive();
    }

    @Test
    void threadsAreReadFromTheStatus() throws IOException {
        assertThat(LinuxProc.threads(STATUS)).isEqualTo(31);
        assertThat(LinuxProc.threads(ProcessHandle.current().pid())).isPositive();
    }

    @Test
    void openFilesAreTheEntriesOfTheFdDirectory() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "30").start(); // a child keeps only stdin, stdout and stderr
        try {
            assertThat(LinuxProc.openFiles(sleep.pid())).isEqualTo(3);
        } finally {
            sleep.destroy();
            sleep.waitFor();
        }
    }

    @Test
    void theOpenFilesLimitIsTheSoftOne() {
        assertThat(LinuxProc.openFilesLimit(LIMITS)).hasValue(20000);
    }

    @Test
    void anUnlimitedOrMissingOpenFilesLimitIsEmpty() {
        assertThat(LinuxProc.openFilesLimit("Max open files            unlimited            unlimited            files\n")).isEmpty();
        assertThat(LinuxProc.openFilesLimit("Max processes 1 1 processes\n")).isEmpty();
    }
}
