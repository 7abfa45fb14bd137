/// One SSA value: an op applied to earlier nodes of the same program.
public struct Node: Hashable, Sendable {
    public var op: Op
    public var operands: [Int]
    public var shape: Shape
    public init(op: Op, operands: [Int], shape: Shape) { self.op = op; self.operands = operands; self.shape = shape }
}

/// A named result of a program.
public struct Output: Hashable, Sendable {
    public var name: String
    public var node: Int
    public init(name: String, node: Int) { self.name = name; self.node = node }
}

/// A straight-line program: nodes in execution order, named outputs, and after memory
/// planning the arena offset (in floats) of every node that needs storage.
public struct Program: Hashable, Sendable {
    public var name: String
    public var nodes: [Node]
    public var outputs: [Output]
    public var memory: MemoryPlan?

    public init(name: String, nodes: [Node] = [], outputs: [Output] = [], memory: MemoryPlan? = nil) {
        self.name = name; self.nodes = nodes; self.outputs = outputs; self.memory = memory
    }

    /// The program's inputs in order of appearance: what a caller must feed.
    public var inputs: [(name: String, shape: Shape)] {
        nodes.compactMap { if case .input(let n) = $0.op { return (n, $0.shape) } else { return nil } }
    }

    public func output(_ name: String) -> Int? { outputs.first { $0.name == name }?.node }

    /// For every node, the nodes that read it.
    public func users() -> [[Int]] {
        var users = Array(repeating: [Int](), count: nodes.count)
        for (i, n) in nodes.enumerated() { for o in n.operands { users[o].append(i) } }
        return users
    }
}

/// Where the values of one program live: an offset in floats into one arena per node
/// (nil for nodes without storage: parameters, constants and side effects).
public struct MemoryPlan: Hashable, Sendable {
    public var offsets: [Int?]
    public var arenaFloats: Int
    public init(offsets: [Int?], arenaFloats: Int) { self.offsets = offsets; self.arenaFloats = arenaFloats }
    public var arenaBytes: Int { saturatingMultiply(arenaFloats, 4) }
}

public enum Initializer: Hashable, Sendable {
    case zeros
    /// N(0, 2 / fanIn): He/Kaiming initialization for (leaky) ReLU layers, as PyTorch's default mode.
    case kaimingNormal(fanIn: Int)
    /// U(−b, b) with b = √(6 / (fanIn + fanOut)): Glorot/Xavier, as scikit-learn's MLP starts.
    case glorotUniform(fanIn: Int, fanOut: Int)
}

/// Persistent storage shared by every program of a graph.
public struct Parameter: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case weight     // trained, saved with the model
        case state      // optimizer state: moments and step count
    }
    public var name: String
    public var kind: Kind
    public var shape: Shape
    public var initializer: Initializer
    public init(name: String, kind: Kind, shape: Shape, initializer: Initializer) {
        self.name = name; self.kind = kind; self.shape = shape; self.initializer = initializer
    }
}

/// A compiled graph: several programs over one parameter set, plus the facts the runtime
/// needs (data variables, training hyper-parameters) as sorted key-value metadata.
public struct Graph: Hashable, Sendable {
    public static let formatVersion = 1

    public var name: String
    public var metadata: [String: String]
    public var parameters: [Parameter]
    public var programs: [Program]

    public init(name: String, metadata: [String: String] = [:], parameters: [Parameter] = [], programs: [Program] = []) {
        self.name = name; self.metadata = metadata; self.parameters = parameters; self.programs = programs
    }

    public func parameter(_ name: String) -> Parameter? { parameters.first { $0.name == name } }
    public func program(_ name: String) -> Program? { programs.first { $0.name == name } }

    /// Applies `transform` to every program.
    public func mapPrograms(_ transform: (Program) throws -> Program) rethrows -> Graph {
        var g = self
        g.programs = try programs.map(transform)
        return g
    }
}
