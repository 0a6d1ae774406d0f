package dev.fovea.conformance;

import dev.fovea.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaseFileReaderTest {

    /** A valid conv2d case in the layout of DESIGN.md; tests break one field at a time. */
    private static final String CONV = """
            {"name": "conv_same", "op": "conv2d",
             "attrs": {"stride": [1, 1], "padding": 1, "dilation": [1, 1], "groups": 1, "mode": "cross_correlation"},
             "inputs": {"input": {"shape": [1, 1, 2, 2], "data": [1, 2, 3, 4]},
                        "weight": {"shape": [1, 1, 1, 1], "data": [2]},
                        "bias": {"shape": [1], "data": [0.5]}},
             "outputs": {"output": {"shape": [1, 1, 4, 4], "data": [0.5, 0.5, 0.5, 0.5, 0.5, 2.5, 4.5, 0.5,
                                                                     0.5, 6.5, 8.5, 0.5, 0.5, 0.5, 0.5, 0.5]}},
             "grad_outputs": {"output": {"shape": [1, 1, 4, 4], "data": [0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0]}},
             "grad_inputs": {"input": {"shape": [1, 1, 2, 2], "data": [2, 2, 2, 2]},
                             "weight": {"shape": [1, 1, 1, 1], "data": [10]},
                             "bias": {"shape": [1], "data": [4]}},
             "tolerance": {"abs": 1e-4, "rel": 1e-4}}""";

    private static String file(String... cases) {
        return "{\"format\": \"fovea-cases/1\", \"cases\": [" + String.join(",\n", cases) + "]}";
    }

    private static CaseFileException malformed(String json) {
        return assertThrows(CaseFileException.class, () -> CaseFileReader.read("cases.json", json));
    }

    @Test
    void readsAValidFile() {
        List<ConformanceCase> cases = CaseFileReader.read("cases.json", file(CONV));
        assertEquals(1, cases.size());
        ConformanceCase c = cases.get(0);
        assertEquals("conv_same", c.name());
        assertEquals("conv2d", c.op());
        assertEquals(List.of(1, 1), c.attrs().get("stride"));
        assertEquals(1, c.attrs().get("padding"));
        assertEquals(List.of("input", "weight", "bias"), List.copyOf(c.inputs().keySet()));
        assertEquals(Shape.of(1, 1, 4, 4), c.outputs().get("output").shape());
        assertArrayEquals(new float[] {10}, c.gradInputs().get("weight").data());
        assertEquals(new Tolerance(1e-4, 1e-4), c.tolerance());
        assertTrue(ConformanceRunner.run(c, new dev.fovea.backend.cpu.ReferenceBackend()).passed());
    }

    @Test
    void readsFromDiskAndRoundTripsThroughTheWriter(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("cases.json");
        List<ConformanceCase> original = CaseFileReader.read("cases.json", file(CONV));
        CaseFileWriter.write(f, original);
        assertEquals(original, CaseFileReader.read(f));
        assertTrue(Files.readString(f).contains("\"data\" : [1.0,2.0,3.0,4.0]"), Files.readString(f));
    }

    @Test
    void optionalPartsTakeDefaults() {
        ConformanceCase c = CaseFileReader.read("f", file("""
                {"name": "r", "op": "relu", "inputs": {"input": {"shape": [2], "data": [-1, 1]}},
                 "outputs": {"output": {"shape": [2], "data": [0, 1]}}}""")).get(0);
        assertEquals(Map.of(), c.attrs());
        assertEquals(Tolerance.DEFAULT, c.tolerance());
        assertTrue(!c.checksGradients());
    }

    @Test
    void floatsReadBackExactly() {
        ConformanceCase c = CaseFileReader.read("f", file("""
                {"name": "r", "op": "relu", "inputs": {"input": {"shape": [3], "data": [0.1, 1.0E-5, 3.4028235E38]}},
                 "outputs": {"output": {"shape": [3], "data": [0.1, 1e-5, 3.4028235E38]}}}""")).get(0);
        assertArrayEquals(new float[] {0.1f, 1e-5f, Float.MAX_VALUE}, c.inputs().get("input").data());
    }

    @Test
    void nonFiniteValuesAreAccepted() {
        ConformanceCase c = CaseFileReader.read("f", file("""
                {"name": "r", "op": "relu", "inputs": {"input": {"shape": [3], "data": [NaN, Infinity, -Infinity]}},
                 "outputs": {"output": {"shape": [3], "data": [NaN, Infinity, 0]}}}""")).get(0);
        float[] x = c.inputs().get("input").data();
        assertTrue(Float.isNaN(x[0]) && x[1] == Float.POSITIVE_INFINITY && x[2] == Float.NEGATIVE_INFINITY);
    }

    @Test
    void missingFieldIsNamed() {
        CaseFileException e = malformed(file(CONV.replace("\"op\": \"conv2d\",", "")));
        assertEquals("cases.json: case 'conv_same' (cases[0]): op: missing", e.getMessage());
        assertEquals("op", e.field());
        assertEquals("'conv_same' (cases[0])", e.caseName());
        CaseFileException outputs = malformed(file("""
                {"name": "r", "op": "relu", "inputs": {"input": {"shape": [1], "data": [1]}}}"""));
        assertEquals("cases.json: case 'r' (cases[0]): outputs: missing", outputs.getMessage());
        CaseFileException name = malformed(file("{\"op\": \"relu\"}"));
        assertEquals("cases.json: case cases[0]: name: missing", name.getMessage());
    }

    @Test
    void dataThatDoesNotFitItsShapeIsNamed() {
        CaseFileException e = malformed(file(CONV.replace("\"data\": [1, 2, 3, 4]", "\"data\": [1, 2, 3]")));
        assertEquals("cases.json: case 'conv_same' (cases[0]): inputs.input.data: shape [1, 1, 2, 2] needs 4 values, got 3",
                e.getMessage());
        CaseFileException shape = malformed(file(CONV.replace("\"shape\": [1], \"data\": [0.5]", "\"shape\": [-1], \"data\": [0.5]")));
        assertEquals("cases.json: case 'conv_same' (cases[0]): inputs.bias.shape[0]: must be a non-negative integer, got -1",
                shape.getMessage());
        CaseFileException value = malformed(file(CONV.replace("\"data\": [2]", "\"data\": [\"2\"]")));
        assertEquals("cases.json: case 'conv_same' (cases[0]): inputs.weight.data[0]: must be a number, got \"2\"",
                value.getMessage());
        CaseFileException huge = malformed(file(CONV.replace("\"shape\": [1], \"data\": [0.5]",
                "\"shape\": [65536, 65536], \"data\": [0.5]")));
        assertTrue(huge.getMessage().startsWith("cases.json: case 'conv_same' (cases[0]): inputs.bias.shape: has more than"),
                huge.getMessage());
    }

    @Test
    void unknownOpListsTheValidOps() {
        CaseFileException e = malformed(file(CONV.replace("\"op\": \"conv2d\"", "\"op\": \"conv3d\"")));
        assertTrue(e.getMessage().startsWith("cases.json: case 'conv_same' (cases[0]): op: unknown op 'conv3d' "
                + "(did you mean 'conv2d'?); valid ops: conv2d, max_pool2d"), e.getMessage());
    }

    @Test
    void unknownAttributeOrBadValueIsNamed() {
        CaseFileException typo = malformed(file(CONV.replace("\"groups\": 1", "\"grups\": 1")));
        assertEquals("cases.json: case 'conv_same' (cases[0]): attrs: conv2d: unknown attribute 'grups' "
                + "(did you mean 'groups'?); valid attributes: stride, padding, dilation, groups, mode", typo.getMessage());
        CaseFileException mode = malformed(file(CONV.replace("\"cross_correlation\"", "\"correlation\"")));
        assertTrue(mode.getMessage().startsWith("cases.json: case 'conv_same' (cases[0]): attrs: conv2d: mode 'correlation'"),
                mode.getMessage());
        CaseFileException object = malformed(file(CONV.replace("\"groups\": 1", "\"groups\": {\"n\": 1}")));
        assertEquals("cases.json: case 'conv_same' (cases[0]): attrs.groups: must be a number, boolean, string or list, "
                + "got object", object.getMessage());
    }

    @Test
    void inputsOutputsAndGradientsMustBeTheOpsOwn() {
        CaseFileException input = malformed(file(CONV.replace("\"bias\": {\"shape\": [1], \"data\": [0.5]}}",
                "\"bais\": {\"shape\": [1], \"data\": [0.5]}}")));
        assertEquals("cases.json: case 'conv_same' (cases[0]): inputs.bais: conv2d has no input 'bais'; "
                + "inputs: input, weight, bias", input.getMessage());
        CaseFileException required = malformed(file(CONV.replace("\"weight\": {\"shape\": [1, 1, 1, 1], \"data\": [2]},", "")));
        assertEquals("cases.json: case 'conv_same' (cases[0]): inputs.weight: missing; conv2d needs inputs input, weight",
                required.getMessage());
        CaseFileException grads = malformed(file(CONV.replace("\"grad_outputs\": {\"output\"", "\"grad_outputs\": {\"out\"")));
        assertEquals("cases.json: case 'conv_same' (cases[0]): grad_outputs.out: conv2d has no entry 'out' in grad_outputs;"
                + " valid: output", grads.getMessage());
        String noGradInputs = CONV.substring(0, CONV.indexOf(",\n \"grad_inputs\"")) + ",\n \"tolerance\": {\"abs\": 1e-4}}";
        CaseFileException pair = malformed(file(noGradInputs));
        assertEquals("cases.json: case 'conv_same' (cases[0]): grad_inputs: grad_outputs and grad_inputs go together: "
                + "give both or neither", pair.getMessage());
    }

    @Test
    void unknownFieldsAndBadTolerancesAreNamed() {
        CaseFileException field = malformed(file(CONV.replace("\"grad_inputs\"", "\"grad_input\"")));
        assertTrue(field.getMessage().startsWith("cases.json: case 'conv_same' (cases[0]): grad_input: unknown field"),
                field.getMessage());
        CaseFileException tolerance = malformed(file(CONV.replace("\"abs\": 1e-4", "\"abs\": -1")));
        assertEquals("cases.json: case 'conv_same' (cases[0]): tolerance.abs: must be a finite number >= 0, got -1",
                tolerance.getMessage());
    }

    @Test
    void theSecondCaseIsNamedByItsIndexToo() {
        String second = CONV.replace("conv_same", "second").replace("\"data\": [2]", "\"data\": [2, 3]");
        CaseFileException e = malformed(file(CONV, second));
        assertEquals("cases.json: case 'second' (cases[1]): inputs.weight.data: shape [1, 1, 1, 1] needs 1 values, got 2",
                e.getMessage());
        CaseFileException duplicate = malformed(file(CONV, CONV));
        assertEquals("cases.json: case 'conv_same' (cases[1]): name: another case has the same name", duplicate.getMessage());
    }

    @Test
    void badJsonGivesTheLineAndColumn() {
        CaseFileException e = malformed("{\"format\": \"fovea-cases/1\",\n \"cases\": [}");
        assertTrue(e.getMessage().startsWith("cases.json: invalid JSON: line 2, column 12: "), e.getMessage());
        assertNull(e.caseName());
        CaseFileException duplicateKey = malformed("{\"format\": \"fovea-cases/1\", \"format\": \"x\", \"cases\": []}");
        assertTrue(duplicateKey.getMessage().contains("Duplicate field 'format'"), duplicateKey.getMessage());
        CaseFileException trailing = malformed(file(CONV) + " {}");
        assertTrue(trailing.getMessage().startsWith("cases.json: invalid JSON"), trailing.getMessage());
    }

    @Test
    void wrongFormatOrTopLevelIsNamed() {
        assertEquals("cases.json: format: expected \"fovea-cases/1\", got \"fovea-cases/2\"",
                malformed("{\"format\": \"fovea-cases/2\", \"cases\": []}").getMessage());
        assertEquals("cases.json: cases: expected an array of cases",
                malformed("{\"format\": \"fovea-cases/1\", \"cases\": {}}").getMessage());
        assertTrue(malformed("[1, 2]").getMessage().startsWith("cases.json: expected a JSON object"));
    }

    @Test
    void unreadableFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope.json");
        CaseFileException e = assertThrows(CaseFileException.class, () -> CaseFileReader.read(missing));
        assertTrue(e.getMessage().startsWith(missing + ": cannot read: "), e.getMessage());
    }
}
