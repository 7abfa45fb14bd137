/// Appends shape-checked nodes to a program. Lowering, autodiff and the optimizer all build
/// through this type, so no pass can create a node whose shape does not follow from its op.
public struct Builder {
    public private(set) var program: Program
    private let parameterShapes: [String: Shape]
    private var parameterNodes: [String: Int] = [:]
    private var inputNodes: [String: Int] = [:]
    private var constants: [Float: Int] = [:]

    public init(_ program: Program, parameters: [Parameter]) {
        self.program = program
        self.parameterShapes = Dictionary(parameters.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        for (i, n) in program.nodes.enumerated() {
            switch n.op {
            case .parameter(let name): parameterNodes[name] = i
            case .input(let name): inputNodes[name] = i
            case .constant(let v): constants[v] = constants[v] ?? i
            default: break
            }
        }
    }

    public func shape(_ node: Int) -> Shape { program.nodes[node].shape }

    /// Appends `op` applied to `operands`; its shape is computed, never given.
    @discardableResult
    public mutating func add(_ op: Op, _ operands: [Int]) throws -> Int {
        if case .constant(let v) = op, let existing = constants[v] { return existing }
        let shape = try op.resultShape(operands.map { program.nodes[$0].shape })
        program.nodes.append(Node(op: op, operands: operands, shape: shape))
        let id = program.nodes.count - 1
        if case .constant(let v) = op { constants[v] = id }
        return id
    }

    public mutating func input(_ name: String, _ shape: Shape) throws -> Int {
        if let i = inputNodes[name] {
            guard program.nodes[i].shape == shape else { throw ShapeError("input \(name) fed as \(program.nodes[i].shape) and \(shape)") }
            return i
        }
        program.nodes.append(Node(op: .input(name), operands: [], shape: shape))
        inputNodes[name] = program.nodes.count - 1
        return program.nodes.count - 1
    }

    /// The node reading parameter `name` (one per program).
    public mutating func parameter(_ name: String) throws -> Int {
        if let i = parameterNodes[name] { return i }
        guard let shape = parameterShapes[name] else { throw ShapeError("unknown parameter \(name)") }
        program.nodes.append(Node(op: .parameter(name), operands: [], shape: shape))
        parameterNodes[name] = program.nodes.count - 1
        return program.nodes.count - 1
    }

    public mutating func constant(_ value: Float) throws -> Int { try add(.constant(value), []) }

    public mutating func output(_ name: String, _ node: Int) {
        program.outputs.append(Output(name: name, node: node))
    }

    // Shorthands that keep lowering and derivative rules readable.
    public mutating func unary(_ op: UnaryOp, _ x: Int) throws -> Int { try add(.unary(op), [x]) }
    public mutating func binary(_ op: BinaryOp, _ a: Int, _ b: Int) throws -> Int { try add(.binary(op), [a, b]) }
    public mutating func add(_ a: Int, _ b: Int) throws -> Int { try binary(.add, a, b) }
    public mutating func sub(_ a: Int, _ b: Int) throws -> Int { try binary(.sub, a, b) }
    public mutating func mul(_ a: Int, _ b: Int) throws -> Int { try binary(.mul, a, b) }
    public mutating func mul(_ a: Int, constant c: Float) throws -> Int { try binary(.mul, a, constant(c)) }
    public mutating func add(_ a: Int, constant c: Float) throws -> Int { try binary(.add, a, constant(c)) }
}
