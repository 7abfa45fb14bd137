import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Plots
import XCTest

/// Parses a figure as XML, failing the test if it is not well-formed.
func parse(_ svg: SVG, file: StaticString = #filePath, line: UInt = #line) throws -> XMLDocument {
    do {
        return try XMLDocument(xmlString: svg.text, options: [])
    } catch {
        XCTFail("not well-formed XML: \(error)", file: file, line: line)
        throw error
    }
}

extension XMLDocument {
    /// The elements an XPath expression selects.
    func elements(_ xpath: String) throws -> [XMLElement] {
        try nodes(forXPath: xpath).compactMap { $0 as? XMLElement }
    }

    /// The text of every <text> element.
    func texts() throws -> [String] {
        try elements("//*[local-name()='text']").map { $0.stringValue ?? "" }
    }
}

extension XMLElement {
    /// The attribute's value. (`attribute(forName:)` finds nothing in an element of a default
    /// namespace on Linux's Foundation, so the attributes are searched by name.)
    func value(_ name: String) -> String? {
        attributes?.first { $0.name == name }?.stringValue
    }
}

/// `//*[local-name()='g'][@class='x']`: SVG elements live in the SVG namespace, which plain
/// XPath names would not match.
func svgElements(_ name: String, class className: String? = nil) -> String {
    "//*[local-name()='\(name)']" + (className.map { "[@class='\($0)']" } ?? "")
}
