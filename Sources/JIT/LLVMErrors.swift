import CLLVM

/// Converts an LLVM error to a thrown `JITError`, consuming it (LLVM aborts on errors that are
/// dropped unread).
func check(_ error: LLVMErrorRef?, _ context: @autoclosure () -> String) throws {
    guard let error else { return }
    throw JITError("\(context()): \(consume(error))")
}

/// The message of an LLVM error; the error is consumed.
func consume(_ error: LLVMErrorRef) -> String {
    guard let cMessage = LLVMGetErrorMessage(error) else { return "unknown LLVM error" }
    defer { LLVMDisposeErrorMessage(cMessage) }
    return String(cString: cMessage)
}

/// Takes ownership of a message LLVM allocated.
func takeMessage(_ message: UnsafeMutablePointer<CChar>?) -> String {
    guard let message else { return "" }
    defer { LLVMDisposeMessage(message) }
    return String(cString: message)
}
