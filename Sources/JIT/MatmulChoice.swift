extension MatmulKernel {
    /// The kernel the JIT uses for a product of this shape (op(A) is m × k, op(B) k × n),
    /// alone (a matmul) or with a dense layer's bias and activation.
    public static func preferred(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, dense: Bool) -> MatmulKernel {
        choose(MatmulShape(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB), dense: dense)
    }

    /// From `sbic bench --matmuls` over every product of the 22 specs (docs/jit.md): the JIT's
    /// kernels are as fast as OpenBLAS with its SkylakeX kernels or faster (up to 4× with B
    /// transposed), except for a plain product whose rows of C are 17 to 21 columns wide. The
    /// tile then computes a second vector of 16 columns for 1 to 5 of them, and OpenBLAS's
    /// packed kernels win by up to a fifth. A dense layer keeps the JIT's kernel there: its
    /// bias and activation come free in the tile, where OpenBLAS needs another pass.
    static func choose(_ s: MatmulShape, dense: Bool) -> MatmulKernel {
        !dense && (17...21).contains(s.n) ? .blas : .jit
    }
}
