package dev.bootsecrets.cloud.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The agent's own XML reader: what Azure's documents hold is read; anything out of form is refused whole. */
class XmlTest {
    static Xml.Element parse(String xml) throws IOException {
        return Xml.parse(xml.getBytes(StandardCharsets.UTF_8), "doc.xml");
    }

    @Test
    void aGoalStateIsReadByLocalNamesWhateverItsNamespacesAndAttributes() throws Exception {
        Xml.Element root = parse("""
                \uFEFF<?xml version="1.0" encoding="utf-8"?>
                <!-- a comment before the root -->
                <GoalState xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation='a>b.xsd'>
                  <Incarnation>3</Incarnation>
                  <Container>
                    <ContainerId> c-1 </ContainerId>
                    <RoleInstanceList><RoleInstance><InstanceId>r&amp;1&#x41;&#66;</InstanceId></RoleInstance></RoleInstanceList>
                  </Container>
                  <x:Empty/>
                </GoalState>
                """);
        assertEquals("GoalState", root.name());
        assertEquals(Optional.of("3"), Xml.text(root, "Incarnation"));
        assertEquals(Optional.of("c-1"), Xml.text(root, "Container", "ContainerId"));
        assertEquals(Optional.of("r&1AB"), Xml.text(root, "Container", "RoleInstanceList", "RoleInstance", "InstanceId"));
        assertEquals(Optional.of(""), Xml.text(root, "Empty"));
        assertEquals(Optional.empty(), Xml.text(root, "Container", "Missing"));
    }

    @Test
    void anElementIsFoundAnywhereAndItsTextIncludesCdataAndDescendants() throws Exception {
        Xml.Element root = parse("<a:Env xmlns:a='x'><b><wa:CustomData><![CDATA[I2Ns<b>]]>b3Vk<!-- c --></wa:CustomData></b>"
                + "<CustomData>second</CustomData></a:Env>");
        assertEquals(Optional.of("I2Ns<b>b3Vk"), Xml.anywhere(root, "CustomData"));
        assertEquals(Optional.of("I2Ns<b>b3Vk"), Xml.text(root, "b"));
        assertEquals(Optional.empty(), Xml.anywhere(root, "Nothing"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", // a DOCTYPE, however harmless
        "<a><!ENTITY e 'x'></a>",
        "<a>&e;</a>", // an entity nobody declared
        "<a>&#0;</a>", "<a>&#xD800;</a>", "<a>&#-5;</a>", "<a>& b</a>",
        "<a><b></a></b>", "<a>", "<a></b>", "</a>", "", "text",
        "<a></a><b></b>", "<a></a>trailing", "<a b></a>", "<a b=c></a>", "<a b='<'></a>", "<ab='1'></a>",
        "<a><![CDATA[open</a>", "<a><!-- open</a>",
    })
    void whatIsOutOfFormIsRefusedWithoutQuotingIt(String xml) {
        IOException e = assertThrows(IOException.class, () -> parse(xml));
        assertTrue(e.getMessage().startsWith("doc.xml: not well-formed XML (or it has a DOCTYPE, which is refused)"),
                e.getMessage());
    }

    @Test
    void nestingIsBoundedAndBytesMustBeUtf8() {
        assertThrows(IOException.class, () -> parse("<a>".repeat(100) + "</a>".repeat(100)));
        IOException e = assertThrows(IOException.class, () -> Xml.parse(new byte[] {'<', 'a', '>', (byte) 0xff, '<', '/', 'a', '>'}, "doc.xml"));
        assertFalse(e.getMessage().contains("\uFFFD"));
    }
}
