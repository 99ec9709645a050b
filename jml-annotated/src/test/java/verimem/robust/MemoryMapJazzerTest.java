package verimem.robust;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The Jazzer targets in regression mode, part of every `mvn verify`: each target runs its seeds (the real maps of
 * ../shared/memory-maps and the firmware edge cases, see {@link FuzzSeeds}) and the corpus saved from fuzzing runs
 * under src/test/resources/verimem/robust/MemoryMapJazzerTestInputs/METHOD/ (minimised with libFuzzer's -merge,
 * and any reproducer a run found). Fuzzing itself is ci/fuzz.sh (the Jazzer command line, a fixed time per target).
 * junit-platform.properties sets jazzer.hooks=false: regression mode needs no instrumentation, and installing the
 * agent cost 15 s.
 */
class MemoryMapJazzerTest {
    static Stream<Arguments> args(List<byte[]> inputs) {
        return inputs.stream().map(b -> Arguments.of((Object) b));
    }

    static Stream<Arguments> sanitiserSeeds() {
        return args(SanitiserFuzzTarget.seedInputs());
    }

    @Timeout(60)
    @MethodSource("sanitiserSeeds")
    @FuzzTest
    void sanitiser(byte[] data) {
        SanitiserFuzzTarget.fuzzerTestOneInput(data);
    }

    static Stream<Arguments> multiboot2Seeds() {
        return args(Multiboot2FuzzTarget.seedInputs());
    }

    @Timeout(60)
    @MethodSource("multiboot2Seeds")
    @FuzzTest
    void multiboot2(byte[] data) {
        Multiboot2FuzzTarget.fuzzerTestOneInput(data);
    }

    static Stream<Arguments> multiboot1Seeds() {
        return args(Multiboot1FuzzTarget.seedInputs());
    }

    @Timeout(60)
    @MethodSource("multiboot1Seeds")
    @FuzzTest
    void multiboot1(byte[] data) {
        Multiboot1FuzzTarget.fuzzerTestOneInput(data);
    }

    static Stream<Arguments> bootstrapSeeds() {
        return args(BootstrapFuzzTarget.seedInputs());
    }

    @Timeout(60)
    @MethodSource("bootstrapSeeds")
    @FuzzTest
    void bootstrap(byte[] data) {
        BootstrapFuzzTarget.fuzzerTestOneInput(data);
    }
}
