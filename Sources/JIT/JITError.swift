/// Why a program could not be compiled to native code. The JIT never traps on a graph it
/// cannot handle: it says so here.
public struct JITError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
