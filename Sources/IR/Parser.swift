/// A `.sbig` file that cannot be read, with the line at fault (0 when the fault is in how
/// lines relate, which the verifier finds after reading them all).
public struct ParseError: Error, CustomStringConvertible, Sendable {
    public var file: String?
    public var line: Int
    public var message: String
    public var description: String {
        let place = [file, line > 0 ? "\(line)" : nil].compactMap { $0 }.joined(separator: ":")
        return place.isEmpty ? message : place + ": " + message
    }
}

extension Graph {
    /// Parses the text form and verifies the result.
    public static func parse(_ text: String, file: String? = nil) throws -> Graph {
        var graph = Graph(name: "")
        // The program being read, with its arena offsets until its "end".
        var program: (program: Program, offsets: [Int?], arena: Int?)?
        var sawHeader = false
        // Lines end at "\n" bytes: split by Characters, "\r\n" would be one character and a
        // file saved with Windows line ends one long line.
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Substring.init)
        // What is missing at the end of the file is reported at its last line that holds text.
        var lastLine = 1
        for (n, raw) in lines.enumerated() {
            let lineNumber = n + 1
            func fail(_ message: String) -> ParseError { ParseError(file: file, line: lineNumber, message: message) }
            let line = raw.trimmingSpaces
            if line.isEmpty { continue }
            lastLine = lineNumber
            var s = Scanner(line)
            do {
                let keyword = try s.word()
                if !sawHeader {
                    guard keyword == "sbig", let version = Int(try s.word()) else { throw fail("not an .sbig file (it must start with \"sbig <version>\")") }
                    guard version == formatVersion else {
                        throw fail(version > formatVersion
                            ? "written in .sbig format \(version) by a newer sbic; this sbic reads format \(formatVersion): recompile the spec"
                            : "unknown .sbig format \(version)")
                    }
                    sawHeader = true
                    try s.end()
                    continue
                }
                // The program is changed in place: a copy taken here would copy its nodes on
                // every line, which made reading a graph quadratic in its length.
                if program != nil {
                    switch keyword {
                    case "end":
                        let p = program!
                        program = nil
                        var finished = p.program
                        if let arena = p.arena {
                            finished.memory = MemoryPlan(offsets: p.offsets, arenaFloats: arena)
                        } else if p.offsets.contains(where: { $0 != nil }) {
                            throw fail("program \(finished.name) places values but has no \"arena\" line")
                        }
                        graph.programs.append(finished)
                    case "output":
                        let name = try s.word()
                        program!.program.outputs.append(Output(name: name, node: try s.reference()))
                    case "arena":
                        program!.arena = try s.integer()
                    default:
                        var node = Scanner(line)
                        let (index, parsed, offset) = try node.node()
                        guard index == program!.program.nodes.count else { throw fail("expected %\(program!.program.nodes.count), found %\(index)") }
                        program!.program.nodes.append(parsed)
                        program!.offsets.append(offset)
                        s = node
                    }
                    try s.end()
                    continue
                }
                switch keyword {
                case "graph":
                    graph.name = try s.word()
                    guard Graph.isValidName(graph.name) else { throw fail("invalid graph name \"\(graph.name)\": \(Graph.nameRule)") }
                case "meta":
                    let key = try s.word()
                    graph.metadata[key] = s.rest()
                case "param", "state":
                    let name = try s.word()
                    let shape = try s.shape()
                    let initializer = try s.initializer()
                    graph.parameters.append(Parameter(name: name, kind: keyword == "param" ? .weight : .state, shape: shape, initializer: initializer))
                case "program": program = (Program(name: try s.word()), [], nil)
                default: throw fail("unexpected \"\(keyword)\"")
                }
                try s.end()
            } catch let e as ScanError {
                throw fail(e.message)
            }
        }
        guard sawHeader else { throw ParseError(file: file, line: 1, message: "empty file") }
        if let p = program { throw ParseError(file: file, line: lastLine, message: "program \(p.program.name) has no \"end\"") }
        guard !graph.name.isEmpty else { throw ParseError(file: file, line: lastLine, message: "no \"graph NAME\" line") }
        do { try graph.verify(after: "parse") } catch let e as VerificationError {
            throw ParseError(file: file, line: 0, message: e.description)
        }
        return graph
    }
}

struct ScanError: Error { var message: String }

/// A cursor over one line of text.
struct Scanner {
    private let bytes: [UInt8]
    private var i = 0
    init(_ line: Substring) { bytes = Array(line.utf8) }

    private func error(_ message: String) -> ScanError { ScanError(message: message + " at column \(i + 1)") }

    mutating func skipSpaces() { while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 } }
    mutating func consume(_ c: Character) -> Bool {
        skipSpaces()
        if i < bytes.count, bytes[i] == c.asciiValue! { i += 1; return true }
        return false
    }
    mutating func expect(_ c: Character) throws { guard consume(c) else { throw error("expected \"\(c)\"") } }
    mutating func end() throws { skipSpaces(); guard i == bytes.count else { throw error("unexpected text") } }
    mutating func rest() -> String { skipSpaces(); defer { i = bytes.count }; return String(decoding: bytes[i...], as: UTF8.self) }

    /// A run of characters up to a space or punctuation that delimits tokens.
    mutating func word() throws -> String {
        skipSpaces()
        let start = i
        while i < bytes.count, !" ,()[]{};:=@".utf8.contains(bytes[i]) { i += 1 }
        guard i > start else { throw error("expected a name") }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }
    mutating func integer() throws -> Int {
        let w = try word()
        guard let v = Int(w) else { throw error("\"\(w)\" is not an integer") }
        return v
    }
    mutating func float() throws -> Float {
        let w = try word()
        guard let v = Float(w) else { throw error("\"\(w)\" is not a number") }
        return v
    }
    mutating func reference() throws -> Int {
        guard consume("%") else { throw error("expected %N") }
        return try integer()
    }
    mutating func shape() throws -> Shape {
        skipSpaces()
        guard bytes[i...].starts(with: "f32[".utf8) else { throw error("expected a shape f32[...]") }
        i += 4
        var dims: [Int] = []
        if !consume("]") {
            repeat { dims.append(try integer()) } while consume(",")
            try expect("]")
        }
        return Shape(dims)
    }
    mutating func initializer() throws -> Initializer {
        switch try word() {
        case "zeros": return .zeros
        case "kaiming_normal":
            try expect("(")
            defer { _ = consume(")") }
            return .kaimingNormal(fanIn: try integer())
        case "glorot_uniform":
            try expect("(")
            let fanIn = try integer()
            try expect(",")
            defer { _ = consume(")") }
            return .glorotUniform(fanIn: fanIn, fanOut: try integer())
        case let w: throw error("unknown initializer \"\(w)\"")
        }
    }

    /// `[key=value, flag]`, or nothing.
    mutating func attributes() throws -> [String: String] {
        var out: [String: String] = [:]
        guard consume("[") else { return out }
        repeat {
            let key = try word()
            if consume("=") {
                skipSpaces()
                out[key] = bytes[i...].starts(with: "f32[".utf8) ? try shape().description : try word()
            } else {
                out[key] = ""
            }
        } while consume(",")
        try expect("]")
        return out
    }

    /// `%i = callee(operands) : shape @offset`
    mutating func node() throws -> (Int, Node, Int?) {
        let index = try reference()
        try expect("=")
        let name = try word()
        var op: Op
        var operands: [Int] = []
        switch name {
        case "input": op = .input(try word())
        case "param": op = .parameter(try word())
        case "const": op = .constant(try float())
        default:
            // Names may hold dots, so `dense.leaky_relu` arrives as one word.
            if name.hasPrefix("dense.") {
                guard case .unary(let u) = try Op(name: String(name.dropFirst(6)), attributes: attributes()) else {
                    throw error("dense takes an activation")
                }
                op = .dense(activation: u)
            } else {
                op = try Op(name: name, attributes: attributes())
                if name == "fused" { op = .fused(try fusedBody()) }
            }
            try expect("(")
            if !consume(")") {
                repeat { operands.append(try reference()) } while consume(",")
                try expect(")")
            }
        }
        var shape = Shape.scalar
        if op.hasResult {
            try expect(":")
            shape = try self.shape()
        }
        let offset = consume("@") ? try integer() : nil
        return (index, Node(op: op, operands: operands, shape: shape), offset)
    }

    mutating func fusedBody() throws -> FusedBody {
        try expect("{")
        var instructions: [FusedBody.Instruction] = []
        repeat {
            let kind: FusedBody.Kind
            switch try Op(name: try word(), attributes: attributes()) {
            case .unary(let u): kind = .unary(u)
            case .binary(let b): kind = .binary(b)
            default: throw error("fused bodies hold element-wise ops only")
            }
            try expect("(")
            var arguments: [FusedBody.Argument] = []
            repeat {
                if consume("$") { arguments.append(.operand(try integer())) }
                else if consume("%") { arguments.append(.result(try integer())) }
                else { arguments.append(.literal(try float())) }
            } while consume(",")
            try expect(")")
            instructions.append(FusedBody.Instruction(kind, arguments))
        } while consume(";")
        try expect("}")
        return FusedBody(instructions)
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return s
    }
}
