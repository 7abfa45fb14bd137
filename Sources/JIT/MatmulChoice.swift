extension MatmulKernel {
    /// The faster kernel for a shape on this machine kind, from measurements (docs/jit.md).
    static func choose(_ s: MatmulShape) -> MatmulKernel {
        .jit
    }
}
