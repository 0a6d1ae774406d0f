package dev.fovea.conformance;

import dev.fovea.conformance.GeneratedCases.Spec;
import dev.fovea.ops.Attribute;
import dev.fovea.ops.OpDef;
import dev.fovea.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The generated suite against the op declarations: a new attribute without a case is reported here. */
class GeneratedSpecsTest {

    /**
     * Each declared attribute is given by some spec with a value other than its default (a choice
     * with a single option, as the losses' reduction, has no other value to give).
     */
    @Test
    void everyDeclaredAttributeIsGivenAValueOtherThanItsDefault() {
        List<Spec> specs = GeneratedSpecs.all();
        List<String> missing = new ArrayList<>();
        for (OpDef def : Ops.all()) {
            for (Attribute a : def.attributes()) {
                boolean onlyOneValue = a.kind() == Attribute.Kind.CHOICE && a.choices().size() == 1;
                boolean given = specs.stream().anyMatch(s -> s.op().equals(def.name()) && s.attrs().containsKey(a.name())
                        && !s.attrs().get(a.name()).equals(a.byDefault()));
                if (!given && !onlyOneValue) {
                    missing.add(def.name() + "." + a.name());
                }
            }
        }
        assertEquals(List.of(), missing, "attributes no generated spec sets to a non-default value");
    }
}
