package dev.bootsecrets.cloud.azure;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * The JDK's DOM parser, made safe for documents from the network or the provisioning media:
 * no DOCTYPE at all (so no entities, internal or external), no external DTDs, schemas or
 * XIncludes, and errors thrown rather than printed.
 */
final class Xml {
    private Xml() {}

    /** @throws IOException naming {@code what} (never quoting the document) when it is not well-formed */
    static Document parse(byte[] xml, String what) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(THROW);
            return builder.parse(new ByteArrayInputStream(xml));
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the XML parser lacks a safety feature", e);
        } catch (SAXException e) {
            throw new IOException(what + ": not well-formed XML (or it has a DOCTYPE, which is refused)");
        }
    }

    /** The text of the element reached by child names (local names, any namespace) from {@code from}. */
    static Optional<String> text(Element from, String... path) {
        Element at = from;
        for (String name : path) {
            at = child(at, name);
            if (at == null) {
                return Optional.empty();
            }
        }
        return Optional.of(at.getTextContent().strip());
    }

    /** The text of the first element named {@code localName} anywhere in the document. */
    static Optional<String> anywhere(Document document, String localName) {
        NodeList found = document.getElementsByTagNameNS("*", localName);
        return found.getLength() == 0 ? Optional.empty() : Optional.of(found.item(0).getTextContent().strip());
    }

    private static Element child(Element parent, String localName) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && localName.equals(element.getLocalName())) {
                return element;
            }
        }
        return null;
    }

    private static final ErrorHandler THROW = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {}

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }
    };
}
