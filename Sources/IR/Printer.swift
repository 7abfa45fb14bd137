/// The `.sbig` text form: versioned, deterministic, one op per line with its shape and arena
/// offset. `Graph.parse(graph.text) == graph` holds for every graph.
extension Graph {
    public var text: String {
        var out = "sbig \(Graph.formatVersion)\ngraph \(name)\n"
        for key in metadata.keys.sorted() { out += "meta \(key) \(metadata[key]!)\n" }
        for p in parameters {
            out += "\(p.kind == .weight ? "param" : "state") \(p.name) \(p.shape) \(p.initializer.text)\n"
        }
        for program in programs { out += program.text }
        return out
    }
}

extension Program {
    public var text: String {
        var out = "program \(name)\n"
        for (i, node) in nodes.enumerated() {
            out += "  " + node.text(index: i)
            if let offset = memory?.offsets[i] { out += " @\(offset)" }
            out += "\n"
        }
        for o in outputs { out += "  output \(o.name) %\(o.node)\n" }
        if let memory { out += "  arena \(memory.arenaFloats)\n" }
        return out + "end\n"
    }
}

extension Node {
    func text(index: Int) -> String {
        let head: String
        switch op {
        case .input(let name): head = "input \(name)"
        case .parameter(let name): head = "param \(name)"
        case .constant(let v): head = "const \(v)"
        default:
            var callee = spell(op)
            switch op {
            case .dense(let activation): callee += activation.map { "." + spell(.unary($0)) } ?? ""
            case .fused(let body): callee += "{" + body.instructions.map(\.text).joined(separator: "; ") + "}"
            default: break
            }
            head = callee + "(" + operands.map { "%\($0)" }.joined(separator: ", ") + ")"
        }
        return "%\(index) = \(head)" + (op.hasResult ? " : \(shape)" : "")
    }
}

extension FusedBody.Instruction {
    var text: String {
        let callee: String
        switch kind {
        case .unary(let u): callee = spell(.unary(u))
        case .binary(let b): callee = spell(.binary(b))
        }
        return callee + "(" + arguments.map { a in
            switch a {
            case .operand(let k): return "$\(k)"
            case .result(let j): return "%\(j)"
            case .literal(let v): return v.description
            }
        }.joined(separator: ", ") + ")"
    }
}

extension Initializer {
    var text: String {
        switch self {
        case .zeros: return "zeros"
        case .kaimingNormal(let fanIn): return "kaiming_normal(\(fanIn))"
        case let .glorotUniform(fanIn, fanOut): return "glorot_uniform(\(fanIn),\(fanOut))"
        }
    }
}

/// `name[key=value, flag]`, or the bare name.
func spell(_ op: Op) -> String {
    let attributes = op.attributes
    guard !attributes.isEmpty else { return op.name }
    return op.name + "[" + attributes.map { k, v in v.map { "\(k)=\($0)" } ?? k }.joined(separator: ", ") + "]"
}
