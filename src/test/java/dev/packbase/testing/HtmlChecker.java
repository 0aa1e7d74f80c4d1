package dev.packbase.testing;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import nu.validator.validation.SimpleDocumentValidator;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXParseException;

/**
 * The Nu HTML Checker (the W3C's validator) in-process: {@link #errors} lists what it finds wrong in a
 * document, as {@code line:column: message}. The schema is a key into the schemas inside its jar;
 * nothing is fetched. One checker serves one document at a time.
 */
public final class HtmlChecker {
    private static final String SCHEMA = "http://s.validator.nu/html5-all.rnc";
    private static HtmlChecker shared;

    private final SimpleDocumentValidator validator;
    private final List<String> found = new ArrayList<>();

    private HtmlChecker() throws Exception {
        validator = new SimpleDocumentValidator(false, false, false);
        validator.setUpMainSchema(SCHEMA, new ErrorHandler() {
            @Override
            public void warning(SAXParseException e) {
            }

            @Override
            public void error(SAXParseException e) throws SAXParseException {
                throw e;
            }

            @Override
            public void fatalError(SAXParseException e) throws SAXParseException {
                throw e;
            }
        });
        validator.setUpValidatorAndParsers(new ErrorHandler() {
            @Override
            public void warning(SAXParseException e) {
            }

            @Override
            public void error(SAXParseException e) {
                found.add(e.getLineNumber() + ":" + e.getColumnNumber() + ": " + e.getMessage());
            }

            @Override
            public void fatalError(SAXParseException e) {
                error(e);
            }
        }, true, false);
    }

    /** The errors in {@code html}; empty when it is valid. */
    public static synchronized List<String> errors(String html) throws Exception {
        if (shared == null) {
            shared = new HtmlChecker();
        }
        shared.found.clear();
        InputSource in = new InputSource(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        in.setSystemId("about:packbase-page");
        shared.validator.checkHtmlInputSource(in);
        List<String> errors = List.copyOf(shared.found);
        if (errors.isEmpty()) {
            return errors;
        }
        // The lines in question, so a failure shows what was wrong without a second run.
        String[] lines = html.split("\n", -1);
        List<String> shown = new ArrayList<>();
        for (String e : errors) {
            int line = Integer.parseInt(e.substring(0, e.indexOf(':')));
            shown.add(e + (line >= 1 && line <= lines.length ? "  «" + lines[line - 1].strip() + "»" : ""));
        }
        return shown;
    }
}
